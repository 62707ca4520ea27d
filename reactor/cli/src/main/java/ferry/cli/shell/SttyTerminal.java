package ferry.cli.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's mode switched with {@code stty}, as small line editors do without native code:
 * {@link #open} saves {@code stty -g}; {@link #enterRaw} turns off line buffering, echo and the
 * signal keys ({@code -icanon -echo -isig min 1}, so Ctrl-C reaches the editor as a byte and
 * drops the line instead of ending the shell); {@link #restore} puts the saved state back. A
 * shutdown hook restores it too, so a JVM that exits mid-line leaves a usable terminal.
 *
 * <p>Raw mode lasts only while a line is read: commands run in the normal mode, where Ctrl-C
 * interrupts a transfer as before.
 *
 * <p>Thread safety: {@link #enterRaw} and {@link #restore} are synchronized, since the shutdown
 * hook's thread may restore while the shell's thread switches.
 */
final class SttyTerminal implements TerminalMode {
    static final String RAW_MODE = "-icanon -echo -isig min 1 time 0";
    /** stty answers at once; this only guards against a terminal that never does. */
    private static final long STTY_TIMEOUT_SECONDS = 10;

    private final String saved;
    private boolean raw;

    private SttyTerminal(String saved) {
        this.saved = saved;
    }

    /** Saves the terminal's current mode; IOException when there is no terminal or no stty. */
    static SttyTerminal open() throws IOException {
        String saved = stty("-g").trim();
        if (!saved.matches("[0-9A-Za-z:=-]+")) { // it goes back into a shell command line
            throw new IOException("unexpected stty -g output");
        }
        SttyTerminal t = new SttyTerminal(saved);
        Runtime.getRuntime().addShutdownHook(new Thread(t::restore, "ferry-shell-restore-terminal"));
        return t;
    }

    @Override
    public synchronized void enterRaw() throws IOException {
        stty(RAW_MODE);
        raw = true;
    }

    @Override
    public synchronized void restore() {
        if (!raw) {
            return;
        }
        try {
            stty(saved);
            raw = false;
        } catch (IOException e) {
            // nothing better to do: the person's shell shows the terminal as it is ('reset' fixes it)
        }
    }

    /** Runs {@code stty ARGS < /dev/tty} and returns its output. */
    private static String stty(String args) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "stty " + args + " < /dev/tty")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!p.waitFor(STTY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("stty " + args + " did not answer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while switching the terminal mode", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("stty " + args + " failed (status " + p.exitValue() + ")");
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}

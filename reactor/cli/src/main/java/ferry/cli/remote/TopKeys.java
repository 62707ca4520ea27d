package ferry.cli.remote;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The keyboard of {@code ferry top}: puts the terminal in character mode without echo
 * ({@code stty -icanon -echo}, as top does) so that {@code q} ends at once, and puts it back on
 * {@link #close}, or on Ctrl-C through a shutdown hook (Ctrl-C still signals: {@code isig} stays
 * on). When stdin is not a terminal its bytes are read as they come (a {@code q} in a pipe ends
 * too), and its end ends top.
 *
 * <p>Threading: a daemon thread ({@code ferry-top-keys}) blocks reading stdin and counts down the
 * latch {@link #awaitQuit} waits on; everything else runs on the command's thread.
 */
final class TopKeys implements AutoCloseable {
    private static final String TTY = "/dev/tty";
    private static final long STTY_TIMEOUT_SECONDS = 5;

    private final CountDownLatch quit = new CountDownLatch(1);
    private final boolean raw;
    private final Thread restoreHook;

    /** @param terminal whether {@code in} is the terminal (put in character mode while this is open) */
    TopKeys(InputStream in, boolean terminal) {
        boolean r = false;
        Thread hook = null;
        if (terminal && stty("-icanon", "-echo", "min", "1")) {
            r = true;
            hook = new Thread(() -> stty("icanon", "echo"), "ferry-top-restore");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        this.raw = r;
        this.restoreHook = hook;
        Thread reader = new Thread(() -> read(in), "ferry-top-keys");
        reader.setDaemon(true); // blocked in read() when top ends: it must not keep the JVM up
        reader.start();
    }

    private void read(InputStream in) {
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == 'q' || b == 'Q') {
                    break;
                }
            }
        } catch (IOException ignored) {
            // stdin gone: end as on q
        }
        quit.countDown();
    }

    /** Waits up to {@code millis}; true when q was pressed (or stdin ended). */
    boolean awaitQuit(long millis) throws InterruptedException {
        return quit.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (raw) {
            stty("icanon", "echo");
            try {
                Runtime.getRuntime().removeShutdownHook(restoreHook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs anyway
            }
        }
    }

    /** Runs stty on the terminal; false when it could not (no terminal, no stty). */
    private static boolean stty(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(new File(TTY))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(STTY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package ferry.cli.command;

import ferry.client.CredentialsResolver;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Asks the person at the terminal: a user name with echo, a password without.
 *
 * <p>Uses {@link System#console()} when Java has one (stdin and stdout both a terminal). When
 * stdout is redirected ({@code ferry get nas:/x - > file}) Java 17 has no console although a
 * person is there, so it talks to {@code /dev/tty} directly and turns echo off with
 * {@code stty -echo}, as ssh and sudo do; if echo cannot be turned off it refuses to read the
 * password rather than show it.
 *
 * <p>Thread safety: one prompt at a time (a terminal has one person).
 */
public final class TerminalPrompter implements CredentialsResolver.Prompter {
    static final String TTY = "/dev/tty";
    /** Longest line read from the terminal; a password longer than this is a paste gone wrong. */
    static final int MAX_LINE_BYTES = 4096;
    private static final long STTY_TIMEOUT_SECONDS = 10;

    @Override
    public String readLine(String prompt) throws IOException {
        java.io.Console c = System.console();
        if (c != null) {
            return CredentialsResolver.consolePrompter(c).readLine(prompt);
        }
        try (RandomAccessFile tty = new RandomAccessFile(TTY, "rw")) {
            tty.write(prompt.getBytes(StandardCharsets.UTF_8));
            char[] line = readTtyLine(tty);
            try {
                return new String(line);
            } finally {
                Arrays.fill(line, '\0');
            }
        }
    }

    @Override
    public char[] readPassword(String prompt) throws IOException {
        java.io.Console c = System.console();
        if (c != null) {
            return CredentialsResolver.consolePrompter(c).readPassword(prompt);
        }
        try (RandomAccessFile tty = new RandomAccessFile(TTY, "rw")) {
            stty("-echo"); // before the prompt, so nothing typed in answer to it is ever echoed
            try {
                tty.write(prompt.getBytes(StandardCharsets.UTF_8));
                return readTtyLine(tty);
            } finally {
                stty("echo");
                tty.write('\n'); // the Enter the person typed was not echoed
            }
        }
    }

    /** One line from the terminal as characters (never a String: it may be a password). */
    private static char[] readTtyLine(RandomAccessFile tty) throws IOException {
        char[] line;
        try {
            line = SecretLine.read(tty::read, MAX_LINE_BYTES);
        } catch (SecretLine.BadLineException e) {
            throw new IOException("the line typed is " + e.getMessage());
        }
        if (line == null) {
            throw new IOException("no input (end of file at the prompt)");
        }
        return line;
    }

    /** Runs {@code stty MODE} on the terminal; failing to turn echo off is an error, not a shown password. */
    private static void stty(String mode) throws IOException {
        Process p = new ProcessBuilder("stty", mode).redirectInput(new File(TTY))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(STTY_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("cannot switch terminal echo " + (mode.startsWith("-") ? "off" : "on")
                        + " (stty " + mode + "); give the password with FERRY_PASSWORD or a credentials file");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while switching terminal echo", e);
        }
    }
}

package ferry.cli.serve;

import ferry.cli.command.CliException;
import ferry.cli.command.Invocation;
import ferry.cli.command.SecretLine;
import ferry.client.CredentialsResolver;
import ferry.services.auth.PasswordHasher;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A new password for {@code ferry user add|passwd}: read from the first line of stdin or asked
 * twice on the terminal without echo, checked for length and hashed; the characters read are
 * zeroed, never held as a String.
 *
 * <p>Thread safety: stateless; one run on the main thread.
 */
final class NewPassword {
    /** NIST SP 800-63B's minimum for user-chosen passwords. */
    static final int MIN_PASSWORD_CHARS = 8;
    /** A password line longer than this on stdin is not a password. */
    static final int MAX_PASSWORD_BYTES = 4096;

    private NewPassword() {}

    /**
     * Reads the new password of {@code name} (stdin when {@code fromStdin}, else the terminal
     * twice), checks it and hashes it with {@code iterations} PBKDF2 rounds. Zeroes what it read.
     */
    static PasswordHasher.Keys keys(Invocation inv, String name, boolean fromStdin, int iterations)
            throws IOException, CliException {
        char[] password = null;
        try {
            CredentialsResolver.Prompter terminal = inv.console().prompter();
            if (fromStdin) {
                password = readLine(inv.console().in());
            } else if (terminal != null) {
                password = terminal.readPassword("New password for " + name + ": ");
                char[] again = terminal.readPassword("Repeat the password: ");
                boolean same = Arrays.equals(password, again);
                Arrays.fill(again, '\0');
                if (!same) {
                    throw new CliException("the passwords do not match; nothing changed");
                }
            } else {
                throw new CliException("no terminal to ask for the password: pipe it in with --password-stdin");
            }
            if (password.length < MIN_PASSWORD_CHARS) {
                throw new CliException("the password is shorter than " + MIN_PASSWORD_CHARS
                        + " characters; nothing changed");
            }
            try {
                return new PasswordHasher().hash(password, iterations);
            } catch (IllegalArgumentException e) {
                throw new CliException("cannot use this password: " + e.getMessage(), e);
            }
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** The first line of {@code in} (without its line end) as characters, never as a String. */
    static char[] readLine(InputStream in) throws IOException, CliException {
        char[] line;
        try {
            line = SecretLine.read(in::read, MAX_PASSWORD_BYTES);
        } catch (SecretLine.BadLineException e) {
            throw new CliException("the password line on stdin is " + e.getMessage());
        }
        if (line == null || line.length == 0) {
            throw new CliException("no password on stdin (--password-stdin reads its first line)");
        }
        return line;
    }
}

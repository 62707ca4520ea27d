package ferry.client;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the credentials to log in with, in this order:
 *
 * <ol>
 *   <li>{@code FERRY_PASSWORD} in the environment, with the user from the caller (a {@code --user}
 *       flag) or {@code FERRY_USER};
 *   <li>a credentials file ({@link CredentialsFile}): the one the caller names (a
 *       {@code --credentials} flag), else {@code FERRY_CREDENTIALS}, else
 *       {@code $XDG_CONFIG_HOME/ferry/credentials} (default {@code ~/.config/ferry/credentials}) if it
 *       exists. A file whose {@code user} differs from the one asked for is skipped, unless it was
 *       named explicitly (then it is an error);
 *   <li>a prompt on the terminal, without echo for the password;
 *   <li>otherwise an error that lists these three ways.
 * </ol>
 *
 * <p>Environment passwords are visible to the same OS user (and root) through /proc; prefer the file
 * or the prompt on shared machines.
 *
 * <p>Thread safety: one thread at a time (the prompt is interactive).
 */
public final class CredentialsResolver {
    public static final String ENV_USER = "FERRY_USER";
    public static final String ENV_PASSWORD = "FERRY_PASSWORD";
    public static final String ENV_CREDENTIALS = "FERRY_CREDENTIALS";

    /** Asks a person. Implementations must not echo {@link #readPassword}. */
    public interface Prompter {
        String readLine(String prompt) throws IOException;

        char[] readPassword(String prompt) throws IOException;
    }

    private final Map<String, String> env;
    private final Path defaultFile;
    private final Prompter prompter;

    /**
     * @param env         the environment (System.getenv() in real use)
     * @param defaultFile the file to use when none is named; may be null
     * @param prompter    the terminal, or null when there is none
     */
    public CredentialsResolver(Map<String, String> env, Path defaultFile, Prompter prompter) {
        this.env = env;
        this.defaultFile = defaultFile;
        this.prompter = prompter;
    }

    /** The real environment, default file and terminal ({@link System#console()}, if any). */
    public static CredentialsResolver system() {
        Map<String, String> env = System.getenv();
        Console console = System.console();
        return new CredentialsResolver(env, defaultFile(env), console == null ? null : consolePrompter(console));
    }

    /** {@code $XDG_CONFIG_HOME/ferry/credentials}, or {@code ~/.config/ferry/credentials}. */
    public static Path defaultFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("ferry").resolve("credentials");
    }

    /** A prompter on a {@link Console}: echo off for passwords. */
    public static Prompter consolePrompter(Console console) {
        return new Prompter() {
            @Override
            public String readLine(String prompt) throws IOException {
                String s = console.readLine("%s", prompt);
                if (s == null) {
                    throw new IOException("no input (end of file at the prompt)");
                }
                return s;
            }

            @Override
            public char[] readPassword(String prompt) throws IOException {
                char[] p = console.readPassword("%s", prompt);
                if (p == null) {
                    throw new IOException("no input (end of file at the password prompt)");
                }
                return p;
            }
        };
    }

    /**
     * @param user a user name the caller was given (say, {@code --user}), or null
     * @param file a credentials file the caller was given (say, {@code --credentials}), or null
     * @throws IOException when no source has credentials, or a named file is unusable
     */
    public Credentials resolve(String user, Path file) throws IOException {
        String wanted = user != null && !user.isEmpty() ? user : nonEmpty(env.get(ENV_USER));
        String envPassword = env.get(ENV_PASSWORD);
        if (envPassword != null && !envPassword.isEmpty()) {
            if (wanted == null) {
                throw new IOException(ENV_PASSWORD + " is set but no user is: set " + ENV_USER + " too");
            }
            return new Credentials(wanted, envPassword.toCharArray(), "environment");
        }
        Path named = file != null ? file : pathOrNull(env.get(ENV_CREDENTIALS));
        if (named != null) {
            Credentials c = CredentialsFile.read(named);
            if (wanted != null && !wanted.equals(c.user())) {
                c.close();
                throw new IOException("credentials file " + named + " is for user " + c.user() + ", not " + wanted);
            }
            return c;
        }
        if (defaultFile != null && Files.exists(defaultFile)) {
            Credentials c = CredentialsFile.read(defaultFile);
            if (wanted == null || wanted.equals(c.user())) {
                return c;
            }
            c.close();
        }
        if (prompter != null) {
            String name = wanted != null ? wanted : prompter.readLine("Ferry user: ").strip();
            if (name.isEmpty()) {
                throw new IOException("no user name given");
            }
            char[] password = prompter.readPassword("Password for " + name + ": ");
            return new Credentials(name, password, "prompt");
        }
        throw new IOException("no credentials: set " + ENV_USER + " and " + ENV_PASSWORD + ", or write a credentials file ("
                + (defaultFile != null ? defaultFile : "see " + ENV_CREDENTIALS) + ", chmod 600, with user= and password=),"
                + " or run in a terminal to be asked");
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Path pathOrNull(String s) {
        return s == null || s.isEmpty() ? null : Path.of(s);
    }
}

package ferry.client;

import java.util.Arrays;

/**
 * A user name and password for logging in, and where they came from (for messages: "environment",
 * "file /home/me/.config/ferry/credentials", "prompt"). {@link #close()} zeroes the password.
 *
 * <p>Thread safety: one thread at a time.
 */
public final class Credentials implements AutoCloseable {
    private final String user;
    private final char[] password;
    private final String source;

    /** Takes ownership of {@code password} (zeroed by {@link #close()}). */
    public Credentials(String user, char[] password, String source) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("user name is empty");
        }
        this.user = user;
        this.password = password;
        this.source = source;
    }

    public String user() {
        return user;
    }

    /** The password itself, not a copy. */
    public char[] password() {
        return password;
    }

    public String source() {
        return source;
    }

    @Override
    public void close() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "Credentials[" + user + " from " + source + "]"; // never the password
    }
}

package ferry.client;

import java.io.IOException;
import java.util.Locale;

/**
 * A transfer lost its connection and every reconnection its {@link RetryPolicy} allowed failed
 * too (or lost the connection again without moving a byte). The cause is the last failure.
 */
public class RetriesExhaustedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int attempts;

    public RetriesExhaustedException(int attempts, IOException last) {
        super("gave up after " + attempts + (attempts == 1 ? " attempt" : " attempts") + " to reconnect: "
                + describe(last), last);
        this.attempts = attempts;
    }

    /** Reconnections tried since the transfer last made progress. */
    public int attempts() {
        return attempts;
    }

    private static String describe(IOException e) {
        String m = e instanceof RemoteException r ? r.serverMessage() + " (" + r.code() + ")" : e.getMessage();
        if (m == null || m.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))
                ? m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1) : m;
    }
}

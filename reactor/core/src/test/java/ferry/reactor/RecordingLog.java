package ferry.reactor;

import java.util.List;

/**
 * A server log that tests read: every line at or above a level goes into a list the test holds
 * (make it synchronized: loops and workers log). Nothing is written anywhere else.
 */
public final class RecordingLog {
    private RecordingLog() {}

    /** Lines as {@code "LEVEL message"}. */
    public static ServerLog lines(List<String> into, ServerLog.Level level) {
        return new ServerLog(null, level) {
            @Override
            protected void emit(Level l, String message, Throwable error) {
                into.add(l + " " + message);
            }
        };
    }

    /** Lines as the message alone. */
    public static ServerLog messages(List<String> into, ServerLog.Level level) {
        return new ServerLog(null, level) {
            @Override
            protected void emit(Level l, String message, Throwable error) {
                into.add(message);
            }
        };
    }
}

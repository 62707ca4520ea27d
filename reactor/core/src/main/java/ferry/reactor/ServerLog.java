package ferry.reactor;

import java.io.PrintStream;

/**
 * The server's log: one line per event in a stable format,
 * {@code 2026-11-25T07:51:40.123Z INFO  message}, written by a background thread so an event loop
 * never blocks on a slow stderr. A line is queued as its parts in a preallocated ring
 * ({@link LogRing}) and formatted by the writer, so logging costs the calling thread no
 * allocation and no wake-up of another thread per line. When the ring is full, lines are dropped
 * and counted rather than blocking the loop; the count is reported in the next line written.
 *
 * <p>Subclasses that capture lines override {@link #emit}; a log without a stream
 * ({@code out == null}) hands every line, connection events included, to {@link #emit} as text.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
public class ServerLog {
    public enum Level { ERROR, WARN, INFO, DEBUG }

    /** Lines waiting for the writer thread before new ones are dropped. */
    public static final int DEFAULT_QUEUE_LINES = 16 * 1024;

    /** A log that discards everything. */
    public static final ServerLog NONE = new ServerLog(null, Level.ERROR) {
        @Override
        protected void emit(Level level, String message, Throwable error) {}
    };

    private final Level level;
    private final LogRing ring; // null: no stream, lines go to emit

    public ServerLog(PrintStream out, Level level) {
        this.level = level;
        this.ring = out == null ? null : new LogRing(out, DEFAULT_QUEUE_LINES);
    }

    public boolean enabled(Level l) {
        return l.ordinal() <= level.ordinal();
    }

    public void error(String message, Throwable error) {
        log(Level.ERROR, message, error);
    }

    public void warn(String message) {
        log(Level.WARN, message, null);
    }

    public void warn(String message, Throwable error) {
        log(Level.WARN, message, error);
    }

    public void info(String message) {
        log(Level.INFO, message, null);
    }

    public void debug(String message) {
        log(Level.DEBUG, message, null);
    }

    public void log(Level l, String message, Throwable error) {
        if (enabled(l)) {
            emit(l, message, error);
        }
    }

    /**
     * A connection's event at {@code l}: the line {@code c<id> <remote> <what><detail>}
     * ({@code detail} may be null), e.g. {@code c42 127.0.0.1:5555 open}. The parts are queued
     * as they are and joined on the writer thread: nothing is built here.
     */
    public void connection(Level l, long id, String remote, String what, String detail) {
        if (!enabled(l)) {
            return;
        }
        if (ring == null) {
            emit(l, "c" + id + " " + remote + " " + what + (detail == null ? "" : detail), null);
        } else {
            ring.offer(l, id, remote, what, detail, null, false);
        }
    }

    /** Queues a line for the writer thread; overridden by logs that capture lines. */
    protected void emit(Level l, String message, Throwable error) {
        if (ring != null) {
            ring.offer(l, 0, null, message, null, error, error != null && (l == Level.ERROR || enabled(Level.DEBUG)));
        }
    }

    /** Writes out what is queued (bounded wait); for shutdown. */
    public void drain(long timeoutMillis) {
        if (ring != null) {
            ring.drain(timeoutMillis);
        }
    }
}

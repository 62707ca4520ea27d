package ferry.reactor;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's log: one line per event in a stable format,
 * {@code 2026-11-25T07:51:40.123Z INFO  message}, written by a background thread so an event loop
 * never blocks on a slow stderr. When the queue is full, lines are dropped and counted rather than
 * blocking the loop; the count is reported in the next line that gets through.
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

    private final PrintStream out;
    private final Level level;
    private final BlockingQueue<String> queue;
    private final LongAdder dropped = new LongAdder();
    private Thread writer;

    public ServerLog(PrintStream out, Level level) {
        this.out = out;
        this.level = level;
        this.queue = out == null ? null : new ArrayBlockingQueue<>(DEFAULT_QUEUE_LINES);
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

    protected void emit(Level l, String message, Throwable error) {
        StringBuilder sb = new StringBuilder(64 + message.length());
        sb.append(Instant.now()).append(' ').append(l.name());
        for (int i = l.name().length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(message);
        if (error != null && (l == Level.ERROR || enabled(Level.DEBUG))) {
            StringWriter sw = new StringWriter();
            error.printStackTrace(new PrintWriter(sw));
            sb.append('\n').append(sw.toString().stripTrailing());
        }
        long lost = dropped.sumThenReset();
        if (lost > 0) {
            sb.append(" (").append(lost).append(" earlier log lines dropped: log queue full)");
        }
        if (!queue.offer(sb.toString())) {
            dropped.add(1 + lost);
            return;
        }
        startWriterIfNeeded();
    }

    private synchronized void startWriterIfNeeded() {
        if (writer != null) {
            return;
        }
        writer = new Thread(() -> {
            try {
                while (true) {
                    String line = queue.take();
                    out.println(line);
                    if (queue.isEmpty()) {
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ferry-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Writes out what is queued (bounded wait); for shutdown. */
    public void drain(long timeoutMillis) {
        if (queue == null) {
            return;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        out.flush();
    }
}

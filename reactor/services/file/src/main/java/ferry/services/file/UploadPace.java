package ferry.services.file;

import ferry.reactor.Clock;
import java.util.concurrent.TimeUnit;

/**
 * How well an upload's client keeps up, on the server's monotonic clock, counting only the time
 * in which the server was reading the upload. While the upload itself holds reading paused (its
 * temp is being opened, or its buffers wait for a slow disk) the client cannot send, so that time
 * counts neither towards a stall nor against the minimum rate.
 *
 * <p>Two questions are answered from it:
 * <ul>
 *   <li>{@link #stalledNanos()}: how long the upload has received nothing while being read; a
 *       running upload stalled long enough may be taken over by its own user ({@link UploadRegistry}).
 *   <li>{@link #tooSlow(long)}: whether the last window of reading time brought fewer bytes than
 *       the minimum rate asks. Windows are consecutive, each at least the configured length of
 *       reading time; the rate is judged over the window's actual reading time (a check may come
 *       a little after the window's end).
 * </ul>
 *
 * <p>Threading contract: every method on the upload's loop thread except {@link #stalledNanos()},
 * which any thread may call (it reads two volatile fields; a reading torn between them errs by
 * one pause at most, and only delays or advances a takeover by that much).
 */
final class UploadPace {
    /** A check is never scheduled sooner than this part of a window: no busy timer while reading is paused. */
    private static final int MIN_CHECKS_PER_WINDOW_DIVISOR = 16;

    private final Clock clock;
    private final long minBytesPerSecond;
    private final long windowNanos;

    private volatile long lastProgressNanos; // a byte arrived, or reading resumed
    private volatile boolean paused;
    private long pausedAtNanos;
    private long windowStartNanos;
    private long windowPausedNanos; // paused time inside the current window, ended pauses only
    private long windowStartBytes;
    private long received;
    private long lastWindowBytes;
    private long lastWindowReadingNanos;

    /**
     * @param minBytesPerSecond the slowest rate allowed; 0: no minimum ({@link #tooSlow} is always false)
     * @param windowMillis      reading time the rate is averaged over
     */
    UploadPace(Clock clock, long minBytesPerSecond, long windowMillis) {
        this.clock = clock;
        this.minBytesPerSecond = minBytesPerSecond;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        long now = clock.nanoTime();
        lastProgressNanos = now;
        windowStartNanos = now;
    }

    /** Whether a minimum rate is enforced (otherwise no checks need scheduling). */
    boolean enforced() {
        return minBytesPerSecond > 0;
    }

    /** The server stopped reading the upload. */
    void paused() {
        if (!paused) {
            pausedAtNanos = clock.nanoTime();
            paused = true;
        }
    }

    /** The server reads the upload again: a stall counts from now, not from the last byte. */
    void resumed() {
        if (paused) {
            long now = clock.nanoTime();
            windowPausedNanos += now - pausedAtNanos;
            lastProgressNanos = now;
            paused = false;
        }
    }

    /** Body bytes received so far, in total. */
    void received(long totalBytes) {
        received = totalBytes;
        lastProgressNanos = clock.nanoTime();
    }

    /** How long the upload has received nothing while the server was reading it; 0 while it is paused. Any thread. */
    long stalledNanos() {
        if (paused) {
            return 0;
        }
        return Math.max(0, clock.nanoTime() - lastProgressNanos);
    }

    private long readingNanos(long now) {
        return now - windowStartNanos - windowPausedNanos - (paused ? now - pausedAtNanos : 0);
    }

    /**
     * Judges the current window if it holds a full window of reading time: true if it brought
     * fewer bytes than the minimum rate over that time. A window that passes starts the next one.
     */
    boolean tooSlow(long now) {
        long reading = readingNanos(now);
        if (!enforced() || reading < windowNanos) {
            return false;
        }
        long bytes = received - windowStartBytes;
        lastWindowBytes = bytes;
        lastWindowReadingNanos = reading;
        // In floating point: min x nanos can pass 2^63 for a long window at a high minimum.
        boolean slow = bytes < minBytesPerSecond * (reading / (double) TimeUnit.SECONDS.toNanos(1));
        windowStartNanos = now;
        windowPausedNanos = 0;
        if (paused) {
            pausedAtNanos = now; // the rest of this pause belongs to the next window
        }
        windowStartBytes = received;
        return slow;
    }

    /** When to check next: the reading time left in this window, but not sooner than a sixteenth of one. */
    long nextCheckDelayNanos(long now) {
        return Math.max(windowNanos / MIN_CHECKS_PER_WINDOW_DIVISOR, windowNanos - readingNanos(now));
    }

    /** Bytes the last judged window brought (for the message). */
    long lastWindowBytes() {
        return lastWindowBytes;
    }

    /** Reading time of the last judged window, in milliseconds (for the message). */
    long lastWindowReadingMillis() {
        return TimeUnit.NANOSECONDS.toMillis(lastWindowReadingNanos);
    }
}

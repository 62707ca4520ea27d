package ferry.reactor;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one clock tests move by hand: the monotonic {@link #nanoTime()} that timeouts and timers
 * read, and a {@link #wall()} view for code that judges ages by wall time (temp sweeping, quota
 * rescans). Both move together and only when the test calls {@link #advance}.
 *
 * <p>The monotonic time starts far from zero, as {@link System#nanoTime()} may. The wall view
 * starts at the real time of construction, because what it is compared with (file modification
 * times) is real.
 *
 * <p>Thread safety: any thread; the server's loops and workers read it on their own threads.
 */
public final class FakeClock implements Clock {
    /** Negative on purpose: code must not take zero, or positive values, to mean "never". */
    private static final long START_NANOS = -5_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(START_NANOS);
    private final Instant wallStart = Instant.now();
    private final java.time.Clock wall = new Wall();

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves both times forward by {@code d}. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + d);
        }
        nanos.addAndGet(d.toNanos());
    }

    /** Moves both times forward by {@code millis} milliseconds. */
    public void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    /** How far the clock has been moved since it was made. */
    public Duration elapsed() {
        return Duration.ofNanos(nanos.get() - START_NANOS);
    }

    /** This clock as wall time, in UTC, for configs that take a {@link java.time.Clock}. */
    public java.time.Clock wall() {
        return wall;
    }

    /** The wall view: construction time plus what the test has advanced. */
    private final class Wall extends java.time.Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return wallStart.plus(elapsed());
        }
    }
}

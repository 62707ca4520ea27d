package ferry.services.file;

import ferry.reactor.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's monotonic clock, moved only by the test. Starts far from zero, as nanoTime may.
 * The loops read it on their own threads: an atomic.
 */
final class FakeNanoClock implements Clock {
    private final AtomicLong nanos = new AtomicLong(-7_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}

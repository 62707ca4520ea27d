package ferry.services.auth;

import ferry.reactor.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. Starts far from zero, as nanoTime may. */
final class FakeClock implements Clock {
    private final AtomicLong nanos = new AtomicLong(-5_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}

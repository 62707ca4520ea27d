package ferry.services.file;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for an event in another thread by polling its effect (not timing anything). */
final class Eventually {
    /**
     * Only a real failure gets this far: 20 s was hit on a 2-core machine at load 25 while 50
     * clients of FileLeakTest queued on the workers, so the limit is far above any load.
     */
    static final long LIMIT_SECONDS = 180;

    private Eventually() {}

    static void until(BooleanSupplier cond) throws InterruptedException {
        until(cond, "condition");
    }

    static void until(BooleanSupplier cond, String what) throws InterruptedException {
        until(cond, () -> what);
    }

    /** As {@link #until(BooleanSupplier, String)}, describing the state at the time of failure. */
    static void until(BooleanSupplier cond, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what.get() + " not met within " + LIMIT_SECONDS + " s");
            }
            Thread.sleep(2); // polling for another thread's event, not a timing assumption
        }
    }
}

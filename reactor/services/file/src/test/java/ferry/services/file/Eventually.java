package ferry.services.file;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for an event in another thread by polling its effect (not timing anything). */
final class Eventually {
    /** Long enough for a loaded 2-core machine; only a real failure gets this far. */
    static final long LIMIT_SECONDS = 20;

    private Eventually() {}

    static void until(BooleanSupplier cond) throws InterruptedException {
        until(cond, "condition");
    }

    static void until(BooleanSupplier cond, String what) throws InterruptedException {
        until(cond, () -> what);
    }

    /** As {@link #until(BooleanSupplier, String)}, describing the state at the time of failure. */
    static void until(BooleanSupplier cond, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what.get() + " not met within " + LIMIT_SECONDS + " s");
            }
            Thread.sleep(2); // polling for another thread's event, not a timing assumption
        }
    }
}

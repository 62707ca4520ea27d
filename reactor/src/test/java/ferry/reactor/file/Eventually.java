package ferry.reactor.file;

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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not met within " + LIMIT_SECONDS + " s");
            }
            Thread.sleep(2); // polling for another thread's event, not a timing assumption
        }
    }
}

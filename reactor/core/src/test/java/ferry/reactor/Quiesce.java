package ferry.reactor;

import java.util.concurrent.TimeUnit;

/**
 * Waits until a real server has nothing in hand: no worker job running or queued on any lane, and
 * every task already posted to its loops run. Fake-clock tests call it before moving the clock, so
 * that a worker's completion (which may stamp the loop's clock) cannot land after the move.
 */
public final class Quiesce {
    /** Only a hang gets this far; the load of a shared 2-core machine does not. */
    private static final long LIMIT_SECONDS = 180;

    private Quiesce() {}

    public static void server(FerryServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        do {
            while (busy(server)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the server's workers stayed busy for " + LIMIT_SECONDS + " s");
                }
                Thread.sleep(1); // polling another thread's state, not timing anything
            }
            server.sweepAllNow(); // queued behind every completion already posted to the loops
        } while (busy(server)); // a completion may have handed the next job to a worker
    }

    private static boolean busy(FerryServer server) {
        for (WorkerLane lane : WorkerLane.values()) {
            Workers w = server.workers(lane);
            if (w.activeCount() > 0 || w.queued() > 0) {
                return true;
            }
        }
        return false;
    }
}

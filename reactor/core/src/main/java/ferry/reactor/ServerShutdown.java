package ferry.reactor;

import java.util.ArrayList;
import java.util.List;

/**
 * The graceful stop of a running server, in order: stop the service timers, stop accepting and
 * tell every connection the server is draining, wait for the connections to drain until the grace
 * deadline, close what is left, run the stop hooks, then stop the workers and the loops.
 *
 * <p>Threading: {@link #onStop} from any thread; {@link #run} from the one thread that stops the
 * server, never a loop thread unless it is the host thread of a hosted loop (it then drives the
 * loop while it waits instead of sleeping).
 */
final class ServerShutdown {
    /** How often {@link #run} looks whether the connections have drained. */
    private static final long STOP_POLL_MILLIS = 5;
    /** How long {@link #run} waits for each loop thread to finish. */
    private static final long LOOP_STOP_SECONDS = 5;

    private final ServerLog log;
    private final ServerStats stats;
    private final List<Runnable> stopHooks = new ArrayList<>(); // guarded by this

    ServerShutdown(ServerLog log, ServerStats stats) {
        this.log = log;
        this.stats = stats;
    }

    synchronized void onStop(Runnable hook) {
        stopHooks.add(hook);
    }

    /**
     * Runs the stop sequence described above; blocks until done.
     *
     * @param acceptor the listener to close, or null when the server does not listen
     * @param interrupted told when the stopping thread is interrupted while it waits
     */
    void run(long graceNanos, ServiceTimers timers, LoopGroup group, Acceptor acceptor, WorkerPools pools,
            Runnable interrupted) {
        timers.stop();
        long deadline = System.nanoTime() + graceNanos;
        group.runOnAll(i -> {
            if (i == 0 && acceptor != null) {
                acceptor.close();
            }
            for (Connection c : group.snapshot(i)) {
                c.shutdownGracefully();
            }
        });
        while (stats.connectionsOpen.get() > 0 && System.nanoTime() < deadline) {
            waitForLoops(group.first(), interrupted);
        }
        group.runOnAll(i -> {
            for (Connection c : group.snapshot(i)) {
                c.close("server stopped");
            }
        });
        runStopHooks();
        try {
            pools.shutdown(deadline);
            group.shutdown(LOOP_STOP_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A short wait while connections drain: a pass of the loop when we are its host, else a sleep. */
    private static void waitForLoops(EventLoop first, Runnable interrupted) {
        if (first.inLoop()) {
            first.runOnce(STOP_POLL_MILLIS);
            return;
        }
        try {
            Thread.sleep(STOP_POLL_MILLIS); // stop() is a caller's blocking call, not loop code
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted.run();
        }
    }

    private void runStopHooks() {
        List<Runnable> hooks;
        synchronized (this) {
            hooks = new ArrayList<>(stopHooks);
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                log.warn("stop hook failed: " + e, e);
            }
        }
    }
}

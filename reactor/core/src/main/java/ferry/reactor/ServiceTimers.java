package ferry.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Delayed work for services ({@link ServerContext#schedule}): an event loop's timers decide when,
 * by the loop's clock, and a worker lane does the work through {@link Workers#trySubmit}. No
 * thread of its own, and a fake clock drives it in tests.
 *
 * <p>Before {@link #attach} (the server is not started yet) tasks wait, and their delay counts
 * from the attach. A task due while its lane's queue is full waits another delay and tries again,
 * so a periodic task skips a turn instead of piling up. After {@link #stop()} nothing new starts.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
final class ServiceTimers {
    private final Function<WorkerLane, Workers> lanes;
    private final ServerLog log;
    private final List<ScheduledTask> waiting = new ArrayList<>(); // guarded by this; until attached
    private EventLoop loop; // guarded by this
    private volatile boolean stopped;

    ServiceTimers(Function<WorkerLane, Workers> lanes, ServerLog log) {
        this.lanes = lanes;
        this.log = log;
    }

    ScheduledTask schedule(long delayNanos, WorkerLane lane, Runnable task) {
        ScheduledTask t = new ScheduledTask(delayNanos, lane, task);
        EventLoop l;
        synchronized (this) {
            if (loop == null) {
                waiting.add(t);
                return t;
            }
            l = loop;
        }
        arm(l, t);
        return t;
    }

    /** From now on {@code timerLoop}'s timers time the tasks; the waiting ones start their delay now. */
    void attach(EventLoop timerLoop) {
        List<ScheduledTask> ready;
        synchronized (this) {
            if (loop != null) {
                throw new IllegalStateException("already attached to " + loop);
            }
            loop = timerLoop;
            ready = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (ScheduledTask t : ready) {
            arm(timerLoop, t);
        }
    }

    /** No task starts after this (the server is stopping); running ones finish. */
    void stop() {
        stopped = true;
    }

    private void arm(EventLoop l, ScheduledTask t) {
        if (!stopped && !t.isCancelled()) {
            l.schedule(t.delayNanos, () -> fire(l, t));
        }
    }

    /** Loop thread: the delay is over; hand the task to its lane. */
    private void fire(EventLoop l, ScheduledTask t) {
        if (stopped || t.isCancelled()) {
            return;
        }
        boolean taken = lanes.apply(t.lane).trySubmit(l, () -> {
            if (!stopped && !t.isCancelled()) {
                t.task.run();
            }
            return null;
        }, (none, error) -> {
            if (error != null) {
                log.warn("scheduled task failed: " + error, error);
            }
        });
        if (!taken) {
            arm(l, t); // the lane is full: skip a turn rather than queue without bound
        }
    }
}

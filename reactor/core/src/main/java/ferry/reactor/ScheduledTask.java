package ferry.reactor;

/**
 * A task {@link ServerContext#schedule} runs once on a worker after a delay.
 *
 * <p>Thread safety: {@link #cancel()} and {@link #isCancelled()} are safe from any thread.
 */
public final class ScheduledTask {
    final long delayNanos;
    final WorkerLane lane;
    final Runnable task;
    private volatile boolean cancelled;

    ScheduledTask(long delayNanos, WorkerLane lane, Runnable task) {
        if (delayNanos < 0 || lane == null || task == null) {
            throw new IllegalArgumentException("delayNanos=" + delayNanos + " lane=" + lane + " task=" + task);
        }
        this.delayNanos = delayNanos;
        this.lane = lane;
        this.task = task;
    }

    /**
     * The task will not start (one already running on a worker finishes). The loop's timer entry
     * stays queued until it is due, holding only this handle. Idempotent.
     */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}

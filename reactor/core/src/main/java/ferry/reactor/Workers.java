package ferry.reactor;

import ferry.protocol.ErrorCode;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of threads for the work an event loop must never do: opening files, listing
 * folders, fsync, hashing, running commands.
 *
 * <p>Bounded twice: a fixed number of threads and a fixed queue. When both are full a request
 * fails at once with {@code ERROR busy} instead of queueing without bound.
 *
 * <p>The one door back to the loop is {@link #trySubmit}: the job runs on a worker, and its
 * result or exception is posted to the owning loop, where the completion runs. Nothing else in
 * the server hands a worker's result to a loop by hand; {@link #submit} is the same door for a
 * call, answering {@code busy} itself.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
public final class Workers {
    /**
     * Receives a worker's result on the event loop thread.
     *
     * <p>If the loop stopped before the result reached it, {@link #complete} never runs (nothing
     * runs on a dead loop) and {@link #abandoned} gets the result instead, on the worker (or on
     * the loop's thread as it exits), so whatever the job opened is not leaked.
     */
    @FunctionalInterface
    public interface Completion<T> {
        /** Exactly one of {@code result} (possibly null) and {@code error} is meaningful. Loop thread. */
        void complete(T result, Throwable error);

        /**
         * The loop stopped before {@link #complete} could run. The default closes a result that is
         * {@link AutoCloseable} (an open file); any thread, never the loop's while it runs.
         */
        default void abandoned(T result) {
            if (result instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the server is stopping; the close was all that was left to do
                }
            }
        }
    }

    private final String name;
    private final int queueCapacity;
    private final ThreadPoolExecutor pool;

    public Workers(String name, int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads=" + threads + " queueCapacity=" + queueCapacity);
        }
        this.name = name;
        this.queueCapacity = queueCapacity;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * The door from workers back to a loop: runs {@code job} on a worker, then posts its result,
     * or the exception it threw, to {@code loop}, where {@code completion} runs. If the loop has
     * stopped by then, {@link Completion#abandoned} gets the result instead (see there).
     *
     * <p>A full pool (or one that is shutting down) is reported, not thrown: this returns false,
     * nothing runs, and the caller answers as it answers a busy server (usually {@code busy}).
     *
     * <p>Any thread may call it; the job may run before this returns.
     *
     * @return false if the pool refused the job
     */
    public <T> boolean trySubmit(EventLoop loop, Callable<T> job, Completion<? super T> completion) {
        try {
            pool.execute(new Handoff<>(loop, job, completion)::work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * The second half of the door, for a result a worker already holds: posts it to {@code loop},
     * where {@code completion} runs (or, if the loop has stopped, {@link Completion#abandoned}).
     * For one computation that several loops wait for (a digest); any thread.
     */
    public static <T> void post(EventLoop loop, T result, Throwable error, Completion<? super T> completion) {
        new Handoff<>(loop, result, error, completion).deliver();
    }

    /**
     * {@link #trySubmit} to {@code call}'s loop, answering {@code busy} for the caller when the pool
     * is full. {@code done} runs also when the call was cancelled meanwhile, so it can release
     * what the work produced.
     *
     * @return false if the work was refused (the call has already failed)
     */
    public <T> boolean submit(Call call, Callable<T> work, Completion<T> done) {
        if (trySubmit(call.loop(), work, done)) {
            return true;
        }
        call.fail(ErrorCode.BUSY, busyMessage());
        return false;
    }

    /**
     * Runs {@code task} on a worker, for code below the core that takes a plain
     * {@link java.util.concurrent.Executor} and posts its own result back (the TLS engine's
     * delegated handshake tasks, in ferry-protocol). Everything in the core and the services uses
     * {@link #trySubmit}.
     *
     * @throws RejectedExecutionException when the pool and its queue are full
     */
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** What a request refused by this pool is told (with {@code busy}). */
    public String busyMessage() {
        return "server busy: " + name + " pool and its queue of " + queueCapacity + " are full";
    }

    public int activeCount() {
        return pool.getActiveCount();
    }

    public int queued() {
        return pool.getQueue().size();
    }

    public int threads() {
        return pool.getMaximumPoolSize();
    }

    /** Stops taking work and waits up to {@code timeoutNanos} for running work, then interrupts it. */
    public void shutdown(long timeoutNanos) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.SECONDS);
        }
    }
}

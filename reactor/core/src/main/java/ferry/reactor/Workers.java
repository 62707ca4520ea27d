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
 * folders, fsync, hashing, running commands. Results come back to the call's loop.
 *
 * <p>Bounded twice: a fixed number of threads and a fixed queue. When both are full a request
 * fails at once with {@code ERROR busy} instead of queueing without bound.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
public final class Workers {
    /** Receives a worker's result on the event loop thread. */
    @FunctionalInterface
    public interface Completion<T> {
        /** Exactly one of {@code result} (possibly null) and {@code error} is meaningful. */
        void complete(T result, Throwable error);
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
     * Runs {@code work} on a worker and hands its result or exception to {@code done} on
     * {@code call}'s loop (also when the call was cancelled meanwhile, so {@code done} can release
     * what the work produced). When the pool is full, fails the call with {@code busy}.
     *
     * @return false if the work was refused (the call has already failed)
     */
    public <T> boolean submit(Call call, Callable<T> work, Completion<T> done) {
        EventLoop loop = call.loop();
        try {
            pool.execute(() -> {
                T result = null;
                Throwable error = null;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    error = t;
                }
                T r = result;
                Throwable e = error;
                loop.execute(() -> done.complete(r, e));
            });
            return true;
        } catch (RejectedExecutionException e) {
            call.fail(ErrorCode.BUSY, "server busy: " + name + " pool and its queue of " + queueCapacity + " are full");
            return false;
        }
    }

    /**
     * Runs {@code task} on a worker, as an {@link java.util.concurrent.Executor}.
     *
     * @throws RejectedExecutionException when the pool and its queue are full
     */
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Runs {@code task} on a worker; false if the pool is full. */
    public boolean tryExecute(Runnable task) {
        try {
            pool.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
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

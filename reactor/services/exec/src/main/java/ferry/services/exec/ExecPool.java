package ferry.services.exec;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exec service's own threads, apart from the server's shared workers so that long commands
 * can never starve file operations (and the other way round).
 *
 * <p>Bounded by slots: {@link #tryAcquire()} takes one of {@code maxRunning} slots or fails at
 * once, which the service answers with {@code ERROR busy}; nothing queues. Each run then uses two
 * or three threads (stdout reader, which also starts the process; stderr reader; stdin writer
 * when there is a body), and the pool has exactly {@value #THREADS_PER_RUN} per slot, never more:
 * a run's threads end when it does (its pipes are closed, see {@link RunPipes}), and a run whose
 * threads cannot be ended keeps its slot. A task that finds every thread busy (a new run while
 * the last one's threads are still leaving) waits in the queue for a moment instead of adding a
 * thread. One extra thread, the killer, sends signals and checks that stopped processes are
 * gone, so a kill never waits behind a blocked reader.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
final class ExecPool {
    /** Idle threads linger this long for the next run before exiting. */
    static final long THREAD_KEEP_ALIVE_SECONDS = 30;
    /** Threads one run may use at once: stdout reader (which starts the process), stderr reader, stdin writer. */
    static final int THREADS_PER_RUN = 3;

    private final int slots;
    private final AtomicInteger running = new AtomicInteger();
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor killer;

    ExecPool(int slots) {
        this.slots = slots;
        AtomicInteger n = new AtomicInteger();
        int maxThreads = THREADS_PER_RUN * slots;
        this.threads = new ThreadPoolExecutor(maxThreads, maxThreads, THREAD_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ferry-exec-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.threads.allowCoreThreadTimeOut(true);
        this.killer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ferry-exec-killer");
            t.setDaemon(true);
            return t;
        });
        this.killer.setRemoveOnCancelPolicy(true);
    }

    /** Takes a slot; false at once when all are taken. */
    boolean tryAcquire() {
        while (true) {
            int r = running.get();
            if (r >= slots) {
                return false;
            }
            if (running.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void release() {
        running.decrementAndGet();
    }

    int slots() {
        return slots;
    }

    int running() {
        return running.get();
    }

    /** The most threads the pool ever had at once (at most {@value #THREADS_PER_RUN} per slot). */
    int largestThreadCount() {
        return threads.getLargestPoolSize();
    }

    /** Runs a run's blocking task (start, read a pipe, feed stdin). */
    void execute(Runnable task) {
        threads.execute(task);
    }

    /**
     * Runs a signal, death check or pipe close on the killer thread; nothing once the pool is
     * shut down (the server's stop hook has SIGKILLed every run by then).
     */
    void kill(Runnable task) {
        try {
            killer.execute(task);
        } catch (RejectedExecutionException e) {
            // server stopped
        }
    }

    /** Runs a death check on the killer thread after {@code delayMillis} (real time: it polls the OS). */
    void killLater(Runnable task, long delayMillis) {
        killer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    void shutdown() {
        killer.shutdownNow();
        threads.shutdownNow();
    }
}

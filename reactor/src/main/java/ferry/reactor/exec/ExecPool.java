package ferry.reactor.exec;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
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
 * when there is a body), so at most {@code 3 * maxRunning} threads are busy, plus readers left
 * behind on a pipe that a process outside the run's group still holds (logged when it happens).
 * One extra thread, the killer, sends signals and checks that stopped processes are gone, so a
 * kill never waits behind a blocked reader.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
final class ExecPool {
    /** Idle threads linger this long for the next run before exiting. */
    static final long THREAD_KEEP_ALIVE_SECONDS = 30;

    private final int slots;
    private final AtomicInteger running = new AtomicInteger();
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor killer;

    ExecPool(int slots) {
        this.slots = slots;
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, THREAD_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "ferry-exec-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
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

    /** Runs a run's blocking task (start, read a pipe, feed stdin). */
    void execute(Runnable task) {
        threads.execute(task);
    }

    /** Runs a signal or death check on the killer thread. */
    void kill(Runnable task) {
        killer.execute(task);
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

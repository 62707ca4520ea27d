package ferry.reactor;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;

/**
 * The tasks other threads post to an {@link EventLoop}: a lock-free queue the loop drains in
 * bounded batches, and, once the loop has stopped, empties by abandoning what holds something
 * ({@link EventLoop.Abandonable}).
 *
 * <p>Threading: {@link #add} and {@link #isEmpty} from any thread; {@link #runBatch} on the loop
 * thread only; {@link #abandonAll} from any thread once the loop has stopped (each task is polled
 * by exactly one thread, so each is run or abandoned once).
 */
final class LoopTasks {
    /** Fewest tasks a batch may run even when fewer were queued at its start. */
    private static final int MIN_BATCH = 1024;

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    void add(Runnable task) {
        tasks.add(task);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** Runs queued tasks, bounded so a task that re-queues itself cannot starve I/O. Returns how many ran. */
    int runBatch(BiConsumer<String, Throwable> onError) {
        int ran = 0;
        for (int i = 0, max = Math.max(MIN_BATCH, tasks.size()); i < max; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            ran++;
            try {
                r.run();
            } catch (Throwable t) {
                onError.accept("task", t);
            }
        }
        return ran;
    }

    /** Empties the queue of a stopped loop: abandonable tasks are abandoned, the others dropped. */
    void abandonAll(BiConsumer<String, Throwable> onError) {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            if (r instanceof EventLoop.Abandonable a) {
                try {
                    a.abandon();
                } catch (Throwable e) {
                    onError.accept("abandon", e);
                }
            }
        }
    }
}

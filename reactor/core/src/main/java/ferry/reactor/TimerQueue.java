package ferry.reactor;

import java.util.PriorityQueue;
import java.util.function.BiConsumer;

/**
 * An event loop's timers: due in deadline order, equal deadlines in scheduling order; cancelled
 * ones are skipped when they come up. Deadlines compare by difference, so they survive the clock
 * wrapping. Loop thread only.
 */
final class TimerQueue {
    private final PriorityQueue<EventLoop.Timer> timers = new PriorityQueue<>();
    private long seq;

    void add(EventLoop.Timer t) {
        t.seq = seq++;
        timers.add(t);
    }

    /** Nanoseconds from {@code nowNanos} to the next deadline (0 when due), or -1 when none is set. */
    long nanosToNext(long nowNanos) {
        EventLoop.Timer next = timers.peek();
        return next == null ? -1 : Math.max(0, next.deadlineNanos - nowNanos);
    }

    /**
     * Runs the timers due at {@code nowNanos}; a timer that throws is reported to {@code onError}
     * and the rest still run. Returns how many ran.
     */
    int runDue(long nowNanos, BiConsumer<String, Throwable> onError) {
        int ran = 0;
        EventLoop.Timer t;
        while ((t = timers.peek()) != null && t.deadlineNanos - nowNanos <= 0) {
            timers.poll();
            if (t.cancelled) {
                continue;
            }
            ran++;
            try {
                t.task.run();
            } catch (Throwable e) {
                onError.accept("timer", e);
            }
        }
        return ran;
    }
}

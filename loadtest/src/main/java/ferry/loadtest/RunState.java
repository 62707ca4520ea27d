package ferry.loadtest;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the coordinator and the I/O threads of one run share: the phase, the measured window and
 * a few counters. Written by the coordinator (phases) and the I/O threads (counters); every field
 * is safe to read from any thread.
 *
 * <pre>
 * Legal transitions (coordinator, except MEASURE-&gt;DRAIN which the request limit may also take):
 *   CONNECTING --all open or connect timeout--> WARMUP --warm-up over--> MEASURE
 *   MEASURE --duration over, or request limit reached--> DRAIN --in flight answered or drain over--> STOPPED
 *   any --hard deadline--> STOPPED
 * </pre>
 */
final class RunState {
    enum Phase { CONNECTING, WARMUP, MEASURE, DRAIN, STOPPED }

    private volatile Phase phase = Phase.CONNECTING;
    private volatile long measureStartNanos;
    private volatile long measureEndNanos;
    /** Set once scripts may send: connections that open later start at once. */
    volatile boolean started;

    final long requestLimit;
    final long timeoutNanos;
    final long connectTimeoutNanos;
    final long hardDeadlineNanos;
    final AtomicLong measured = new AtomicLong();
    final LongAdder inflight = new LongAdder();
    final LongAdder completed = new LongAdder();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    final AtomicInteger closedEarly = new AtomicInteger();

    RunState(long requestLimit, long timeoutNanos, long connectTimeoutNanos, long hardDeadlineNanos) {
        this.requestLimit = requestLimit;
        this.timeoutNanos = timeoutNanos;
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.hardDeadlineNanos = hardDeadlineNanos;
    }

    Phase phase() {
        return phase;
    }

    /** New requests may be issued (warm-up or measurement). */
    boolean issuing() {
        Phase p = phase;
        return p == Phase.WARMUP || p == Phase.MEASURE;
    }

    synchronized void warmUp() {
        if (phase == Phase.CONNECTING) {
            phase = Phase.WARMUP;
        }
    }

    synchronized void startMeasuring(long nowNanos) {
        if (phase == Phase.CONNECTING || phase == Phase.WARMUP) {
            measureStartNanos = nowNanos;
            phase = Phase.MEASURE;
        }
    }

    /** Ends the measured window (once); returns whether this call ended it. */
    synchronized boolean stopMeasuring(long nowNanos) {
        if (phase != Phase.MEASURE) {
            return false;
        }
        measureEndNanos = nowNanos;
        phase = Phase.DRAIN;
        return true;
    }

    synchronized void stop() {
        if (phase == Phase.MEASURE) {
            measureEndNanos = System.nanoTime();
        }
        phase = Phase.STOPPED;
    }

    /** Length of the measured window; 0 if it never started. */
    long measuredNanos() {
        long s = measureStartNanos;
        long e = measureEndNanos;
        return s == 0 || e == 0 ? 0 : e - s;
    }

    boolean pastDeadline(long nowNanos) {
        return nowNanos - hardDeadlineNanos >= 0;
    }
}

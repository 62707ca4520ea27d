package ferry.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The load client of one run: {@code threads} selector threads sharing {@code connections}
 * connections round robin. It opens them, starts their scripts when told, and stops; the
 * scenario and the coordinator ({@link Runner}) decide when.
 *
 * <p>Threading: methods are called by the coordinator thread; results are read after
 * {@link #stop}.
 */
final class LoadEngine {
    /** How long {@link #stop} waits for the I/O threads to close their connections. */
    static final long STOP_JOIN_MILLIS = 10_000;

    private final RunState state;
    private final List<IoThread> threads = new ArrayList<>();
    private boolean stopped;

    LoadEngine(InetSocketAddress address, Options o, Variant variant, Scenario scenario, RunState state) throws IOException {
        this.state = state;
        int n = Math.min(o.threads, o.connections);
        for (int i = 0; i < n; i++) {
            threads.add(new IoThread("loadtest-io-" + i, state, address, Math.max(1, o.connectConcurrency / n)));
        }
        for (int i = 0; i < o.connections; i++) {
            IoThread t = threads.get(i % n);
            t.add(new ClientConnection(i, t, scenario.newScript(o, i), variant));
        }
    }

    void start() {
        for (IoThread t : threads) {
            t.start();
        }
    }

    /** Lets every open connection's script start, and any connection that opens later. */
    void startScripts() {
        state.started = true;
        for (IoThread t : threads) {
            t.startScripts();
        }
    }

    /** Stops the threads (closing every connection) and waits for them. */
    void stop() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        state.stop();
        for (IoThread t : threads) {
            t.requestStop();
        }
        for (IoThread t : threads) {
            if (!t.join(STOP_JOIN_MILLIS)) {
                throw new IllegalStateException("I/O thread did not stop within " + STOP_JOIN_MILLIS + " ms");
            }
        }
    }

    Histogram histogram() {
        Histogram h = new Histogram();
        for (IoThread t : threads) {
            h.add(t.histogram());
        }
        return h;
    }

    Histogram histogram(OpKind kind) {
        Histogram h = new Histogram();
        for (IoThread t : threads) {
            h.add(t.histogram(kind));
        }
        return h;
    }

    ErrorCounts errors() {
        ErrorCounts e = new ErrorCounts();
        for (IoThread t : threads) {
            e.add(t.errors());
        }
        return e;
    }

    /** CPU time the I/O threads used so far, or -1 when the JVM cannot tell. */
    long cpuNanos() {
        List<Long> ids = new ArrayList<>();
        for (IoThread t : threads) {
            long id = t.threadId();
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ServerProbe.threadCpuNanos(ids);
    }

    long sum(ToLongFunction<IoThread> counter) {
        long n = 0;
        for (IoThread t : threads) {
            n += counter.applyAsLong(t);
        }
        return n;
    }
}

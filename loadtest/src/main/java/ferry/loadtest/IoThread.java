package ferry.loadtest;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread of the load client and the connections it owns. Connects them a bounded
 * number at a time, dispatches their readiness, sweeps their timeouts, and keeps its own
 * histogram, error counts and byte counters, read by the coordinator after {@link #join}.
 *
 * <p>Threading: the connections, buffers and counters belong to this thread. Other threads use
 * only {@link #execute}, {@link #startScripts} and {@link #requestStop}.
 */
final class IoThread implements Runnable {
    /** Shared read/write scratch per thread: the largest single read or coalesced write. */
    static final int SCRATCH_BYTES = 64 * 1024;
    /** Longest select: bounds how late a stop or a sweep happens. */
    static final long SELECT_MILLIS = 10;
    /** How often timeouts are checked. */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final byte[] PATTERN = "ferry-loadtest-payload/".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final RunState state;
    private final InetSocketAddress address;
    private final int maxConnecting;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<ClientConnection> conns = new ArrayList<>();
    private final ByteBuffer readScratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private final ByteBuffer writeScratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private final ByteBuffer payload = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private final FrameEncoder encoder = new FrameEncoder();
    private final Header pingHeader = Header.op(PingScript.PING);
    private final Header emptyPingHeader = Header.op(PingScript.PING);
    private final Histogram histogram = new Histogram();
    private final Histogram[] kindHistograms = new Histogram[OpKind.COUNT];
    private final ErrorCounts errors = new ErrorCounts();
    private volatile boolean stopRequested;
    private volatile Thread thread;
    private int nextToConnect;
    private int connecting;
    private long lastSweepNanos;

    // Counters, owned by this thread; read after join().
    long bytesOut;
    long bytesIn;
    long writes;
    long reads;
    long measuredBytesOut;
    long measuredBytesIn;
    long measuredWrites;
    long measuredReads;
    long measuredCompleted;
    long measuredPayloadBytes;
    final long[] measuredCompletedByKind = new long[OpKind.COUNT];
    final long[] measuredPayloadByKind = new long[OpKind.COUNT];
    long completedAll;

    IoThread(String name, RunState state, InetSocketAddress address, int maxConnecting) throws IOException {
        this.name = name;
        this.state = state;
        this.address = address;
        this.maxConnecting = Math.max(1, maxConnecting);
        this.selector = Selector.open();
        for (int i = 0; i < OpKind.COUNT; i++) {
            kindHistograms[i] = new Histogram();
        }
        for (int i = 0; i < payload.capacity(); i++) {
            payload.put(i, PATTERN[i % PATTERN.length]);
        }
    }

    /** Adds a connection to open once the thread runs. Before {@link #start}. */
    void add(ClientConnection c) {
        conns.add(c);
    }

    void start() {
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on this thread soon. Any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Starts the script of every open connection (each connection starts once). Any thread. */
    void startScripts() {
        execute(() -> {
            for (ClientConnection c : conns) {
                if (c.isOpen()) {
                    c.beginBatch();
                    try {
                        c.startScript();
                    } finally {
                        c.endBatch();
                    }
                }
            }
        });
    }

    /** The thread's id once started, else -1. */
    long threadId() {
        Thread t = thread;
        return t == null ? -1 : t.getId();
    }

    void requestStop() {
        stopRequested = true;
        selector.wakeup();
    }

    /** Waits for the thread to finish; returns false if it did not within {@code millis}. */
    boolean join(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            while (!stopRequested) {
                long now = System.nanoTime();
                if (state.pastDeadline(now)) {
                    break;
                }
                startConnects(now);
                selector.select(this::dispatch, SELECT_MILLIS);
                runTasks();
                now = System.nanoTime();
                if (now - lastSweepNanos >= SWEEP_NANOS) {
                    lastSweepNanos = now;
                    sweep(now);
                }
            }
        } catch (Throwable t) {
            errors.count("harness_error", t.toString());
        } finally {
            for (ClientConnection c : conns) {
                c.close();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
            done.countDown();
        }
    }

    private void startConnects(long now) {
        while (connecting < maxConnecting && nextToConnect < conns.size() && !stopRequested) {
            ClientConnection c = conns.get(nextToConnect++);
            connecting++;
            c.connect(address, now);
        }
    }

    private void dispatch(SelectionKey key) {
        ClientConnection c = (ClientConnection) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                c.onConnectable();
                return;
            }
            c.beginBatch();
            try {
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    c.onWritable();
                }
                if ((ready & SelectionKey.OP_READ) != 0 && !c.isClosed()) {
                    c.onReadable();
                }
            } finally {
                c.endBatch();
            }
        } catch (RuntimeException e) {
            // one connection's bug must not end the run for the others
            c.failConnection("harness_error", e.toString());
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    private void sweep(long now) {
        for (ClientConnection c : conns) {
            if (c.isClosed()) {
                continue;
            }
            if (c.isConnecting()) {
                if (c.connectStartNanos() != 0 && now - c.connectStartNanos() > state.connectTimeoutNanos) {
                    c.failConnection("connect_timeout", "not open after " + TimeUnit.NANOSECONDS.toMillis(state.connectTimeoutNanos) + " ms");
                }
            } else if (c.inflight() > 0 && now - c.oldestStartNanos() > state.timeoutNanos) {
                errors.count("timeout", c.inflight() - 1);
                c.failConnection("timeout", "no answer within " + TimeUnit.NANOSECONDS.toMillis(state.timeoutNanos) + " ms");
            }
        }
    }

    // ---- called by this thread's connections ---------------------------------------------------

    SelectionKey register(SocketChannel ch, int ops, ClientConnection c) throws ClosedChannelException {
        return ch.register(selector, ops, c);
    }

    RunState state() {
        return state;
    }

    ErrorCounts errors() {
        return errors;
    }

    FrameEncoder encoder() {
        return encoder;
    }

    Header pingHeader() {
        return pingHeader;
    }

    Header emptyPingHeader() {
        return emptyPingHeader;
    }

    ByteBuffer readScratch() {
        return readScratch;
    }

    ByteBuffer writeScratch() {
        return writeScratch;
    }

    int payloadCapacity() {
        return payload.capacity();
    }

    /** The shared payload pattern, {@code n} bytes ready to read; consume before the next call. */
    ByteBuffer payload(int n) {
        payload.clear().limit(n);
        return payload;
    }

    void connectFinished() {
        connecting--;
    }

    void opened(ClientConnection c) {
        state.opened.incrementAndGet();
        if (state.started) {
            c.startScript();
        }
    }

    void closedEarly(boolean whileConnecting) {
        if (whileConnecting) {
            state.connectFailures.incrementAndGet();
        } else {
            state.closedEarly.incrementAndGet();
        }
    }

    void wrote(int n) {
        writes++;
        bytesOut += n;
        if (state.phase() == RunState.Phase.MEASURE) {
            measuredWrites++;
            measuredBytesOut += n;
        }
    }

    void read(int n) {
        reads++;
        bytesIn += n;
        if (state.phase() == RunState.Phase.MEASURE) {
            measuredReads++;
            measuredBytesIn += n;
        }
    }

    void completed(long latencyNanos, OpKind kind, long payloadBytes) {
        completedAll++;
        state.completed.increment();
        if (state.phase() != RunState.Phase.MEASURE) {
            return;
        }
        if (state.requestLimit > 0) {
            long n = state.measured.incrementAndGet();
            if (n > state.requestLimit) {
                return;
            }
            if (n == state.requestLimit) {
                state.stopMeasuring(System.nanoTime());
            }
        }
        histogram.record(latencyNanos);
        measuredCompleted++;
        measuredPayloadBytes += payloadBytes;
        int k = kind.ordinal();
        kindHistograms[k].record(latencyNanos);
        measuredCompletedByKind[k]++;
        measuredPayloadByKind[k] += payloadBytes;
    }

    Histogram histogram() {
        return histogram;
    }

    /** Latencies of the measured requests of {@code kind}. */
    Histogram histogram(OpKind kind) {
        return kindHistograms[kind.ordinal()];
    }

    int connectionCount() {
        return conns.size();
    }
}

package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread that owns a {@link Selector} and everything registered with it.
 *
 * <p>Other threads reach the loop only through {@link #execute} (a lock-free queue plus
 * {@code selector.wakeup()}, in the manner of Jetty's ManagedSelector) and {@link #schedule}.
 * Nothing the loop owns is locked; each field says which thread owns it.
 *
 * <p>The loop never dies of one connection's fault: an exception escaping an attachment or a task
 * is counted ({@link #errors()}), the attachment is told ({@link Selectable#onLoopError}), and the
 * loop goes on, as Agrona's AgentRunner counts errors instead of dying.
 *
 * <p>Per-iteration order: select and dispatch ready keys, run queued tasks, run due timers, then
 * flush connections that produced output in this iteration (so pipelined responses coalesce into
 * one write).
 */
public final class EventLoop {
    /** Something registered with the loop's selector. Called on the loop thread only. */
    public interface Selectable {
        /** The key is ready for its interest ops. */
        void onSelected(SelectionKey key) throws IOException;

        /** An exception escaped {@link #onSelected}; the attachment should close itself. */
        void onLoopError(Throwable error);

        /** The selector was rebuilt and this is the attachment's new key. */
        void rekey(SelectionKey key);
    }

    /** Work to run after the current iteration's I/O, once (see {@link #flushLater}). */
    interface Flushable {
        void flushNow();
    }

    /** A timer handle; {@link #cancel()} is safe from any thread. */
    public static final class Timer implements Comparable<Timer> {
        final long deadlineNanos;
        final Runnable task;
        long seq; // set by the loop when queued: equal deadlines run in scheduling order
        volatile boolean cancelled;

        Timer(long deadlineNanos, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.task = task;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Consecutive early empty selects that count as the JDK/epoll spin bug; Netty uses 512. */
    static final int SELECTOR_SPIN_THRESHOLD = 512;
    /** Longest select when nothing is due: bounds how late a missed wakeup can be noticed. */
    static final long MAX_SELECT_MILLIS = 1000;
    /** Buffers in a gathering write. */
    static final int IOV_MAX_BUFFERS = 16;

    private final String name;
    private final Clock clock;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong selectorRebuilds = new AtomicLong();
    private final ErrorListener errorListener;

    // Owned by the loop thread:
    private Selector selector;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;
    private final ArrayList<Flushable> toFlush = new ArrayList<>();
    private final ByteBuffer readBuffer;
    private final ByteBuffer copyScratch;
    private final ByteBuffer[] iov = new ByteBuffer[IOV_MAX_BUFFERS];
    private final BufferPool pool;
    private final int maxPooledBuffers;
    private ferry.protocol.tls.TlsBufferPool tlsPool;
    private ferry.protocol.tls.TlsBufferPool tlsOutPool;
    private final ferry.protocol.FrameEncoder encoder;
    private final ferry.protocol.Header scratchHeader = new ferry.protocol.Header(); // loop thread: Call.replyHeader
    private final SelectorSpinGuard spinGuard = new SelectorSpinGuard(SELECTOR_SPIN_THRESHOLD);

    private volatile Thread thread;
    private volatile boolean running;
    private volatile long iterations; // written by the loop thread only, read by tests and stats

    /** Told about every error the loop survives (for logs). Called on the loop thread. */
    @FunctionalInterface
    public interface ErrorListener {
        void onError(String where, Throwable error);
    }

    /**
     * @param readBufferBytes size of the one read buffer the loop shares among its connections
     * @param poolBufferBytes size of pooled outbound buffers
     * @param maxPooledBuffers free outbound buffers kept for reuse
     * @param maxHeaderBytes largest header this loop's encoder will produce
     */
    public EventLoop(String name, Clock clock, int readBufferBytes, int poolBufferBytes, int maxPooledBuffers,
                     int maxHeaderBytes, ErrorListener errorListener) throws IOException {
        this.name = name;
        this.clock = clock;
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(readBufferBytes);
        this.copyScratch = ByteBuffer.allocateDirect(poolBufferBytes);
        this.pool = new BufferPool(poolBufferBytes, maxPooledBuffers);
        this.maxPooledBuffers = maxPooledBuffers;
        this.encoder = new ferry.protocol.FrameEncoder(maxHeaderBytes);
        this.errorListener = errorListener;
    }

    public String name() {
        return name;
    }

    public Clock clock() {
        return clock;
    }

    /** Starts the loop thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(false);
        thread = t;
        t.start();
    }

    /** True when called on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread soon. Safe from any thread; never blocks. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the loop after {@code delayNanos}. Safe from any thread. */
    public Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(clock.nanoTime() + Math.max(0, delayNanos), task);
        if (inLoop() || thread == null) { // before start() the creating thread owns the loop
            addTimer(t);
        } else {
            execute(() -> addTimer(t));
        }
        return t;
    }

    private void addTimer(Timer t) {
        t.seq = timerSeq++;
        timers.add(t);
    }

    /** Registers a channel with this loop's selector. Loop thread only. */
    public SelectionKey register(SelectableChannel ch, int ops, Selectable attachment) throws ClosedChannelException {
        assertInLoop();
        return ch.register(selector, ops, attachment);
    }

    /** Asks for {@code f.flushNow()} after this iteration's I/O. Loop thread only; once per iteration. */
    void flushLater(Flushable f) {
        toFlush.add(f);
    }

    // Loop-owned shared resources, handed to connections on this loop.
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    ByteBuffer copyScratch() {
        return copyScratch;
    }

    ByteBuffer[] iov() {
        return iov;
    }

    BufferPool pool() {
        return pool;
    }

    /** TLS output buffers of this loop's connections (four records each), created on first use. Loop thread. */
    ferry.protocol.tls.TlsBufferPool tlsOutPool() {
        if (tlsOutPool == null) {
            tlsOutPool = new ferry.protocol.tls.TlsBufferPool(ferry.protocol.tls.TlsEngine.BATCH_BUFFER_BYTES, maxPooledBuffers);
        }
        return tlsOutPool;
    }

    /** TLS record buffers of this loop's connections, created on first use. Loop thread. */
    ferry.protocol.tls.TlsBufferPool tlsPool() {
        if (tlsPool == null) {
            tlsPool = new ferry.protocol.tls.TlsBufferPool(ferry.protocol.tls.TlsEngine.RECORD_BUFFER_BYTES, maxPooledBuffers);
        }
        return tlsPool;
    }

    ferry.protocol.FrameEncoder encoder() {
        return encoder;
    }

    /** The loop's one reusable answer header, cleared (see {@link Call#replyHeader}). Loop thread. */
    ferry.protocol.Header scratchHeader() {
        return scratchHeader.clear();
    }

    /** Exceptions the loop caught and survived. */
    public long errors() {
        return errors.get();
    }

    /** Passes of the loop so far (see {@link FerryServer#loopIterations()}). Safe from any thread. */
    public long iterations() {
        return iterations;
    }

    /** Times the selector was replaced after spinning on empty selects. */
    public long selectorRebuilds() {
        return selectorRebuilds.get();
    }

    /** Number of channels registered now (approximate from other threads). */
    public int registeredCount() {
        return selector.keys().size();
    }

    void assertInLoop() {
        if (!inLoop() && thread != null) {
            throw new IllegalStateException("must be called on loop thread " + name + ", not " + Thread.currentThread().getName());
        }
    }

    /** Stops the loop after the current iteration and waits for its thread. */
    public void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        running = false;
        selector.wakeup();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.join(unit.toMillis(timeout));
        }
    }

    private void run() {
        try {
            while (running) {
                iterate();
            }
        } finally {
            closeSelector();
        }
    }

    /** One pass of the loop; package-private so tests can step a loop they drive themselves. */
    void iterate() {
        iterations++; // one writer: no lost updates; a volatile store per select is noise
        try {
            long timeoutMillis = selectTimeoutMillis();
            long before = System.nanoTime(); // real time: the spin guard measures the OS, not the app clock
            int n = timeoutMillis == 0
                    ? selector.selectNow(this::dispatch)
                    : selector.select(this::dispatch, timeoutMillis);
            wakeupPending.set(false);
            boolean hadTasks = runTasks();
            boolean hadTimers = runTimers(clock.nanoTime());
            runFlushes();
            if (spinGuard.afterSelect(n, hadTasks || hadTimers, timeoutMillis, System.nanoTime() - before, Thread.interrupted())) {
                rebuildSelector();
            }
        } catch (Throwable t) {
            countError("loop", t);
        }
    }

    private long selectTimeoutMillis() {
        if (!tasks.isEmpty()) {
            return 0;
        }
        Timer next = timers.peek();
        if (next == null) {
            return MAX_SELECT_MILLIS;
        }
        long waitNanos = next.deadlineNanos - clock.nanoTime();
        if (waitNanos <= 0) {
            return 0;
        }
        return Math.max(1, Math.min(MAX_SELECT_MILLIS, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
    }

    private void dispatch(SelectionKey key) {
        Object a = key.attachment();
        if (!(a instanceof Selectable)) {
            return;
        }
        Selectable s = (Selectable) a;
        try {
            if (key.isValid()) {
                s.onSelected(key);
            }
        } catch (Throwable t) {
            countError("selected " + s, t);
            try {
                s.onLoopError(t);
            } catch (Throwable t2) {
                countError("onLoopError " + s, t2);
            }
        }
    }

    private boolean runTasks() {
        boolean ran = false;
        // Bounded so a task that re-queues itself cannot starve I/O.
        for (int i = 0, max = Math.max(1024, tasks.size()); i < max; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                break;
            }
            ran = true;
            try {
                r.run();
            } catch (Throwable t) {
                countError("task", t);
            }
        }
        return ran;
    }

    /** Runs timers due at {@code nowNanos}. Package-private for fake-clock tests. */
    boolean runTimers(long nowNanos) {
        boolean ran = false;
        Timer t;
        while ((t = timers.peek()) != null && t.deadlineNanos - nowNanos <= 0) {
            timers.poll();
            if (t.cancelled) {
                continue;
            }
            ran = true;
            try {
                t.task.run();
            } catch (Throwable e) {
                countError("timer", e);
            }
        }
        return ran;
    }

    private void runFlushes() {
        for (int i = 0; i < toFlush.size(); i++) {
            try {
                toFlush.get(i).flushNow();
            } catch (Throwable t) {
                countError("flush", t);
            }
        }
        toFlush.clear();
    }

    /** Moves every registration to a fresh selector. Loop thread only. */
    void rebuildSelector() throws IOException {
        Selector old = selector;
        Selector fresh = Selector.open();
        for (SelectionKey k : old.keys()) {
            if (!k.isValid()) {
                continue;
            }
            Object a = k.attachment();
            int ops = k.interestOps();
            k.cancel();
            try {
                SelectionKey nk = k.channel().register(fresh, ops, a);
                if (a instanceof Selectable) {
                    ((Selectable) a).rekey(nk);
                }
            } catch (ClosedChannelException e) {
                // the channel closed meanwhile; nothing to move
            }
        }
        selector = fresh;
        old.close();
        selectorRebuilds.incrementAndGet();
        if (errorListener != null) {
            errorListener.onError("selector", new IOException("selector spun on empty selects; rebuilt it"));
        }
    }

    private void countError(String where, Throwable t) {
        errors.incrementAndGet();
        if (errorListener != null) {
            try {
                errorListener.onError(where, t);
            } catch (Throwable ignored) {
                // a failing listener must not kill the loop either
            }
        }
    }

    private void closeSelector() {
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException ignored) {
                // closing at exit; nothing else to do
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing at exit
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

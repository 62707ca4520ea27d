package ferry.reactor;

import ferry.protocol.BufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

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
 *
 * <p>The loop knows bytes and readiness, not frames: codec state lives with the server
 * ({@link LoopCodec}). It runs on a thread of its own ({@link #start()}) or is driven pass by pass
 * from a host thread ({@link LoopInvoker}).
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

    /**
     * A task that holds something (an open file a worker produced) to release if the loop stops
     * before running it: {@link #abandon()} runs instead of {@link #run()}, exactly once, on the
     * thread that noticed the stop (the exiting loop thread, or the poster of a late task).
     */
    public interface Abandonable extends Runnable {
        void abandon();
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
    private final LoopTasks tasks = new LoopTasks();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong selectorRebuilds = new AtomicLong();
    private final ErrorListener errorListener;
    private final BiConsumer<String, Throwable> onError = this::countError; // one instance, not one per pass

    // Owned by the loop thread:
    private Selector selector;
    private final TimerQueue timers = new TimerQueue();
    private final ArrayList<Flushable> toFlush = new ArrayList<>();
    private final ByteBuffer readBuffer;
    private final ByteBuffer copyScratch;
    private final ByteBuffer[] iov = new ByteBuffer[IOV_MAX_BUFFERS];
    private final BufferPool pool;
    private final SelectorSpinGuard spinGuard = new SelectorSpinGuard(SELECTOR_SPIN_THRESHOLD);

    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean hosted; // driven by runOnce from a host thread instead of its own
    private volatile boolean closed;
    private volatile boolean stopped; // the loop thread has exited (or was stopped before it started)
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
     */
    public EventLoop(String name, Clock clock, int readBufferBytes, int poolBufferBytes, int maxPooledBuffers,
                     ErrorListener errorListener) throws IOException {
        this.name = name;
        this.clock = clock;
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(readBufferBytes);
        this.copyScratch = ByteBuffer.allocateDirect(poolBufferBytes);
        this.pool = BufferPool.direct(poolBufferBytes, maxPooledBuffers);
        this.errorListener = errorListener;
    }

    public String name() { return name; }
    public Clock clock() { return clock; }

    /** Starts the loop thread. */
    public synchronized void start() {
        if (thread != null || hosted) {
            throw new IllegalStateException("already started");
        }
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(false);
        thread = t;
        t.start();
    }

    /** Whether the loop has a thread: its own once started, or a host's once it ran a pass. */
    boolean hasThread() { return thread != null; }

    /** True when called on this loop's thread. */
    public boolean inLoop() { return Thread.currentThread() == thread; }

    /**
     * Runs {@code task} on the loop thread soon. Safe from any thread; never blocks. Once the loop
     * has stopped a task never runs: an {@link Abandonable} is abandoned instead, others dropped.
     */
    public void execute(Runnable task) {
        tasks.add(task);
        if (stopped) {
            tasks.abandonAll(onError); // the loop's exit drain may have run before our add
        } else if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** True once the loop thread has exited: posted tasks no longer run. Safe from any thread. */
    public boolean isStopped() {
        return stopped;
    }

    /** Runs {@code task} on the loop after {@code delayNanos}. Safe from any thread. */
    public Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(clock.nanoTime() + Math.max(0, delayNanos), task);
        if (inLoop() || thread == null) { // before start() the creating thread owns the loop
            timers.add(t);
        } else {
            execute(() -> timers.add(t));
        }
        return t;
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
    ByteBuffer readBuffer() { return readBuffer; }
    ByteBuffer copyScratch() { return copyScratch; }
    ByteBuffer[] iov() { return iov; }
    BufferPool pool() { return pool; }

    /** Exceptions the loop caught and survived. */
    public long errors() { return errors.get(); }

    /** Passes of the loop so far (see {@link FerryServer#loopIterations()}). Safe from any thread. */
    public long iterations() { return iterations; }

    /** Times the selector was replaced after spinning on empty selects. */
    public long selectorRebuilds() { return selectorRebuilds.get(); }

    /** Number of channels registered now (approximate from other threads). */
    public int registeredCount() { return selector.keys().size(); }

    /**
     * Throws {@link IllegalStateException} unless called on this loop's thread (or, before
     * {@link #start()}, on any: the creating thread owns the loop). For the entry points of
     * loop-owned state; one volatile read.
     */
    public void assertInLoop() {
        if (!inLoop() && thread != null) {
            throw new IllegalStateException("must be called on loop thread " + name + ", not " + Thread.currentThread().getName());
        }
    }

    /**
     * Runs one pass on the calling thread, the host, instead of on a thread of the loop's own
     * (Agrona's {@code AgentInvoker}): waits up to {@code maxWaitMillis} for I/O (0: not at all, and
     * less when a task or timer is due sooner), then dispatches ready I/O, runs queued tasks and due
     * timers, and flushes. The first thread to call this becomes the loop's thread for good.
     *
     * @return how much work the pass did (ready keys, tasks, timers, flushes); 0 when idle
     * @throws IllegalStateException from another thread than the host, on a loop that has its own
     *         thread, or after {@link #shutdown}
     */
    int runOnce(long maxWaitMillis) {
        if (closed) {
            throw new IllegalStateException("loop " + name + " is shut down");
        }
        if (thread == null) {
            synchronized (this) {
                if (thread == null) {
                    hosted = true;
                    running = true;
                    thread = Thread.currentThread();
                }
            }
        }
        if (!hosted) {
            throw new IllegalStateException("loop " + name + " runs on its own thread");
        }
        assertInLoop();
        return iterate(Math.max(0, maxWaitMillis));
    }

    /** Whether {@link #shutdown} has not been called. */
    public boolean isOpen() { return !closed; }

    /** Stops the loop after the current iteration and waits for its thread. */
    public void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        running = false;
        if (hosted && !inLoop()) {
            // The host may be inside a pass: let its next pass close the selector (its key set is
            // the host's), and close here only if the host has stopped invoking.
            CountDownLatch done = new CountDownLatch(1);
            execute(() -> {
                closeHosted();
                done.countDown();
            });
            if (done.await(timeout, unit)) {
                return;
            }
        }
        if (hosted || thread == null) {
            closeHosted(); // no thread of ours to finish the pass
            return;
        }
        selector.wakeup();
        Thread t = thread;
        if (t != Thread.currentThread()) {
            t.join(unit.toMillis(timeout));
        }
    }

    private synchronized void closeHosted() {
        if (!closed) {
            closed = true;
            closeSelector();
        }
        stopped = true; // nothing will run what is queued
        tasks.abandonAll(onError);
    }

    private void run() {
        try {
            while (running) {
                iterate(MAX_SELECT_MILLIS);
            }
        } finally {
            closed = true;
            closeSelector();
            stopped = true;
            tasks.abandonAll(onError);
        }
    }

    /**
     * One pass of the loop, waiting at most {@code maxWaitMillis} for I/O. Returns the work done
     * (ready keys, tasks, timers, flushes).
     */
    private int iterate(long maxWaitMillis) {
        iterations++; // one writer: no lost updates; a volatile store per select is noise
        try {
            long timeoutMillis = selectTimeoutMillis(maxWaitMillis);
            long before = System.nanoTime(); // real time: the spin guard measures the OS, not the app clock
            int n = timeoutMillis == 0
                    ? selector.selectNow(this::dispatch)
                    : selector.select(this::dispatch, timeoutMillis);
            wakeupPending.set(false);
            int tasksRun = tasks.runBatch(onError);
            int timersRun = runTimers(clock.nanoTime());
            int flushed = runFlushes();
            if (spinGuard.afterSelect(n, tasksRun + timersRun > 0, timeoutMillis,
                    System.nanoTime() - before, Thread.interrupted())) {
                rebuildSelector();
            }
            return n + tasksRun + timersRun + flushed;
        } catch (Throwable t) {
            countError("loop", t);
            return 1;
        }
    }

    private long selectTimeoutMillis(long maxWaitMillis) {
        if (!tasks.isEmpty() || maxWaitMillis == 0) {
            return 0;
        }
        long waitNanos = timers.nanosToNext(clock.nanoTime());
        if (waitNanos < 0) {
            return maxWaitMillis;
        }
        if (waitNanos == 0) {
            return 0;
        }
        return Math.max(1, Math.min(maxWaitMillis, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
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

    /** Runs timers due at {@code nowNanos}; returns how many ran. Package-private for fake-clock tests. */
    int runTimers(long nowNanos) {
        return timers.runDue(nowNanos, this::countError);
    }

    private int runFlushes() {
        int n = toFlush.size();
        for (int i = 0; i < toFlush.size(); i++) {
            try {
                toFlush.get(i).flushNow();
            } catch (Throwable t) {
                countError("flush", t);
            }
        }
        toFlush.clear();
        return n;
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
        if (!selector.isOpen()) {
            return; // shut down twice (a hosted or never-started loop closes here, not on exit)
        }
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
    public String toString() { return name; }
}

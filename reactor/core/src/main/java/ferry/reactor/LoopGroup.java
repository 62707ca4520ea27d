package ferry.reactor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A server's event loops, the codec each owns, and the connections living on each: round-robin
 * placement, running a task on every loop, and the periodic timeout sweep.
 *
 * <p>Threading: the arrays are fixed at construction; connection list i and codec i are owned by
 * loop i. {@link #runOnAll} is for threads other than a loop's own (or a hosted loop's host).
 */
final class LoopGroup {
    /** Work for one loop, given its index. */
    interface LoopTask {
        void run(int loopIndex) throws IOException;
    }

    /** How long {@link #runOnAll} waits for the loops before going on without them. */
    static final long RUN_ON_ALL_TIMEOUT_SECONDS = 10;

    private final ServerConfig config;
    private final ServerLog log;
    private final EventLoop[] loops;
    private final LoopCodec[] codecs;
    private final List<List<Connection>> connections = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    /** @param headerBytes largest header the loops' connections send */
    LoopGroup(ServerConfig config, ServerLog log, int headerBytes) throws IOException {
        this.config = config;
        this.log = log;
        this.loops = new EventLoop[config.loops()];
        this.codecs = new LoopCodec[config.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop("ferry-loop-" + i, config.clock(), config.readBufferBytes(),
                    config.poolBufferBytes(), config.maxPooledBuffers(),
                    (where, error) -> log.warn("loop error in " + where + ": " + error, error));
            codecs[i] = new LoopCodec(headerBytes);
            connections.add(new ArrayList<>());
        }
    }

    EventLoop[] loops() {
        return loops;
    }

    /** Loop 0: the one that accepts and admits. */
    EventLoop first() {
        return loops[0];
    }

    int size() {
        return loops.length;
    }

    /** The loop the next connection goes to, round robin. */
    int nextIndex() {
        return Math.floorMod(next.getAndIncrement(), loops.length);
    }

    EventLoop loop(int i) {
        return loops[i];
    }

    LoopCodec codec(int i) {
        return codecs[i];
    }

    /** Starts each loop's thread (not for a hosted group) and its timeout sweep. */
    void start(boolean hosted, BooleanSupplier keepSweeping) {
        for (int i = 0; i < loops.length; i++) {
            if (!hosted) {
                loops[i].start();
            }
            int idx = i;
            loops[i].execute(() -> scheduleSweep(idx, keepSweeping));
        }
    }

    /** A connection opened on loop {@code i}. That loop's thread. */
    void add(int i, Connection c) {
        List<Connection> list = connections.get(i);
        c.indexInLoop = list.size();
        list.add(c);
    }

    /** A connection closed. Its loop's thread. */
    void remove(Connection c) {
        List<Connection> list = connections.get(indexOf(c.loop()));
        int i = c.indexInLoop;
        if (i >= 0 && i < list.size() && list.get(i) == c) {
            Connection last = list.remove(list.size() - 1);
            if (last != c) {
                list.set(i, last);
                last.indexInLoop = i;
            }
            c.indexInLoop = -1;
        }
    }

    /** The connections on loop {@code i} now, copied (closing them changes the list). That loop's thread. */
    List<Connection> snapshot(int i) {
        return new ArrayList<>(connections.get(i));
    }

    private int indexOf(EventLoop loop) {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        throw new IllegalStateException("unknown loop " + loop);
    }

    /**
     * Runs {@code task} on every loop and waits for all of them: inline on a loop the caller is the
     * thread of (a hosted loop's host, or a hosted loop that has not run yet), else as a loop task.
     */
    void runOnAll(LoopTask task) {
        CountDownLatch done = new CountDownLatch(loops.length);
        for (int i = 0; i < loops.length; i++) {
            int idx = i;
            Runnable r = () -> {
                try {
                    task.run(idx);
                } catch (IOException e) {
                    log.warn("on loop " + idx + ": " + e.getMessage(), e);
                } finally {
                    done.countDown();
                }
            };
            if (loops[i].inLoop() || !loops[i].hasThread()) {
                r.run();
            } else {
                loops[i].execute(r);
            }
        }
        try {
            done.await(RUN_ON_ALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleSweep(int idx, BooleanSupplier keepSweeping) {
        loops[idx].schedule(TimeUnit.MILLISECONDS.toNanos(config.timeoutSweepMillis()), () -> {
            sweep(idx, loops[idx].clock().nanoTime());
            if (keepSweeping.getAsBoolean()) {
                scheduleSweep(idx, keepSweeping);
            }
        });
    }

    /** Closes loop {@code idx}'s connections whose timeouts passed at {@code nowNanos}. Loop thread. */
    private void sweep(int idx, long nowNanos) {
        List<Connection> list = connections.get(idx);
        for (int i = list.size() - 1; i >= 0; i--) {
            if (i >= list.size()) {
                continue; // a close removed more than one
            }
            Connection c = list.get(i);
            c.relieveGlobalPause();
            String reason = c.expiredTimeout(nowNanos);
            if (reason != null) {
                if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
                    log.info(c.name() + " " + c.session().remoteAddress() + " " + reason);
                }
                c.timeout(reason);
            }
        }
    }

    /** Sweeps every loop now and waits (fake-clock tests move the clock, then sweep). */
    void sweepAllNow() {
        runOnAll(i -> sweep(i, loops[i].clock().nanoTime()));
    }

    /** The largest buffered output of any connection now, read on the loops. */
    long maxPendingBytes() {
        AtomicLong max = new AtomicLong();
        runOnAll(i -> {
            for (Connection c : connections.get(i)) {
                max.accumulateAndGet(c.pendingBytes(), Math::max);
            }
        });
        return max.get();
    }

    /** Open connections on all loops, counted on the loops. */
    int connectionCount() {
        AtomicInteger n = new AtomicInteger();
        runOnAll(i -> n.addAndGet(connections.get(i).size()));
        return n.get();
    }

    long errors() {
        long n = 0;
        for (EventLoop l : loops) {
            n += l.errors();
        }
        return n;
    }

    long iterations() {
        long n = 0;
        for (EventLoop l : loops) {
            n += l.iterations();
        }
        return n;
    }

    /** Stops every loop (a hosted one closes at once), waiting up to {@code seconds} for each thread. */
    void shutdown(long seconds) throws InterruptedException {
        for (EventLoop l : loops) {
            l.shutdown(seconds, TimeUnit.SECONDS);
        }
    }
}

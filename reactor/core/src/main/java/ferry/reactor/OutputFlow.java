package ferry.reactor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Flow control of one connection: the bytes buffered for the peer (the outbound queue plus call
 * output held back behind earlier calls), the reasons reading is paused, this connection's share of
 * the server-wide output budget, and producers waiting for room ({@link Call#whenDrained}).
 *
 * <p>Reading stops while any pause reason holds (output above the high-water mark, a handler
 * applying flow control, too many pipelined calls, a request waiting its turn, the server-wide
 * budget), so a peer that sends faster than it reads, or faster than the disk writes, is slowed by
 * TCP instead of growing server memory.
 *
 * <p>Loop thread only.
 */
final class OutputFlow {
    private final Connection conn;
    private final FerryServer server;
    private final ServerConfig config;
    private final EventLoop loop;
    private final OutboundQueue outbound;
    private long deferredBytes; // output of calls behind the head, held back until they reach it
    private long countedOutput; // this connection's share of ServerStats.bufferedOutputBytes
    private int pauseMask;
    private boolean writeBlocked;
    private boolean flushQueued;
    private boolean resumeQueued;
    private List<DrainListener> drainListeners;

    private record DrainListener(Call call, Runnable task) {}

    OutputFlow(Connection conn, FerryServer server, EventLoop loop) {
        this.conn = conn;
        this.server = server;
        this.config = server.config();
        this.loop = loop;
        this.outbound = new OutboundQueue(loop.pool());
    }

    OutboundQueue outbound() {
        return outbound;
    }

    /** Buffered output bytes, held-back call output included: what high/low water compare to. */
    long pendingBytes() {
        return outbound.pendingBytes() + deferredBytes;
    }

    /**
     * Buffered bytes ahead of {@code call}'s next output: for the head call only the outbound
     * queue (later calls' held-back output waits for the head, so counting it would make a head
     * producer wait for itself); for a call behind others, everything buffered.
     */
    long pendingBytesFor(Call call) {
        return call.isHead() ? outbound.pendingBytes() : pendingBytes();
    }

    boolean writeBlocked() {
        return writeBlocked;
    }

    boolean paused() {
        return pauseMask != 0;
    }

    boolean pausedFor(int reason) {
        return (pauseMask & reason) != 0;
    }

    boolean flushQueued() {
        return flushQueued;
    }

    boolean hasDrainListeners() {
        return drainListeners != null;
    }

    void whenDrained(Call call, Runnable task) {
        if (conn.isClosed() || pendingBytesFor(call) <= config.lowWaterBytes()) {
            task.run();
            return;
        }
        if (drainListeners == null) {
            drainListeners = new ArrayList<>(2);
        }
        drainListeners.add(new DrainListener(call, task));
    }

    /** Runs the listeners whose call has room now (all of them when {@code all}); keeps the rest. */
    private void runDrainListeners(boolean all) {
        List<DrainListener> l = drainListeners;
        drainListeners = null;
        List<DrainListener> keep = null;
        for (DrainListener d : l) {
            if (!all && !d.call().isEnded() && !d.call().isCancelled()
                    && pendingBytesFor(d.call()) > config.lowWaterBytes()) {
                if (keep == null) {
                    keep = new ArrayList<>(2);
                }
                keep.add(d);
                continue;
            }
            try {
                d.task().run();
            } catch (RuntimeException e) {
                server.countHandlerError();
                server.log().warn(conn.name() + " drain listener failed: " + e, e);
            }
        }
        if (keep != null) {
            if (drainListeners == null) {
                drainListeners = keep;
            } else {
                drainListeners.addAll(keep);
            }
        }
    }

    /** A call produced {@code bytes} of output (held back or queued). */
    void outputQueued(Call call, long bytes) {
        if (!call.isHead()) {
            deferredBytes += bytes;
        }
        long pending = pendingBytes();
        if (pending > config.maxBufferedOutputBytes()) {
            conn.outputOverflow(call, pending);
            return;
        }
        markDirty();
        if (pending > config.highWaterBytes()) {
            pause(Connection.PAUSE_OUTBOUND);
        }
        if (countOutput() > config.maxTotalBufferedOutputBytes() && pending > config.lowWaterBytes()) {
            // Over the server-wide budget, a connection holding more than the low-water mark stops
            // being read (answers to what it already sent still complete) until its own answers
            // drain below the low-water mark or the total falls under three quarters. Clients that
            // read promptly hold less and are not touched.
            if ((pauseMask & Connection.PAUSE_GLOBAL) == 0) {
                server.stats().budgetPauses.increment();
            }
            pause(Connection.PAUSE_GLOBAL);
        }
    }

    /** Held-back output moved to the outbound queue (a call reached the head) or was dropped. */
    void deferredReleased(long bytes) {
        deferredBytes -= bytes;
    }

    /** Every call was cancelled: no output is held back any more. */
    void deferredCleared() {
        deferredBytes = 0;
    }

    /** Brings this connection's share of the server-wide total up to date; returns the total. */
    private long countOutput() {
        long now = pendingBytes();
        long delta = now - countedOutput;
        countedOutput = now;
        AtomicLong total = server.stats().bufferedOutputBytes;
        return delta == 0 ? total.get() : total.addAndGet(delta);
    }

    /**
     * Resumes reading a connection paused for the server-wide output budget once its own answers
     * drained below the low-water mark or the total fell back under three quarters of the budget.
     * Called after each flush and by the timeout sweep (a paused connection with nothing to write
     * gets no flush).
     */
    void relieveGlobalPause() {
        if ((pauseMask & Connection.PAUSE_GLOBAL) != 0 && (pendingBytes() <= config.lowWaterBytes()
                || server.stats().bufferedOutputBytes.get() <= config.maxTotalBufferedOutputBytes() / 4 * 3)) {
            resume(Connection.PAUSE_GLOBAL);
        }
    }

    /** Asks for a flush at the end of this loop pass (once). */
    void markDirty() {
        if (!flushQueued && !conn.isClosed()) {
            flushQueued = true;
            loop.flushLater(conn);
        }
    }

    /** The queued flush is running now. */
    void flushStarted() {
        flushQueued = false;
    }

    /**
     * Writes what the transport takes (up to the per-event budget), then settles the books: the
     * write interest, this connection's share of the total, pauses that can lift, producers that
     * have room again. Returns the bytes written.
     */
    long flush(Transport transport, long budget) throws IOException {
        long n = outbound.flush(transport, budget, loop.iov(), loop.copyScratch());
        writeBlocked = !outbound.isEmpty();
        countOutput();
        if (pendingBytes() <= config.lowWaterBytes()) {
            resume(Connection.PAUSE_OUTBOUND);
        }
        relieveGlobalPause();
        if (drainListeners != null && outbound.pendingBytes() <= config.lowWaterBytes()) {
            runDrainListeners(false);
        }
        return n;
    }

    /** Output waits for a download limit: a timer flushes later, so no write interest meanwhile. */
    void deferWrite() {
        writeBlocked = false;
    }

    void pause(int reason) {
        pauseMask |= reason;
        conn.updateInterest();
    }

    void resume(int reason) {
        if ((pauseMask & reason) == 0) {
            return;
        }
        if ((reason & (Connection.PAUSE_HANDLER | Connection.PAUSE_ORDER)) != 0) {
            // The server, not the peer, was the one waiting: the idle clock starts again now.
            conn.touch();
        }
        pauseMask &= ~reason;
        if (pauseMask == 0 && !resumeQueued && !conn.isClosed()) {
            // Not inline: we may be inside decode() right now (a handler resuming itself).
            resumeQueued = true;
            loop.execute(this::resumeInput);
        }
        conn.updateInterest();
    }

    private void resumeInput() {
        resumeQueued = false;
        conn.resumeInput();
    }

    /** The connection closed: buffered output goes, the total gets our share back, producers learn. */
    void release(IOException cause) {
        outbound.discard(cause);
        countOutput();
        if (drainListeners != null) {
            runDrainListeners(true); // producers waiting for room must learn the connection is gone
        }
    }
}

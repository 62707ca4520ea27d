package ferry.reactor;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The requests of one connection, from decoded frames to settled calls: it creates a call per
 * header, routes body bytes to the handler's {@link BodySink}, starts requests in the order
 * {@link Sequencing} gives, and keeps the calls in flight in request order so answers leave in it.
 *
 * <p>A request whose op may change what a later one sees waits for every earlier request to
 * settle, and every request waits for earlier such writes. A request that must wait is held (its
 * body unread, reading paused) until the calls ahead of it settle.
 *
 * <p>Loop thread only.
 */
final class RequestPipeline implements FrameSink {
    private final Connection conn;
    private final FerryServer server;
    private final EventLoop loop;
    private final OutputFlow flow;
    private ArrayDeque<Call> inflight; // created on first request: idle connections stay small
    private Call bodyCall;
    private BodySink bodySink;
    private Call waiting; // the one request held until the calls ahead of it settle; reading is paused meanwhile
    private Ops.Spec waitingSpec;
    private boolean startQueued;
    private int unsettledCalls; // started, not yet settled
    private int unsettledWrites; // of those, the WRITEs

    RequestPipeline(Connection conn, FerryServer server, EventLoop loop, OutputFlow flow) {
        this.conn = conn;
        this.server = server;
        this.loop = loop;
        this.flow = flow;
    }

    /** The op of the oldest request in flight, or null: what the operator's view shows. */
    String headOp() {
        Call head = inflight == null ? null : inflight.peekFirst();
        return head == null ? null : head.op();
    }

    int inflightCount() {
        return inflight == null ? 0 : inflight.size();
    }

    /** Whether a request is unfinished with its body, or any call is in flight. */
    boolean hasWork() {
        return bodyCall != null || inflightCount() > 0;
    }

    /**
     * Whether the server, not the peer, is what the connection waits for: calls are in flight and
     * no body is being read (or only the held request's, which waits for us).
     */
    boolean waitingOnServer() {
        return inflightCount() > 0 && (bodyCall == null || bodyCall == waiting);
    }

    // ---- frames in -------------------------------------------------------------------------

    @Override
    public boolean onHeader(Header header) {
        conn.headerDone();
        server.stats().requests.increment();
        Call call = newCall(header);
        bodyCall = header.size() > 0 ? call : null;
        bodySink = null;
        Ops.Spec spec = server.opTable().resolve(call, header);
        if (spec != null) {
            if (mayStart(spec)) {
                start(call, spec);
            } else {
                waiting = call;
                waitingSpec = spec;
                flow.pause(Connection.PAUSE_ORDER);
            }
        }
        return conn.keepDecoding();
    }

    @Override
    public boolean onBody(ByteBuffer chunk) {
        Call c = bodyCall;
        if (c != null && bodySink != null && !c.isEnded() && !c.isCancelled()) {
            try {
                bodySink.onData(chunk);
            } catch (Throwable e) {
                c.fail(e);
            }
        }
        return conn.keepDecoding();
    }

    @Override
    public boolean onFrameEnd() {
        Call c = bodyCall;
        BodySink sink = bodySink;
        bodyCall = null;
        bodySink = null;
        if (c != null && sink != null && !c.isEnded() && !c.isCancelled()) {
            try {
                sink.onEnd();
            } catch (Throwable e) {
                c.fail(e);
            }
        }
        return conn.keepDecoding();
    }

    private Call newCall(Header header) {
        if (inflight == null) {
            inflight = new ArrayDeque<>(4);
        }
        Call call = new Call(conn, header, inflight.isEmpty(), loop.clock().nanoTime());
        inflight.addLast(call);
        if (inflight.size() >= server.config().maxInflightPerConnection()) {
            flow.pause(Connection.PAUSE_PIPELINE);
        }
        return call;
    }

    // ---- body bytes straight into a sink's buffer -------------------------------------------

    /** The body sink's own buffer, when we are inside a body whose sink offers one; else null. */
    ByteBuffer directBodyBuffer(FrameDecoder decoder) {
        Call c = bodyCall;
        BodySink sink = bodySink;
        if (c == null || sink == null || c.isEnded() || c.isCancelled()
                || decoder.state() != FrameDecoder.State.READ_BODY || decoder.bodyRemaining() == 0) {
            return null;
        }
        try {
            ByteBuffer b = sink.readBuffer();
            return b != null && b.hasRemaining() ? b : null;
        } catch (Throwable e) {
            c.fail(e);
            return null;
        }
    }

    /** {@code n} body bytes were read into the buffer {@link #directBodyBuffer} gave. */
    void directBodyRead(int n) {
        Call c = bodyCall;
        try {
            bodySink.onDataRead(n);
        } catch (Throwable e) {
            c.fail(e);
        }
    }

    // ---- ordering ----------------------------------------------------------------------------

    private boolean mayStart(Ops.Spec spec) {
        return spec.sequencing() == Sequencing.WRITE ? unsettledCalls == 0 : unsettledWrites == 0;
    }

    /** Runs the handler of a request whose turn has come (or refuses it: stopping, not logged in). */
    private void start(Call call, Ops.Spec spec) {
        if (!Ops.mayRun(call, spec, conn.session(), conn.isDraining() || server.isShuttingDown())) {
            return;
        }
        call.started(spec.sequencing());
        unsettledCalls++;
        if (call.isWrite()) {
            unsettledWrites++;
        }
        try {
            BodySink sink = spec.handler().onRequest(call);
            if (bodyCall == call) {
                bodySink = sink;
            }
        } catch (Throwable e) {
            call.fail(e);
        }
    }

    /** A started call settled: the request waiting behind it may now be able to start. */
    void callSettled(Call call) {
        unsettledCalls--;
        if (call.isWrite()) {
            unsettledWrites--;
        }
        if (waiting != null && !startQueued && !conn.isClosed()) {
            // Not inline: we are inside the settling call's code (often its end()), and the waiting
            // handler may answer at once, which would re-enter the in-flight queue mid-update.
            startQueued = true;
            loop.execute(this::startWaiting);
        }
    }

    private void startWaiting() {
        startQueued = false;
        Call c = waiting;
        if (c == null || conn.isClosed() || !mayStart(waitingSpec)) {
            return;
        }
        waiting = null;
        Ops.Spec spec = waitingSpec;
        waitingSpec = null;
        if (!c.isCancelled() && !c.isEnded()) {
            start(c, spec);
        }
        flow.resume(Connection.PAUSE_ORDER);
    }

    // ---- the head of the line ----------------------------------------------------------------

    /** A call ended: if it was the head, later calls move up and their held-back output goes out. */
    void callEnded(Call call) {
        if (call.isHead() && inflight != null && inflight.peekFirst() == call) {
            advanceHead();
        }
    }

    /** Removes the head call and promotes the next ones, releasing held-back output in order. */
    private void advanceHead() {
        inflight.pollFirst();
        Call next;
        while ((next = inflight.peekFirst()) != null) {
            long moved = next.promote();
            flow.deferredReleased(moved);
            if (moved > 0) {
                flow.markDirty();
            }
            if (!next.isEnded() && !next.isCancelled()) {
                break;
            }
            inflight.pollFirst();
        }
        if (inflight.isEmpty()) {
            conn.nothingInFlight();
        }
        if (flow.pausedFor(Connection.PAUSE_PIPELINE) && inflight.size() < server.config().maxInflightPerConnection()) {
            flow.resume(Connection.PAUSE_PIPELINE);
        }
        if (conn.isClosing() || flow.hasDrainListeners()) {
            flow.markDirty(); // the flush closes once everything is out, or wakes a new head's producer
        }
    }

    // ---- the peer went away ------------------------------------------------------------------

    /** A call in flight that needs its peer to stay (a running command), or null. */
    Call callNeedingPeer() {
        if (inflight != null) {
            for (Call c : inflight) {
                if (c.needsPeer()) {
                    return c;
                }
            }
        }
        return null;
    }

    /**
     * The peer ended its input: a request cut off in the middle of its body cannot complete and is
     * cancelled; earlier requests are still answered (the peer may only have half-closed).
     */
    void abandonPartialBody() {
        Call c = bodyCall;
        bodyCall = null;
        bodySink = null;
        if (c != null && !c.isEnded()) {
            flow.deferredReleased(c.cancel(new IOException("peer closed mid-request")));
            if (inflight.peekFirst() == c) {
                advanceHead();
            } else {
                inflight.remove(c);
            }
        }
    }

    /** Cancels every call (the connection is closing or broke framing); cause may be null. */
    void cancelAll(Throwable cause) {
        bodyCall = null;
        bodySink = null;
        waiting = null; // first: cancelling the calls ahead of it must not start it
        waitingSpec = null;
        if (inflight == null) {
            return;
        }
        Call c;
        while ((c = inflight.pollFirst()) != null) {
            c.cancel(cause);
        }
        flow.deferredCleared();
        unsettledCalls = 0;
        unsettledWrites = 0;
    }
}

package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: its lifecycle, and the parts that do the work — the
 * {@link InboundReader} (transport to decoder), the {@link RequestPipeline} (frames to calls, in
 * order), the {@link OutputFlow} (what is buffered for the peer, why reading pauses) and the
 * {@link ConnectionClocks} (timeouts). It talks to the peer only through its {@link Transport}.
 *
 * <p>Behind a load balancer ({@link ServerConfig#proxyProtocol()}) the first bytes are a PROXY
 * header naming the real client ({@link ProxyHandshake}); until it is read the session carries the
 * proxy's address and the connection is not counted against the per-address cap.
 *
 * <pre>
 * OPEN ──server stopping──▶ DRAINING       new requests are answered shutting_down
 * OPEN, DRAINING ──BYE, peer EOF, protocol error, refusal,
 *                  draining with nothing in flight──▶ CLOSING   no more reads; answers drain
 * CLOSING ──all written, nothing in flight──▶ CLOSED   lingering unless the peer sent EOF
 * any ──I/O error, timeout, output overflow, server stop──▶ CLOSED
 * </pre>
 *
 * <p>Threading: everything here is owned by the connection's event loop thread.
 */
final class Connection implements Transport.Listener, EventLoop.Flushable {
    static final int PAUSE_OUTBOUND = 1;
    static final int PAUSE_HANDLER = 2;
    static final int PAUSE_PIPELINE = 4;
    /** A request waits for earlier ones to settle (see {@link Sequencing}). */
    static final int PAUSE_ORDER = 8;
    /** The server's answers in memory, all connections together, are over their budget. */
    static final int PAUSE_GLOBAL = 16;
    /** An upload bandwidth limit has no bytes left for now ({@link Bandwidth}). */
    static final int PAUSE_RATE = 32;

    /** The lifecycle drawn above; every change goes through {@link #moveTo}. */
    enum State { OPEN, DRAINING, CLOSING, CLOSED }

    private static final byte[] PREAMBLE = Preamble.bytes(); // copied into each connection's output, never written to

    private final long id;
    private final FerryServer server;
    private final ServerConfig config;
    private final EventLoop loop;
    private final LoopCodec codec;
    private final Transport transport;
    private final Session session;
    private final ConnectionClocks clocks;
    private final OutputFlow flow;
    private final RequestPipeline requests;
    private final InboundReader in;
    private State state = State.OPEN;
    private boolean peerEof;
    private String closeReason;
    private int interestOps;
    private final ConnectionTraffic traffic;
    /** The address this connection is counted under for the per-address cap; null when not counted. */
    private InetAddress countedAddress;
    int indexInLoop = -1; // position in the server's per-loop list, for O(1) removal

    /**
     * @param counted the address already counted against the per-address cap (released on close),
     *                or null
     * @param expectProxyHeader whether the peer is a trusted proxy that must first send a PROXY header
     */
    Connection(long id, FerryServer server, EventLoop loop, LoopCodec codec, Transport transport, String remote,
            long nowNanos, InetAddress counted, boolean expectProxyHeader) {
        this.id = id;
        this.server = server;
        this.config = server.config();
        this.loop = loop;
        this.codec = codec;
        this.transport = transport;
        this.session = new Session(remote);
        this.clocks = new ConnectionClocks(config, nowNanos);
        this.flow = new OutputFlow(this, server, loop);
        this.requests = new RequestPipeline(this, server, loop, flow);
        this.in = new InboundReader(this, server, loop, transport, requests, expectProxyHeader);
        this.traffic = new ConnectionTraffic(this, config, server.userRates(), session, loop);
        this.countedAddress = counted;
        if (!config.loginRequired()) {
            session.login(Session.ANONYMOUS, config.anonymousRights(), "");
        }
    }

    /** Registers with the loop and queues this side's preamble. Loop thread. */
    void open() throws IOException {
        transport.register(loop, this, Transport.READ);
        interestOps = Transport.READ;
        flow.outbound().appendCopy(PREAMBLE);
        flow.markDirty();
    }

    // ---- what calls and the server see ---------------------------------------------------------

    long id() { return id; }
    String name() { return "c" + id; }
    EventLoop loop() { return loop; }
    Session session() { return session; }
    Workers workers(WorkerLane lane) { return server.workers(lane); }
    LoopCodec codec() { return codec; }
    FrameEncoder encoder() { return codec.encoder(); }

    /** See {@link Call#channelBinding()}. */
    byte[] channelBinding() {
        return transport.channelBinding();
    }

    /** The address counted against the per-address cap for this connection, or null. */
    InetAddress countedAddress() { return countedAddress; }

    /** The PROXY header's client was counted against the per-address cap. */
    void countAddress(InetAddress addr) {
        countedAddress = addr;
    }

    OutboundQueue outbound() { return flow.outbound(); }
    OutboundQueue newQueue() { return new OutboundQueue(loop.pool()); }
    boolean isClosed() { return state == State.CLOSED; }
    boolean isDraining() { return state == State.DRAINING; }
    boolean isClosing() { return state == State.CLOSING; }

    /** Whether input is still taken (not closing, the peer has not ended), paused or not. */
    boolean keepsInput() { return (state == State.OPEN || state == State.DRAINING) && !peerEof; }

    /** Whether the decoder should go on: input is taken and nothing pauses it. */
    boolean keepDecoding() { return keepsInput() && !flow.paused(); }

    boolean zeroCopyAllowed() { return config.zeroCopy() && transport.isZeroCopy(); }
    long pendingBytes() { return flow.pendingBytes(); }
    long pendingBytesFor(Call call) { return flow.pendingBytesFor(call); }
    long highWaterBytes() { return config.highWaterBytes(); }
    void whenDrained(Call call, Runnable task) { flow.whenDrained(call, task); }
    void pause(int reason) { flow.pause(reason); }
    void resume(int reason) { flow.resume(reason); }
    void outputQueued(Call call, long bytes) { flow.outputQueued(call, bytes); }
    void relieveGlobalPause() { flow.relieveGlobalPause(); }
    int inflightCount() { return requests.inflightCount(); }
    void callEnded(Call call) { requests.callEnded(call); }
    void callSettled(Call call) { requests.callSettled(call); }
    void closeAfterReplies() { moveTo(State.CLOSING, "bye", false); }
    /** Whether an upload bandwidth limit applies to this connection now. */
    boolean uploadRateLimited() { return traffic.uploadRateLimited(); }
    /** Bytes the next read may take: all it wants without a limit; 0 after pausing for one. */
    int readAllowance() { return traffic.readAllowance(); }

    /** Whether anything watches finished requests of {@code op}: only then do calls note what they answered. */
    boolean observed(String op) { return server.requestObservers().observed(op); }

    /** A call ended or was cancelled: observers see it (the record is built only for them). */
    void callFinished(Call call) { server.requestObservers().callFinished(call, loop.clock().nanoTime(), name()); }

    void internalError(Call call, Throwable e) {
        server.countHandlerError();
        server.log().warn(name() + " " + call.op() + " failed: " + e, e);
    }

    /** What the operator's view shows of this connection now. Loop thread. */
    ConnectionInfo info(long nowNanos) {
        return new ConnectionInfo(id, session.isLoggedIn() ? session.user() : null, session.remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(clocks.ageNanos(nowNanos)), requests.headOp(), requests.inflightCount(),
                traffic.bytesIn(), traffic.bytesOut(), flow.pausedFor(PAUSE_RATE) || traffic.writeWaiting());
    }

    // ---- readiness and the parts' reports ---------------------------------------------------

    @Override
    public void onReady(int readyOps) {
        if ((readyOps & Transport.WRITE) != 0) {
            flushNow();
        }
        if ((readyOps & Transport.READ) != 0 && state != State.CLOSED) {
            in.read();
        }
    }

    @Override
    public void onError(Throwable error) {
        server.countHandlerError();
        close("internal error: " + error);
    }

    void touch() { clocks.touch(loop.clock().nanoTime()); }

    void bytesRead(int n) {
        touch();
        server.stats().bytesRead.add(n);
        traffic.read(n);
    }

    void headerUnderWay(long nowNanos) { clocks.headerUnderWay(nowNanos); }
    void headerDone() { clocks.headerDone(); }

    /** A read finished: answers it produced leave now, else the interest set is brought up to date. */
    void afterRead() {
        if (flow.flushQueued() && state != State.CLOSED) {
            // Answers to this read leave now, in one write, instead of at the end of the loop
            // iteration: the pooled tail buffer goes back before the next connection's read, so
            // a burst over thousands of connections reuses a few buffers instead of allocating
            // one 16 KiB direct buffer per connection (RSS that malloc keeps after they are freed).
            flushNow();
            return; // flushNow updated the interest set
        }
        updateInterest();
    }

    void resumeInput() { in.resume(); }

    void updateInterest() {
        if (state == State.CLOSED) {
            return;
        }
        int ops = 0;
        if (in.wantsInput()) {
            ops |= Transport.READ;
            in.readBufferedLater();
        }
        if (flow.writeBlocked()) {
            ops |= Transport.WRITE;
        }
        if (ops != interestOps) {
            interestOps = ops;
            transport.interest(ops);
        }
    }

    @Override
    public void flushNow() {
        flow.flushStarted();
        if (state == State.CLOSED) {
            return;
        }
        long budget = config.maxBytesPerWriteEvent();
        if (traffic.limited() && !flow.outbound().isEmpty()) {
            budget = traffic.writeAllowance(budget);
            if (budget == 0) {
                flow.deferWrite(); // a timer flushes once bytes may go: no OP_WRITE spin meanwhile
                updateInterest();
                return;
            }
        }
        long n;
        try {
            n = flow.flush(transport, budget);
        } catch (IOException e) {
            if (server.log().enabled(ServerLog.Level.DEBUG)) { // skip building the line when nobody reads it
                server.log().debug(name() + " write failed: " + e.getMessage());
            }
            close("write failed: " + e.getMessage());
            return;
        }
        if (n > 0) {
            touch();
            server.stats().bytesWritten.add(n);
            traffic.wrote(n);
        }
        if (state == State.CLOSING && !flow.writeBlocked() && requests.inflightCount() == 0) {
            moveTo(State.CLOSED, closeReason, !peerEof);
            return;
        }
        updateInterest();
    }

    /** The peer ended its input (EOF). */
    void peerEnded() {
        peerEof = true;
        Call c = requests.callNeedingPeer();
        if (c != null) {
            close("peer closed while " + c.op() + " was running");
            return;
        }
        requests.abandonPartialBody();
        moveTo(State.CLOSING, "peer closed", false);
    }

    /** The last call in flight left: a draining connection can say goodbye now. */
    void nothingInFlight() {
        if (state == State.DRAINING) {
            announceShutdown();
        }
    }

    // ---- errors, timeouts, close -------------------------------------------------------------

    /** The peer broke framing: say why in an ERROR frame, then close. Every other connection is untouched. */
    void protocolError(ProtocolException e) {
        server.stats().protocolErrors.increment();
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(name() + " " + session.remoteAddress() + " protocol error: " + e.getMessage());
        }
        requests.cancelAll(e);
        flow.outbound().appendFrame(encoder(), ErrorFrames.connectionError(e.code(), e.getMessage()));
        moveTo(State.CLOSING, "protocol error", false);
    }

    /** Refuses this connection after our preamble, as the acceptor refuses: ERROR without id, close. */
    void refuse(String code, String message) {
        server.stats().connectionsRefused.increment();
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(name() + " " + session.remoteAddress() + " refused: " + message);
        }
        flow.outbound().appendFrame(encoder(), ErrorFrames.connectionError(code, message));
        moveTo(State.CLOSING, "refused", false);
    }

    /**
     * A producer kept sending while the peer did not read, past the hard cap. Reading paused long
     * ago at the high-water mark, so the output comes from something not driven by reads (a worker
     * or a timer) that ignores {@link Call#whenDrained}. The stream is mid-frame, so no ERROR can
     * follow: the connection is aborted, which cancels the call (the producer sees
     * {@link Call#isCancelled()}), and the bug is logged loudly.
     */
    void outputOverflow(Call call, long pending) {
        server.stats().outputOverflows.increment();
        server.log().warn(name() + " " + session.remoteAddress() + ": " + pending + " bytes of output buffered, over "
                + "maxBufferedOutputBytes " + config.maxBufferedOutputBytes() + "; " + call.op()
                + " kept producing while the client was not reading (producers must wait with Call.whenDrained);"
                + " closing the connection");
        close("output overflow");
    }

    /** Which timeout, if any, this connection has passed at {@code nowNanos}. */
    String expiredTimeout(long nowNanos) {
        if (state == State.CLOSED) {
            return null;
        }
        String awaiting = in.awaiting();
        if (awaiting == null && !session.isLoggedIn()) {
            awaiting = "login";
        }
        // Waiting on our own workers (a slow disk, a running command) is not the peer being idle;
        // waiting for the peer's body bytes or for it to read our output is.
        boolean waitingOnServer = (requests.waitingOnServer() && !flow.writeBlocked()) || flow.pausedFor(PAUSE_HANDLER);
        return clocks.expired(nowNanos, awaiting, waitingOnServer, flow.writeBlocked());
    }

    /** Closes for a timeout, telling the peer why in one non-blocking attempt. */
    void timeout(String reason) {
        server.stats().timeouts.increment();
        abort(ErrorCode.TIMED_OUT, reason);
    }

    /**
     * Closes now with a last ERROR {@code code} without id, written in one non-blocking attempt:
     * requests in flight are cancelled, whatever they hold is given back. Loop thread.
     */
    void abort(String code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        requests.cancelAll(new IOException(reason));
        OutboundQueue out = flow.outbound();
        out.appendFrame(encoder(), ErrorFrames.connectionError(code, reason));
        try {
            out.flush(transport, config.maxBytesPerWriteEvent(), loop.iov(), loop.copyScratch());
        } catch (IOException ignored) {
            close(reason);
            return;
        }
        moveTo(State.CLOSED, reason, true);
    }

    /**
     * Graceful shutdown: requests that arrive from now on are answered {@code shutting_down} and not
     * run; once no request is in flight the connection says so in an ERROR without id and closes.
     * Requests already running finish (the server closes what is left at its grace deadline).
     */
    void shutdownGracefully() { moveTo(State.DRAINING, "server shutdown", false); }

    /** The last frame of a draining connection: a request that has no answer before it was not run. */
    private void announceShutdown() {
        flow.outbound().appendFrame(encoder(), ErrorFrames.connectionError(ErrorCode.SHUTTING_DOWN,
                "server is shutting down: requests not answered before this were not run"));
        moveTo(State.CLOSING, "server shutdown", false);
    }

    void close(String reason) { moveTo(State.CLOSED, reason, false); }

    /**
     * The one place the lifecycle changes (see the class comment).
     *
     * @param linger for CLOSED: after everything was written while the peer may still be sending,
     *     shut our output and drain the peer's input until EOF or a deadline, so a reset cannot
     *     destroy the last frames (an ERROR saying why) before the peer reads them
     */
    private void moveTo(State next, String reason, boolean linger) {
        switch (next) {
            case OPEN -> throw new IllegalStateException("a connection never reopens");
            case DRAINING -> {
                if (state != State.OPEN) {
                    return; // already closing: the server's own check refuses new requests
                }
                state = State.DRAINING;
                if (requests.inflightCount() == 0) {
                    announceShutdown();
                }
            }
            case CLOSING -> {
                if (state == State.CLOSED) {
                    return;
                }
                if (state != State.CLOSING) {
                    state = State.CLOSING;
                    closeReason = reason;
                }
                in.dropPending();
                updateInterest();
                flow.markDirty();
            }
            case CLOSED -> {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.CLOSED;
                if (linger) {
                    transport.closeLingering(loop, TimeUnit.MILLISECONDS.toNanos(Admission.LINGER_MILLIS), null);
                } else {
                    transport.close();
                }
                release(reason);
            }
        }
    }

    private void release(String reason) {
        // Only what was left behind needs a cause; the common close (nothing in flight) makes none.
        boolean leftBehind = requests.hasWork() || !flow.outbound().isEmpty();
        IOException cause = leftBehind ? new ConnectionClosedException(reason) : null;
        requests.cancelAll(cause);
        flow.release(cause);
        in.dropPending();
        session.closed(server.log(), name());
        traffic.release();
        server.connectionClosed(this, reason);
    }

    @Override
    public String toString() {
        return name() + " " + session.remoteAddress();
    }
}

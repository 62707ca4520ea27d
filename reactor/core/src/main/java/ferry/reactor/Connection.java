package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection: the socket, its frame decoder, its outbound queue and the calls in
 * flight. Everything here is owned by the connection's event loop thread.
 *
 * <p>Reading stops while any pause reason holds (a full outbound queue above the high-water mark,
 * a handler applying flow control, too many pipelined calls), so a peer that sends faster than it
 * reads, or faster than the disk writes, is slowed by TCP instead of growing server memory.
 *
 * <p>Requests start in the order {@link Sequencing} gives: a request whose op may change what a
 * later one sees waits for every earlier request to settle, and every request waits for earlier
 * such writes. A request that must wait is held (its body unread, reading paused) until the calls
 * ahead of it settle; answers always leave in request order.
 *
 * <p>Behind a load balancer ({@link ServerConfig#proxyProtocol()}) the first bytes are a PROXY
 * header naming the real client; until it is read nothing else is decoded, the session carries the
 * proxy's address and the connection is not counted against the per-address cap. Once read, the
 * session names the client and the client's address is counted (or the connection refused).
 *
 * <pre>
 * Lifecycle:  open --(BYE, peer EOF, protocol error)--> closing (no more reads; answers drain)
 *                  --(drained, timeout, I/O error, shutdown deadline)--> closed
 *             open --(server stopping)--> draining (new requests refused with shutting_down)
 *                  --(no request in flight)--> closing, after an ERROR shutting_down without id
 * </pre>
 */
final class Connection implements EventLoop.Selectable, EventLoop.Flushable, FrameSink {
    static final int PAUSE_OUTBOUND = 1;
    static final int PAUSE_HANDLER = 2;
    static final int PAUSE_PIPELINE = 4;
    /** A request waits for earlier ones to settle (see {@link Sequencing}). */
    static final int PAUSE_ORDER = 8;
    /** The server's answers in memory, all connections together, are over their budget. */
    static final int PAUSE_GLOBAL = 16;
    /** An upload bandwidth limit has no bytes left for now ({@link Bandwidth}). */
    static final int PAUSE_RATE = 32;

    private static final byte[] PREAMBLE = Preamble.bytes(); // copied into each connection's output, never written to

    private final long id;
    private final FerryServer server;
    private final ServerConfig config;
    private final EventLoop loop;
    private final SocketChannel channel;
    private final Transport transport;
    private final FrameDecoder decoder;
    private final OutboundQueue outbound;
    private final Session session;
    private final long createdNanos;
    private SelectionKey key;
    private ArrayDeque<Call> inflight; // created on first request: idle connections stay small
    private Call bodyCall;
    private BodySink bodySink;
    private Call waiting; // the one request held until the calls ahead of it settle; reading is paused meanwhile
    private FerryServer.OpSpec waitingSpec;
    private boolean startQueued;
    private int unsettledCalls; // started, not yet settled
    private int unsettledWrites; // of those, the WRITEs
    private boolean draining; // the server is stopping: refuse new requests, close when none is in flight
    private long countedOutput; // this connection's share of ServerStats.bufferedOutputBytes
    private ByteBuffer pendingInput; // bytes read but not decoded because decoding paused
    private long deferredBytes;
    private int pauseMask;
    private int interestOps;
    private boolean writeBlocked;
    private boolean inputClosed;
    private boolean peerEof;
    private boolean closeWhenDrained;
    private boolean closed;
    private boolean flushQueued;
    private boolean resumeQueued;
    private long lastActivityNanos;
    private long bytesIn; // for the operator's view (ConnectionInfo)
    private long bytesOut;
    private Bandwidth bandwidth; // null: no bandwidth limit applies (the common case)
    private String bandwidthUser; // the session user bandwidth was resolved for
    private boolean bandwidthResolved;
    private long headerStartedNanos;
    private String closeReason;
    /** PROXY header bytes received so far; non-null until the header is read (proxy protocol only). */
    private ByteBuffer proxyHeaderInput;
    /** The address this connection is counted under for the per-address cap; null when not counted. */
    private InetAddress countedAddress;
    private java.util.List<DrainListener> drainListeners;
    int indexInLoop = -1; // position in the server's per-loop list, for O(1) removal

    /**
     * @param counted the address already counted against the per-address cap (released on close),
     *                or null
     * @param expectProxyHeader whether the peer is a trusted proxy that must first send a PROXY header
     */
    Connection(long id, FerryServer server, EventLoop loop, SocketChannel channel, String remote, long nowNanos,
            InetAddress counted, boolean expectProxyHeader) {
        this.id = id;
        this.server = server;
        this.config = server.config();
        this.loop = loop;
        this.channel = channel;
        this.transport = new SocketTransport(channel);
        this.decoder = new FrameDecoder(config.frameLimits());
        this.outbound = new OutboundQueue(loop.pool());
        this.session = new Session(remote);
        this.createdNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
        this.countedAddress = counted;
        if (expectProxyHeader) {
            proxyHeaderInput = ByteBuffer.allocate(ProxyHeaderParser.MAX_HEADER_BYTES);
        }
        if (!config.loginRequired()) {
            session.login(Session.ANONYMOUS, config.anonymousRights(), "");
        }
    }

    /** Registers with the loop and queues this side's preamble. Loop thread. */
    void open() throws IOException {
        key = loop.register(channel, SelectionKey.OP_READ, this);
        interestOps = SelectionKey.OP_READ;
        outbound.appendCopy(PREAMBLE);
        markDirty();
    }

    long id() {
        return id;
    }

    String name() {
        return "c" + id;
    }

    EventLoop loop() {
        return loop;
    }

    Session session() {
        return session;
    }

    /** The address counted against the per-address cap for this connection, or null. */
    InetAddress countedAddress() {
        return countedAddress;
    }

    OutboundQueue outbound() {
        return outbound;
    }

    OutboundQueue newQueue() {
        return new OutboundQueue(loop.pool());
    }

    boolean isClosed() {
        return closed;
    }

    boolean zeroCopyAllowed() {
        return config.zeroCopy() && transport.isZeroCopy();
    }

    /** Buffered output bytes, held-back call output included: what high/low water compare to. */
    long pendingBytes() {
        return outbound.pendingBytes() + deferredBytes;
    }

    long highWaterBytes() {
        return config.highWaterBytes();
    }

    /**
     * Buffered bytes ahead of {@code call}'s next output: for the head call only the outbound
     * queue (later calls' held-back output waits for the head, so counting it would make a head
     * producer wait for itself); for a call behind others, everything buffered.
     */
    long pendingBytesFor(Call call) {
        return call.isHead() ? outbound.pendingBytes() : pendingBytes();
    }

    void whenDrained(Call call, Runnable task) {
        if (closed || pendingBytesFor(call) <= config.lowWaterBytes()) {
            task.run();
            return;
        }
        if (drainListeners == null) {
            drainListeners = new java.util.ArrayList<>(2);
        }
        drainListeners.add(new DrainListener(call, task));
    }

    private record DrainListener(Call call, Runnable task) {}

    /** Runs the listeners whose call has room now (all of them when {@code all}); keeps the rest. */
    private void runDrainListeners(boolean all) {
        java.util.List<DrainListener> l = drainListeners;
        drainListeners = null;
        java.util.List<DrainListener> keep = null;
        for (DrainListener d : l) {
            if (!all && !d.call().isEnded() && !d.call().isCancelled()
                    && pendingBytesFor(d.call()) > config.lowWaterBytes()) {
                if (keep == null) {
                    keep = new java.util.ArrayList<>(2);
                }
                keep.add(d);
                continue;
            }
            try {
                d.task().run();
            } catch (RuntimeException e) {
                server.countHandlerError();
                server.log().warn(name() + " drain listener failed: " + e, e);
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

    int inflightCount() {
        return inflight == null ? 0 : inflight.size();
    }

    // ---- readiness ------------------------------------------------------------------------

    @Override
    public void onSelected(SelectionKey k) {
        int ready = k.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            flushNow();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !closed) {
            readNow();
        }
    }

    @Override
    public void onLoopError(Throwable error) {
        server.countHandlerError();
        close("internal error: " + error);
    }

    @Override
    public void rekey(SelectionKey k) {
        this.key = k;
    }

    private void readNow() {
        if (pauseMask != 0 || inputClosed || pendingInput != null) {
            return; // stale readiness from before a pause
        }
        ByteBuffer direct = bodyReadBuffer();
        if (direct != null) {
            readBodyInto(direct, readAllowance());
            return;
        }
        int allowed = readAllowance();
        if (allowed == 0) {
            return; // paused until the bandwidth limit lets bytes in
        }
        ByteBuffer buf = loop.readBuffer();
        buf.clear();
        buf.limit(Math.min(buf.capacity(), allowed));
        int n;
        try {
            n = transport.read(buf);
        } catch (IOException e) {
            close("read failed: " + e.getMessage());
            return;
        }
        if (n < 0) {
            peerEof = true;
            onInputClosed();
            return;
        }
        if (n == 0) {
            return;
        }
        long now = loop.clock().nanoTime();
        lastActivityNanos = now;
        server.stats().bytesRead.add(n);
        bytesIn += n;
        if (bandwidth != null) {
            bandwidth.read(n);
        }
        buf.flip();
        if (proxyHeaderInput == null || takeProxyHeader(buf)) {
            decodeFrom(buf, now);
        }
        if (buf.hasRemaining() && !closed && !inputClosed) {
            // Decoding paused mid-buffer; the loop's read buffer is shared, so keep the rest aside.
            pendingInput = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
        }
        if (flushQueued && !closed) {
            // Answers to this read leave now, in one write, instead of at the end of the loop
            // iteration: the pooled tail buffer goes back before the next connection's read, so
            // a burst over thousands of connections reuses a few buffers instead of allocating
            // one 16 KiB direct buffer per connection (RSS that malloc keeps after they are freed).
            flushNow();
            return; // flushNow updated the interest set
        }
        updateInterest();
    }

    /** The body sink's own buffer, when we are inside a body whose sink offers one; else null. */
    private ByteBuffer bodyReadBuffer() {
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

    /**
     * Reads body bytes from the socket straight into the body sink's buffer (one copy, kernel to
     * that buffer, instead of two through the loop's read buffer), never past the body's end.
     */
    private void readBodyInto(ByteBuffer dst, int allowed) {
        if (allowed == 0) {
            return; // paused until the bandwidth limit lets bytes in
        }
        int limit = dst.limit();
        long left = Math.min(decoder.bodyRemaining(), allowed);
        if (dst.remaining() > left) {
            dst.limit(dst.position() + (int) left);
        }
        int n;
        try {
            n = transport.read(dst);
        } catch (IOException e) {
            close("read failed: " + e.getMessage());
            return;
        } finally {
            dst.limit(limit);
        }
        if (n < 0) {
            peerEof = true;
            onInputClosed();
            return;
        }
        if (n == 0) {
            return;
        }
        long now = loop.clock().nanoTime();
        lastActivityNanos = now;
        server.stats().bytesRead.add(n);
        bytesIn += n;
        if (bandwidth != null) {
            bandwidth.read(n);
        }
        decoder.skipBody(n);
        Call c = bodyCall;
        try {
            bodySink.onDataRead(n);
        } catch (Throwable e) {
            c.fail(e);
        }
        if (decoder.bodyRemaining() == 0 && keepDecoding()) {
            // The body is complete: deliver its end now (if the sink paused, resumeInput does it).
            decodeFrom(EMPTY, now);
        }
        if (flushQueued && !closed) {
            flushNow();
            return;
        }
        updateInterest();
    }

    /**
     * Moves PROXY header bytes from {@code buf} into the header buffer and parses what has come so
     * far. True once the header is read and accepted: {@code buf} is then positioned at the first
     * byte after it (the client's preamble). False while more bytes are needed (all of {@code buf}
     * was taken) or when the connection was refused.
     */
    private boolean takeProxyHeader(ByteBuffer buf) {
        ByteBuffer acc = proxyHeaderInput;
        int before = acc.position();
        int take = Math.min(buf.remaining(), acc.remaining());
        acc.put(acc.position(), buf, buf.position(), take).position(before + take);
        buf.position(buf.position() + take);
        ProxyHeader header;
        try {
            header = ProxyHeaderParser.parse(acc.duplicate().flip());
        } catch (ProtocolException e) {
            buf.position(buf.limit());
            protocolError(e);
            return false;
        }
        if (header == null) {
            // The parser fails before a header it accepts could outgrow the buffer, so need-more
            // always leaves room: a peer dribbling a header byte by byte meets the handshake timeout.
            return false;
        }
        // Earlier reads held only header bytes (the header had not ended), so what we took past its
        // end all came from this read: give it back to be decoded as the client's own bytes.
        buf.position(buf.position() - (before + take - header.length()));
        proxyHeaderInput = null;
        return proxyHeaderRead(header);
    }

    /**
     * The PROXY header named who is on the other end: the session, the logs and the per-address cap
     * see that client from now on. False when the client is over its per-address cap (refused).
     */
    private boolean proxyHeaderRead(ProxyHeader header) {
        String proxy = session.remoteAddress();
        InetAddress addr;
        if (header.hasSource()) {
            InetSocketAddress src = header.source();
            addr = src.getAddress();
            session.remoteAddress(addr.getHostAddress() + ":" + src.getPort());
        } else {
            addr = FerryServer.hostAddress(proxy); // the proxy's own connection, a health check
        }
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(name() + " " + session.remoteAddress() + " via proxy " + proxy + " (PROXY v"
                    + header.version() + (header.hasSource() ? ")" : ", the proxy's own connection)"));
        }
        if (config.capsConnectionsFrom(addr)) {
            if (!server.admitFrom(addr)) {
                refuse(ErrorCode.SERVER_FULL, FerryServer.tooManyFrom(addr, config));
                return false;
            }
            countedAddress = addr;
        }
        return true;
    }

    /** Refuses this connection after our preamble, as the acceptor refuses: ERROR without id, close. */
    private void refuse(String code, String message) {
        server.stats().connectionsRefused.increment();
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(name() + " " + session.remoteAddress() + " refused: " + message);
        }
        outbound.appendFrame(loop.encoder(), Header.op("ERROR").put("code", code).put("message", message));
        closeWhenDrained("refused");
    }

    private void decodeFrom(ByteBuffer buf, long now) {
        try {
            decoder.decode(buf, this);
        } catch (ProtocolException e) {
            buf.position(buf.limit());
            protocolError(e);
            return;
        }
        // A half-sent preamble is the handshake timeout's business (PROTOCOL.md 5), not the header's.
        if (decoder.isInsideHeader() && decoder.state() != FrameDecoder.State.READ_PREAMBLE) {
            if (headerStartedNanos == 0) {
                headerStartedNanos = now | 1; // never 0 while set
            }
        } else {
            headerStartedNanos = 0;
        }
    }

    /** Resumes decoding kept-aside input after the last pause reason cleared. */
    private void resumeInput() {
        resumeQueued = false;
        if (closed || pauseMask != 0 || inputClosed) {
            return;
        }
        ByteBuffer in = pendingInput != null ? pendingInput : EMPTY;
        decodeFrom(in, loop.clock().nanoTime()); // an empty buffer still delivers a pending frame end
        if (pendingInput != null && !pendingInput.hasRemaining()) {
            pendingInput = null;
        }
        updateInterest();
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private void onInputClosed() {
        inputClosed = true;
        if (inflight != null) {
            for (Call c : inflight) {
                if (c.needsPeer()) {
                    close("peer closed while " + c.op() + " was running");
                    return;
                }
            }
        }
        Call c = bodyCall;
        bodyCall = null;
        bodySink = null;
        if (c != null && !c.isEnded()) {
            // The peer stopped in the middle of this request's body: it cannot complete. Earlier
            // requests are still answered (the peer may only have half-closed).
            abandon(c, new IOException("peer closed mid-request"));
        }
        closeWhenDrained("peer closed");
    }

    /** Cancels one call and takes it out of the in-flight queue, moving the head on if it was there. */
    private void abandon(Call c, Throwable cause) {
        deferredBytes -= c.cancel(cause);
        if (inflight == null) {
            return;
        }
        if (inflight.peekFirst() == c) {
            advanceHead();
        } else {
            inflight.remove(c);
        }
    }

    // ---- FrameSink: requests in ------------------------------------------------------------

    private boolean keepDecoding() {
        return pauseMask == 0 && !closed && !inputClosed;
    }

    @Override
    public boolean onHeader(Header header) {
        // This header is complete: its slowloris clock stops. If the same read also starts the next
        // header, decodeFrom starts that one's clock at this read's time instead of inheriting ours.
        headerStartedNanos = 0;
        server.stats().requests.increment();
        Call call = newCall(header);
        bodyCall = header.size() > 0 ? call : null;
        bodySink = null;
        String op = call.op();
        if (op == null) {
            call.fail(ErrorCode.BAD_REQUEST, header.has(Header.OP) ? "field \"op\" must be a string"
                    : "header has no \"op\" string");
        } else if (!call.hasId()) {
            // Not run: an answer without the request's id could not be matched to it (PROTOCOL.md 2.2).
            call.fail(ErrorCode.BAD_REQUEST, "field \"id\" must be an integer"
                    + (header.has(Header.ID) ? "" : " (missing)") + "; the request was not run");
        } else {
            FerryServer.OpSpec spec = server.handler(op);
            if (spec == null) {
                call.fail(ErrorCode.UNKNOWN_OP, "unknown op \"" + op + "\"");
            } else if (mayStart(spec)) {
                start(call, spec);
            } else {
                waiting = call;
                waitingSpec = spec;
                pause(PAUSE_ORDER);
            }
        }
        return keepDecoding();
    }

    private boolean mayStart(FerryServer.OpSpec spec) {
        return spec.sequencing() == Sequencing.WRITE ? unsettledCalls == 0 : unsettledWrites == 0;
    }

    /** Runs the handler of a request whose turn has come (or refuses it: stopping, not logged in). */
    private void start(Call call, FerryServer.OpSpec spec) {
        if (draining || server.isShuttingDown()) {
            call.fail(ErrorCode.SHUTTING_DOWN, "server is shutting down: this request was not run");
            return;
        }
        if (!session.isLoggedIn() && !spec.allowedBeforeLogin()) {
            call.fail(ErrorCode.UNAUTHENTICATED,
                    "log in first: before login only HELLO, AUTH*, PING and BYE are accepted (got " + call.op() + ")");
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
        if (waiting != null && !startQueued && !closed) {
            // Not inline: we are inside the settling call's code (often its end()), and the waiting
            // handler may answer at once, which would re-enter the in-flight queue mid-update.
            startQueued = true;
            loop.execute(this::startWaiting);
        }
    }

    private void startWaiting() {
        startQueued = false;
        Call c = waiting;
        if (c == null || closed || !mayStart(waitingSpec)) {
            return;
        }
        waiting = null;
        FerryServer.OpSpec spec = waitingSpec;
        waitingSpec = null;
        if (!c.isCancelled() && !c.isEnded()) {
            start(c, spec);
        }
        resume(PAUSE_ORDER);
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
        return keepDecoding();
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
        return keepDecoding();
    }

    private Call newCall(Header header) {
        if (inflight == null) {
            inflight = new ArrayDeque<>(4);
        }
        Call call = new Call(this, header, inflight.isEmpty(), loop.clock().nanoTime());
        inflight.addLast(call);
        if (inflight.size() >= config.maxInflightPerConnection()) {
            pause(PAUSE_PIPELINE);
        }
        return call;
    }

    // ---- calls and output ------------------------------------------------------------------

    /** A call produced {@code bytes} of output (held back or queued). */
    void outputQueued(Call call, long bytes) {
        if (!call.isHead()) {
            deferredBytes += bytes;
        }
        long pending = pendingBytes();
        if (pending > config.maxBufferedOutputBytes()) {
            outputOverflow(call, pending);
            return;
        }
        markDirty();
        if (pending > config.highWaterBytes()) {
            pause(PAUSE_OUTBOUND);
        }
        if (countOutput() > config.maxTotalBufferedOutputBytes() && pending > config.lowWaterBytes()) {
            // Over the server-wide budget, a connection holding more than the low-water mark stops
            // being read (answers to what it already sent still complete) until its own answers
            // drain below the low-water mark or the total falls under three quarters. Clients that
            // read promptly hold less and are not touched.
            pause(PAUSE_GLOBAL);
        }
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
     * drained below the low-water mark or the total fell back under three quarters of the budget. Called after each flush
     * and by the timeout sweep (a paused connection with nothing to write gets no flush). Loop thread.
     */
    void relieveGlobalPause() {
        if ((pauseMask & PAUSE_GLOBAL) != 0 && (pendingBytes() <= config.lowWaterBytes()
                || server.stats().bufferedOutputBytes.get() <= config.maxTotalBufferedOutputBytes() / 4 * 3)) {
            resume(PAUSE_GLOBAL);
        }
    }

    /**
     * A producer kept sending while the peer did not read, past the hard cap. Reading paused long
     * ago at the high-water mark, so the output comes from something not driven by reads (a worker
     * or a timer) that ignores {@link Call#whenDrained}. The stream is mid-frame, so no ERROR can
     * follow: the connection is aborted, which cancels the call (the producer sees
     * {@link Call#isCancelled()}), and the bug is logged loudly.
     */
    private void outputOverflow(Call call, long pending) {
        server.stats().outputOverflows.increment();
        server.log().warn(name() + " " + session.remoteAddress() + ": " + pending + " bytes of output buffered, over "
                + "maxBufferedOutputBytes " + config.maxBufferedOutputBytes() + "; " + call.op()
                + " kept producing while the client was not reading (producers must wait with Call.whenDrained);"
                + " closing the connection");
        close("output overflow");
    }

    /** Whether anything watches finished requests of {@code op}: only then do calls note what they answered. */
    boolean observed(String op) {
        for (RequestObserver o : server.requestObservers()) {
            if (o.observes(op)) {
                return true;
            }
        }
        return false;
    }

    /** A call ended or was cancelled: observers see it (the record is built only for them). */
    void callFinished(Call call) {
        RequestObserver[] observers = server.requestObservers();
        if (!observed(call.op())) {
            return; // no record built for what nobody watches (an audit log's PINGs)
        }
        RequestRecord r = call.record(loop.clock().nanoTime());
        for (RequestObserver o : observers) {
            if (!o.observes(call.op())) {
                continue;
            }
            try {
                o.requestEnded(r);
            } catch (RuntimeException e) {
                server.countHandlerError();
                server.log().warn(name() + " request observer failed: " + e, e);
            }
        }
    }

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
            deferredBytes -= moved;
            if (moved > 0) {
                markDirty();
            }
            if (!next.isEnded() && !next.isCancelled()) {
                break;
            }
            inflight.pollFirst();
        }
        if (draining && inflight.isEmpty()) {
            announceShutdown();
        }
        if ((pauseMask & PAUSE_PIPELINE) != 0 && inflight.size() < config.maxInflightPerConnection()) {
            resume(PAUSE_PIPELINE);
        }
        if (closeWhenDrained || drainListeners != null) {
            markDirty(); // the flush closes once everything is out, or wakes a new head's producer
        }
    }

    void closeAfterReplies() {
        closeWhenDrained("bye");
    }

    private void closeWhenDrained(String reason) {
        if (!closeWhenDrained) {
            closeWhenDrained = true;
            closeReason = reason;
        }
        inputClosed = true;
        pendingInput = null;
        updateInterest();
        markDirty();
    }

    private void markDirty() {
        if (!flushQueued && !closed) {
            flushQueued = true;
            loop.flushLater(this);
        }
    }

    @Override
    public void flushNow() {
        flushQueued = false;
        if (closed) {
            return;
        }
        long budget = config.maxBytesPerWriteEvent();
        if (bandwidth() != null && !outbound.isEmpty()) {
            budget = bandwidth.writeAllowance(this, loop, budget);
            if (budget == 0) {
                writeBlocked = false; // a timer flushes once bytes may go: no OP_WRITE spin meanwhile
                updateInterest();
                return;
            }
        }
        long n;
        try {
            n = outbound.flush(transport, budget, loop.iov(), loop.copyScratch());
        } catch (IOException e) {
            if (server.log().enabled(ServerLog.Level.DEBUG)) { // skip building the line when nobody reads it
                server.log().debug(name() + " write failed: " + e.getMessage());
            }
            close("write failed: " + e.getMessage());
            return;
        }
        if (n > 0) {
            lastActivityNanos = loop.clock().nanoTime();
            server.stats().bytesWritten.add(n);
            bytesOut += n;
            if (bandwidth != null) {
                bandwidth.wrote(n);
            }
        }
        writeBlocked = !outbound.isEmpty();
        countOutput();
        if (pendingBytes() <= config.lowWaterBytes()) {
            resume(PAUSE_OUTBOUND);
        }
        relieveGlobalPause();
        if (drainListeners != null && outbound.pendingBytes() <= config.lowWaterBytes()) {
            runDrainListeners(false);
        }
        if (closeWhenDrained && !writeBlocked && inflightCount() == 0) {
            if (peerEof) {
                close(closeReason);
            } else {
                closeLingering(closeReason);
            }
            return;
        }
        updateInterest();
    }

    // ---- flow control ----------------------------------------------------------------------

    void pause(int reason) {
        pauseMask |= reason;
        updateInterest();
    }

    void resume(int reason) {
        if ((pauseMask & reason) == 0) {
            return;
        }
        if ((reason & (PAUSE_HANDLER | PAUSE_ORDER)) != 0) {
            // The server, not the peer, was the one waiting: the idle clock starts again now.
            lastActivityNanos = loop.clock().nanoTime();
        }
        pauseMask &= ~reason;
        if (pauseMask == 0 && !resumeQueued && !closed) {
            // Not inline: we may be inside decode() right now (a handler resuming itself).
            resumeQueued = true;
            loop.execute(this::resumeInput);
        }
        updateInterest();
    }

    private void updateInterest() {
        if (closed || key == null || !key.isValid()) {
            return;
        }
        int ops = 0;
        if (pauseMask == 0 && !inputClosed && pendingInput == null) {
            ops |= SelectionKey.OP_READ;
        }
        if (writeBlocked) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (ops != interestOps) {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    // ---- errors, timeouts, close -------------------------------------------------------------

    /** The peer broke framing: say why in an ERROR frame, then close. Every other connection is untouched. */
    private void protocolError(ProtocolException e) {
        server.stats().protocolErrors.increment();
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(name() + " " + session.remoteAddress() + " protocol error: " + e.getMessage());
        }
        cancelAll(e);
        outbound.appendFrame(loop.encoder(),
                Header.op("ERROR").put("code", e.code()).put("message", e.getMessage()));
        closeWhenDrained("protocol error");
    }

    void internalError(Call call, Throwable e) {
        server.countHandlerError();
        server.log().warn(name() + " " + call.op() + " failed: " + e, e);
    }

    /**
     * Which timeout, if any, this connection has passed at {@code nowNanos}. Pure apart from
     * reading fields, so a fake clock drives it.
     */
    String expiredTimeout(long nowNanos) {
        if (closed) {
            return null;
        }
        boolean handshakeDone = decoder.state() != FrameDecoder.State.READ_PREAMBLE && session.isLoggedIn();
        if (!handshakeDone && nowNanos - createdNanos > config.handshakeTimeoutNanos()) {
            return "handshake timeout: no " + (proxyHeaderInput != null ? "PROXY header"
                    : decoder.state() == FrameDecoder.State.READ_PREAMBLE ? "preamble" : "login")
                    + " within " + millis(config.handshakeTimeoutNanos()) + " ms";
        }
        if (headerStartedNanos != 0 && nowNanos - headerStartedNanos > config.headerTimeoutNanos()) {
            return "header timeout: a frame header was not completed within " + millis(config.headerTimeoutNanos()) + " ms";
        }
        // Waiting on our own workers (a slow disk, a running command) is not the peer being idle;
        // waiting for the peer's body bytes or for it to read our output is.
        boolean waitingOnServer = (inflightCount() > 0 && (bodyCall == null || bodyCall == waiting) && !writeBlocked)
                || (pauseMask & PAUSE_HANDLER) != 0;
        if (!waitingOnServer && nowNanos - lastActivityNanos > config.idleTimeoutNanos()) {
            return (writeBlocked ? "write stalled" : "idle") + " for " + millis(config.idleTimeoutNanos()) + " ms";
        }
        return null;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * The bandwidth limits of this connection as its session stands now (they change at login), or
     * null when none applies. Loop thread.
     */
    private Bandwidth bandwidth() {
        String user = session.user();
        if (!bandwidthResolved || user != bandwidthUser) {
            bandwidthResolved = true;
            bandwidthUser = user;
            bandwidth = Bandwidth.resolve(bandwidth, config, server.userRates(), session);
        }
        return bandwidth;
    }

    /** Whether an upload bandwidth limit applies to this connection now. Loop thread. */
    boolean uploadRateLimited() {
        return bandwidth() != null && bandwidth.limitsUploads();
    }

    /** Bytes the next read may take: all it wants without a limit; 0 after pausing for one. */
    private int readAllowance() {
        return bandwidth() == null ? Integer.MAX_VALUE : bandwidth.readAllowance(this, loop);
    }

    /** What the operator's view shows of this connection now. Loop thread. */
    ConnectionInfo info(long nowNanos) {
        Call head = inflight == null ? null : inflight.peekFirst();
        return new ConnectionInfo(id, session.isLoggedIn() ? session.user() : null, session.remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(nowNanos - createdNanos), head == null ? null : head.op(), inflightCount(),
                bytesIn, bytesOut, (pauseMask & PAUSE_RATE) != 0 || (bandwidth != null && bandwidth.writeWaiting()));
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
        if (closed) {
            return;
        }
        cancelAll(new IOException(reason));
        outbound.appendFrame(loop.encoder(),
                Header.op("ERROR").put("code", code).put("message", reason));
        try {
            outbound.flush(transport, config.maxBytesPerWriteEvent(), loop.iov(), loop.copyScratch());
        } catch (IOException ignored) {
            close(reason);
            return;
        }
        closeLingering(reason);
    }

    /**
     * Graceful shutdown: requests that arrive from now on are answered {@code shutting_down} and not
     * run; once no request is in flight the connection says so in an ERROR without id and closes.
     * Requests already running finish (the server closes what is left at its grace deadline).
     */
    void shutdownGracefully() {
        draining = true;
        if (inflightCount() == 0) {
            announceShutdown();
        }
    }

    /** The last frame of a draining connection: a request that has no answer before it was not run. */
    private void announceShutdown() {
        if (closed || closeWhenDrained) {
            return;
        }
        outbound.appendFrame(loop.encoder(), Header.op("ERROR").put("code", ErrorCode.SHUTTING_DOWN)
                .put("message", "server is shutting down: requests not answered before this were not run"));
        closeWhenDrained("server shutdown");
    }

    private void cancelAll(Throwable cause) {
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
        deferredBytes = 0;
        unsettledCalls = 0;
        unsettledWrites = 0;
    }

    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closing
        }
        release(reason);
    }

    /**
     * Closes after everything was written, while the peer may still be sending: shut our output
     * (FIN after the data), then drain the peer's input until EOF or a deadline, so a reset cannot
     * destroy the last frames (an ERROR saying why) before the peer reads them.
     */
    private void closeLingering(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.shutdownOutput();
            new LingeringClose(channel, loop, TimeUnit.MILLISECONDS.toNanos(FerryServer.LINGER_MILLIS)).takeOver(key);
        } catch (IOException | RuntimeException e) {
            if (key != null) {
                key.cancel();
            }
            FerryServer.closeQuietly(channel);
        }
        release(reason);
    }

    private void release(String reason) {
        // Only what was left behind needs a cause; the common close (nothing in flight) makes none.
        boolean leftBehind = bodyCall != null || (inflight != null && !inflight.isEmpty()) || !outbound.isEmpty();
        IOException cause = leftBehind ? new ConnectionClosedException(reason) : null;
        cancelAll(cause);
        outbound.discard(cause);
        countOutput(); // gives this connection's share of the total back
        pendingInput = null;
        if (drainListeners != null) {
            runDrainListeners(true); // producers waiting for room must learn the connection is gone
        }
        session.closed(server.log(), name());
        if (bandwidth != null) {
            bandwidth.release();
        }
        server.connectionClosed(this, reason);
    }

    @Override
    public String toString() {
        return name() + " " + session.remoteAddress();
    }
}

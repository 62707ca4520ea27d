package ferry.reactor;

import ferry.protocol.FrameDecoder;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read side of one connection: bytes from the transport through the PROXY header (when the
 * peer is a trusted balancer) into the frame decoder, whose frames go to the
 * {@link RequestPipeline}. A body whose sink offers its own buffer is read straight into it. Input
 * read while decoding is paused is kept aside (the loop's read buffer is shared) and decoded when
 * the pause lifts; input the transport holds itself (TLS) is read on a later pass, since the
 * selector never announces it.
 *
 * <p>Loop thread only.
 */
final class InboundReader {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Connection conn;
    private final FerryServer server;
    private final EventLoop loop;
    private final Transport transport;
    private final FrameDecoder decoder;
    private final RequestPipeline requests;
    private ProxyHandshake proxy; // non-null until the PROXY header is read (proxy protocol only)
    private ByteBuffer pendingInput; // bytes read but not decoded because decoding paused
    private boolean readQueued; // a read of the transport's own buffered input is queued on the loop

    InboundReader(Connection conn, FerryServer server, EventLoop loop, Transport transport,
            RequestPipeline requests, boolean expectProxyHeader) {
        this.conn = conn;
        this.server = server;
        this.loop = loop;
        this.transport = transport;
        this.requests = requests;
        this.decoder = new FrameDecoder(server.config().frameLimits());
        this.proxy = expectProxyHeader ? new ProxyHandshake(conn, server) : null;
    }

    /** What the handshake still waits for from the peer ("PROXY header", "preamble"), or null. */
    String awaiting() {
        if (proxy != null) {
            return "PROXY header";
        }
        return decoder.state() == FrameDecoder.State.READ_PREAMBLE ? "preamble" : null;
    }

    /** Whether the connection should be told when input is ready: it takes input and has none aside. */
    boolean wantsInput() {
        return conn.keepDecoding() && pendingInput == null;
    }

    /**
     * While input is wanted, reads what the transport holds itself on a later pass (not inline:
     * other connections get their turn first).
     */
    void readBufferedLater() {
        if (!readQueued && transport.hasBufferedInput()) {
            readQueued = true;
            loop.execute(this::readBuffered);
        }
    }

    private void readBuffered() {
        readQueued = false;
        if (!conn.isClosed()) {
            read();
        }
    }

    /** Input kept aside is dropped (the connection stops reading). */
    void dropPending() {
        pendingInput = null;
    }

    /** The transport has input: read once and decode it. */
    void read() {
        if (!wantsInput()) {
            return; // stale readiness from before a pause
        }
        ByteBuffer direct = requests.directBodyBuffer(decoder);
        int allowed = conn.readAllowance();
        if (allowed == 0) {
            return; // paused until the bandwidth limit lets bytes in
        }
        if (direct != null) {
            readBodyInto(direct, allowed);
            return;
        }
        ByteBuffer buf = loop.readBuffer();
        buf.clear();
        buf.limit(Math.min(buf.capacity(), allowed));
        int n = readFromTransport(buf);
        if (n <= 0) {
            return;
        }
        long now = loop.clock().nanoTime();
        buf.flip();
        if (proxy == null || takeProxyHeader(buf)) {
            decodeFrom(buf, now);
        }
        if (buf.hasRemaining() && conn.keepsInput()) {
            // Decoding paused mid-buffer; the loop's read buffer is shared, so keep the rest aside.
            pendingInput = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
        }
        conn.afterRead();
    }

    /** Reads into {@code dst}; on end of stream or an error tells the connection and returns -1. */
    private int readFromTransport(ByteBuffer dst) {
        int n;
        try {
            n = transport.read(dst);
        } catch (IOException e) {
            conn.close("read failed: " + e.getMessage());
            return -1;
        }
        return accounted(n);
    }

    /** Tells the connection what a read of {@code n} bytes means (bytes, or the peer's end); returns n. */
    private int accounted(int n) {
        if (n < 0) {
            conn.peerEnded();
        } else if (n > 0) {
            conn.bytesRead(n);
        }
        return n;
    }

    private boolean takeProxyHeader(ByteBuffer buf) {
        boolean accepted = proxy.take(buf);
        if (proxy.isDone()) {
            proxy = null;
        }
        return accepted;
    }

    /**
     * Reads body bytes from the transport straight into the body sink's buffer (one copy, kernel to
     * that buffer, instead of two through the loop's read buffer), never past the body's end.
     */
    private void readBodyInto(ByteBuffer dst, int allowed) {
        int limit = dst.limit();
        long left = Math.min(decoder.bodyRemaining(), allowed);
        if (dst.remaining() > left) {
            dst.limit(dst.position() + (int) left);
        }
        int n = 0;
        IOException failure = null;
        try {
            n = transport.read(dst);
        } catch (IOException e) {
            failure = e;
        } finally {
            dst.limit(limit); // before anything below cancels the call: its sink sees its own limit
        }
        if (failure != null) {
            conn.close("read failed: " + failure.getMessage());
            return;
        }
        if (accounted(n) <= 0) {
            return;
        }
        decoder.skipBody(n);
        requests.directBodyRead(n);
        if (decoder.bodyRemaining() == 0 && conn.keepDecoding()) {
            // The body is complete: deliver its end now (if the sink paused, resumeInput does it).
            decodeFrom(EMPTY, loop.clock().nanoTime());
        }
        conn.afterRead();
    }

    private void decodeFrom(ByteBuffer buf, long now) {
        try {
            decoder.decode(buf, requests);
        } catch (ProtocolException e) {
            buf.position(buf.limit());
            conn.protocolError(e);
            return;
        }
        // A half-sent preamble is the handshake timeout's business (PROTOCOL.md 5), not the header's.
        if (decoder.isInsideHeader() && decoder.state() != FrameDecoder.State.READ_PREAMBLE) {
            conn.headerUnderWay(now);
        } else {
            conn.headerDone();
        }
    }

    /** Decodes kept-aside input after the last pause reason cleared. */
    void resume() {
        if (!conn.keepDecoding()) {
            return;
        }
        ByteBuffer in = pendingInput != null ? pendingInput : EMPTY;
        decodeFrom(in, loop.clock().nanoTime()); // an empty buffer still delivers a pending frame end
        if (pendingInput != null && !pendingInput.hasRemaining()) {
            pendingInput = null;
        }
        conn.updateInterest();
    }
}

package ferry.loadtest;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One non-blocking load connection: its socket, frame decoder, requests in flight (answers come
 * in request order, so a ring of start times is enough), and output that the socket did not take
 * yet. Memory while idle is a few hundred bytes plus the decoder: no per-connection I/O buffers
 * (the I/O thread's are shared), so 10,000 connections cost little on the client side.
 *
 * <pre>
 * Legal transitions:
 *   CONNECTING --TCP connected, our preamble written--> HANDSHAKE
 *   HANDSHAKE  --the server's preamble decoded-------> OPEN        (counted as opened; script may start)
 *   any        --error, EOF, timeout, run stopped----> CLOSED      (terminal)
 * </pre>
 *
 * <p>Threading: owned by its {@link IoThread}; every method runs there.
 */
public final class ClientConnection implements FrameSink {
    private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSED }

    private static final int INITIAL_RING = 4;

    final int index;
    private final IoThread io;
    private final ConnectionScript script;
    private final ConnectionOutput output;
    private final boolean noDelay;
    private SocketChannel channel;
    private SelectionKey key;
    private FrameDecoder decoder;
    private State state = State.CONNECTING;
    private long connectStartNanos;
    private boolean started;
    private boolean inErrorFrame;
    private Header errorHeader;
    private boolean inAnswerBody; // an answer's body is being received: EOF now is a short body
    // Requests in flight: ids are consecutive, so the oldest's id is nextId - count.
    private long[] starts;
    private int head;
    private int count;
    private long nextId = 1;

    ClientConnection(int index, IoThread io, ConnectionScript script, Variant variant) {
        this.index = index;
        this.io = io;
        this.script = script;
        this.output = new ConnectionOutput(this, io, variant.pattern());
        this.noDelay = variant.noDelay();
    }

    // ---- connecting ---------------------------------------------------------------------------

    /** Starts a non-blocking connect. */
    void connect(InetSocketAddress address, long nowNanos) {
        connectStartNanos = nowNanos;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
            boolean done = channel.connect(address);
            key = io.register(channel, done ? 0 : SelectionKey.OP_CONNECT, this);
            output.attach(channel, key);
            if (done) {
                connected();
            }
        } catch (IOException | RuntimeException e) {
            failConnection(connectErrorKind(e), e.toString());
        }
    }

    void onConnectable() {
        try {
            if (channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            failConnection(connectErrorKind(e), e.toString());
        }
    }

    private void connected() throws IOException {
        state = State.HANDSHAKE;
        io.connectFinished();
        decoder = new FrameDecoder(FrameLimits.DEFAULT);
        key.interestOps(SelectionKey.OP_READ);
        ByteBuffer pre = io.writeScratch();
        pre.clear();
        Preamble.write(pre);
        output.emit(pre.flip());
        pre.clear(); // the scratch must be empty outside a batch
    }

    private static String connectErrorKind(Exception e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("refused")) {
            return "connect_refused";
        }
        if (m.contains("Too many open files")) {
            return "connect_no_fd";
        }
        if (m.contains("Cannot assign requested address")) {
            return "connect_no_port";
        }
        return "connect_error";
    }

    private void opened() {
        state = State.OPEN;
        io.opened(this);
    }

    /** Starts the script (once). */
    void startScript() {
        if (state == State.OPEN && !started) {
            started = true;
            script.start(this);
        }
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    boolean isConnecting() {
        return state == State.CONNECTING || state == State.HANDSHAKE;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    long connectStartNanos() {
        return connectStartNanos;
    }

    // ---- requests -----------------------------------------------------------------------------

    /** Requests in flight on this connection. */
    public int inflight() {
        return count;
    }

    /** Whether the run still issues new requests (warm-up or measurement). */
    public boolean issuing() {
        return io.state().issuing() && state == State.OPEN;
    }

    /** Start time of the oldest request in flight. */
    long oldestStartNanos() {
        return starts[head];
    }

    /** Sends a PING whose body is {@code bodyBytes} pattern bytes. */
    public void sendPing(long bodyBytes) {
        Header h = bodyBytes > 0 ? io.pingHeader() : io.emptyPingHeader();
        h.put(Header.ID, nextId);
        if (bodyBytes > 0) {
            h.put(Header.SIZE, bodyBytes);
        }
        begin();
        output.writeFrame(h, null, bodyBytes);
    }

    /**
     * Sends a request: {@code header} gets the next id (and {@code size} from {@code body} when
     * there is one); {@code body}'s remaining bytes are consumed. For scripts of other ops.
     */
    public long request(Header header, ByteBuffer body) {
        long id = nextId;
        header.put(Header.ID, id);
        if (body != null) {
            header.put(Header.SIZE, (long) body.remaining());
        }
        begin();
        output.writeFrame(header, body, 0);
        return id;
    }

    /** Streams more body bytes of the request last sent (for large uploads). */
    public void sendBody(ByteBuffer chunk) { output.sendBody(chunk); }

    /**
     * Writes as much of {@code chunk} (more body of the request last sent) as the socket takes
     * now, without copying: what is left stays in {@code chunk}, and the script's
     * {@link ConnectionScript#onWritable} runs when the socket has room again. Returns whether
     * all of it was written. For streaming large bodies without buffering them.
     */
    public boolean offerBody(ByteBuffer chunk) { return output.offerBody(chunk); }

    /** Output buffered because the socket was full; streaming scripts wait for {@link ConnectionScript#onWritable}. */
    public int pendingOutputBytes() { return output.pendingBytes(); }

    private void begin() {
        if (starts == null) {
            starts = new long[INITIAL_RING];
        } else if (count == starts.length) {
            long[] bigger = new long[starts.length * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = starts[(head + i) & (starts.length - 1)];
            }
            starts = bigger;
            head = 0;
        }
        starts[(head + count) & (starts.length - 1)] = System.nanoTime();
        count++;
        nextId++;
        io.state().inflight.increment();
    }

    /** The oldest request in flight got its final answer: records its latency as a PING without payload. */
    public void complete() {
        complete(OpKind.PING, 0);
    }

    /**
     * The oldest request in flight, of {@code kind}, got its final answer: records its latency
     * and the {@code payloadBytes} of body it moved (both ways), counted if it falls in the
     * measured window.
     */
    public void complete(OpKind kind, long payloadBytes) {
        if (count == 0) {
            return;
        }
        long started = starts[head];
        pop();
        io.completed(System.nanoTime() - started, kind, payloadBytes);
    }

    /** The oldest request in flight was answered but is not part of the load (a login step): no latency, no error. */
    public void forget() {
        if (count > 0) {
            pop();
        }
    }

    /**
     * The oldest request in flight got a final answer that is wrong (a short body, a wrong size,
     * a digest mismatch): counts an error of {@code kind} and forgets the request without
     * recording its latency. The connection stays open, in step with the server.
     */
    public void failRequest(String kind, String detail) {
        if (count == 0) {
            return;
        }
        io.errors().count(kind, detail);
        pop();
    }

    private void pop() {
        head = (head + 1) & (starts.length - 1);
        count--;
        io.state().inflight.decrement();
    }

    // ---- writing ------------------------------------------------------------------------------

    /** Output produced until {@link #endBatch} leaves in one write under the coalesced pattern. */
    void beginBatch() { output.beginBatch(); }
    void endBatch() { output.endBatch(); }

    void onWritable() {
        if (output.onWritable()) {
            script.onWritable(this); // a body offered with offerBody continues
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    void onReadable() {
        ByteBuffer buf = io.readScratch();
        buf.clear();
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            failConnection(ioErrorKind(e), e.toString());
            return;
        }
        if (n < 0) {
            if (inAnswerBody) {
                failConnection("short_body", "connection closed in the middle of an answer's body");
                return;
            }
            failConnection("closed_by_server", count > 0 ? count + " requests in flight" : null);
            return;
        }
        if (n == 0) {
            return;
        }
        io.read(n);
        buf.flip();
        try {
            decoder.decode(buf, this);
        } catch (ProtocolException e) {
            failConnection(ProtocolException.BAD_PREAMBLE.equals(e.code()) ? "bad_preamble" : "bad_frame", e.getMessage());
            return;
        }
        if (state == State.HANDSHAKE && decoder.state() != FrameDecoder.State.READ_PREAMBLE) {
            opened();
        }
    }

    @Override
    public boolean onHeader(Header header) {
        if (state == State.HANDSHAKE) {
            opened();
        }
        if ("ERROR".equals(header.op())) {
            String code = header.getString("code", "unknown");
            if (header.id() < 0 || count == 0) {
                // connection-level (server_full, timed_out, bad_frame): the server closes
                failConnection("server:" + code, header.getString("message", null));
                return false;
            }
            if (header.id() != nextId - count) {
                failConnection("unexpected_answer", "ERROR for id " + header.id() + ", oldest in flight is " + (nextId - count));
                return false;
            }
            io.errors().count("server:" + code, header.getString("message", null));
            inErrorFrame = true;
            errorHeader = header;
            return true;
        }
        if (count == 0 || header.id() != nextId - count) {
            failConnection("unexpected_answer", "answer " + header + " while oldest in flight is "
                    + (count == 0 ? "none" : String.valueOf(nextId - count)));
            return false;
        }
        inAnswerBody = header.size() > 0;
        script.onHeader(this, header);
        return state != State.CLOSED;
    }

    @Override
    public boolean onBody(ByteBuffer chunk) {
        if (!inErrorFrame) {
            script.onBody(this, chunk);
        }
        return state != State.CLOSED;
    }

    @Override
    public boolean onFrameEnd() {
        if (inErrorFrame) {
            inErrorFrame = false;
            Header e = errorHeader;
            errorHeader = null;
            pop();
            script.onFailed(this, e);
        } else {
            inAnswerBody = false;
            script.onFrameEnd(this);
        }
        return state != State.CLOSED;
    }

    // ---- closing ------------------------------------------------------------------------------

    static String ioErrorKind(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("reset")) {
            return "reset";
        }
        if (m.contains("Broken pipe")) {
            return "broken_pipe";
        }
        return "io_error";
    }

    /** Counts an error of {@code kind} and closes; requests in flight are lost with it. */
    public void failConnection(String kind, String detail) {
        if (state == State.CLOSED) {
            return;
        }
        io.errors().count(kind, detail);
        boolean wasConnecting = isConnecting();
        close();
        io.closedEarly(wasConnecting);
    }

    /** Closes without counting an error (the run is over). */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CONNECTING) {
            io.connectFinished();
        }
        state = State.CLOSED;
        if (count > 0) {
            io.state().inflight.add(-count);
            count = 0;
        }
        output.release();
        if (key != null) {
            key.cancel();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

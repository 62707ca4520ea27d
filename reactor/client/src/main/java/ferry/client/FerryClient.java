package ferry.client;

import ferry.protocol.CoreProtocol;
import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking client connection to a Ferry server, for the CLI, tests and tools.
 *
 * <p>Two layers: high-level calls ({@link #hello()}, {@link #ping}, {@link #call}) that send one
 * request and read its answer, turning {@code ERROR} frames into {@link RemoteException}; and the
 * frame layer they are built on ({@link #send}, {@link #readHeader}, {@link #readBodyChunk}) for
 * streaming ops such as file transfers and command output.
 *
 * <p>Writes are coalesced: a header and a small body leave in one write, so Nagle's algorithm
 * never holds the second half of a request back.
 *
 * <p>Thread safety: one thread at a time, with one exception: while one thread reads answers
 * ({@link #readHeader}, {@link #readBodyChunk}, ...), another may write a request body that is
 * already announced ({@link #sendBody}, {@link #sendFileBody}), so a big request body and its
 * streamed answer cannot deadlock each other (exec stdin and output). {@link #close()} may be
 * called from any thread and makes a blocked call fail at once.
 */
public class FerryClient implements Closeable {
    /** Bodies up to this size are copied next to their header so both leave in one write. */
    static final int COALESCE_BODY_BYTES = 16 * 1024;

    /** Receives body chunks from {@link #readBodyChunk}; must consume the chunk during the call. */
    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(ByteBuffer chunk) throws IOException;
    }

    private final InetSocketAddress address;
    private final ClientOptions options;
    private final TimedChannel io;
    private final FrameDecoder decoder;
    private final FrameEncoder encoder;
    private final ByteBuffer readBuf;
    private final ByteBuffer writeBuf;
    private final PullSink sink = new PullSink();
    private final AtomicBoolean closed = new AtomicBoolean();
    private long nextId = 1;
    private boolean inBody;
    private Header lastHello; // a header with a body was returned and its body is not fully read

    protected FerryClient(InetSocketAddress address, ClientOptions options) throws IOException {
        this.address = address;
        this.options = options;
        this.decoder = new FrameDecoder(FrameLimits.DEFAULT.withMaxHeaderBytes(options.maxHeaderBytes()));
        this.encoder = new FrameEncoder(options.maxHeaderBytes());
        this.readBuf = ByteBuffer.allocateDirect(options.ioBufferBytes()).flip();
        this.writeBuf = ByteBuffer.allocateDirect(Math.max(options.ioBufferBytes(), options.maxHeaderBytes() + 4 + COALESCE_BODY_BYTES));
        this.io = TimedChannel.connect(address, options);
        try {
            io.writeFully(ByteBuffer.wrap(Preamble.bytes()));
        } catch (IOException e) {
            io.close();
            throw e;
        }
    }

    /** Connects and sends the preamble. The server's preamble is checked with the first answer. */
    public static FerryClient connect(String host, int port) throws IOException {
        return connect(host, port, ClientOptions.defaults());
    }

    public static FerryClient connect(String host, int port, ClientOptions options) throws IOException {
        return new FerryClient(new InetSocketAddress(host, port), options);
    }

    public InetSocketAddress address() {
        return address;
    }

    public ClientOptions options() {
        return options;
    }

    /** Whether this connection is encrypted (TLS). */
    public boolean isTls() {
        return io.isTls();
    }

    /** The TLS protocol in use ({@code TLSv1.3}), or null on plaintext. */
    public String tlsProtocol() {
        return io.tlsProtocol();
    }

    /** The server's TLS certificate (for channel binding), or null on plaintext. */
    public X509Certificate serverCertificate() {
        return io.serverCertificate();
    }

    /** A fresh request id. */
    public long nextId() {
        return nextId++;
    }

    // ---- high level ------------------------------------------------------------------------

    /** HELLO: returns the server's answer (name, version, features, login); kept as {@link #lastHello()}. */
    public Header hello() throws IOException {
        Header h = call(Header.op(CoreProtocol.HELLO).put("client", options.clientName()));
        lastHello = h;
        return h;
    }

    /** The answer to the last {@link #hello()} on this connection, or null. */
    public Header lastHello() {
        return lastHello;
    }

    /** PING with {@code body}; returns the echoed body. */
    public byte[] ping(byte[] body) throws IOException {
        Header req = Header.op(CoreProtocol.PING).put(Header.ID, nextId());
        send(req, ByteBuffer.wrap(body));
        Header resp = expect(readHeader(), CoreProtocol.PONG, req.id());
        long size = resp.size();
        if (size != body.length) {
            throw new ProtocolException("PONG body is " + size + " bytes, sent " + body.length);
        }
        ByteBuffer out = ByteBuffer.allocate(body.length);
        while (out.hasRemaining() && readBody(out) >= 0) {
            // keep reading
        }
        return out.array();
    }

    /** PING without a body; returns the round trip in nanoseconds. */
    public long ping() throws IOException {
        long t0 = System.nanoTime();
        Header req = Header.op(CoreProtocol.PING).put(Header.ID, nextId());
        send(req);
        expect(readHeader(), CoreProtocol.PONG, req.id());
        return System.nanoTime() - t0;
    }

    /** BYE: the server answers and closes; then this client closes. */
    public void bye() throws IOException {
        try {
            call(Header.op(CoreProtocol.BYE));
        } finally {
            close();
        }
    }

    /**
     * Sends a request without body and returns its single answer header (an answer body, if any,
     * is left to read). An {@code id} is added when missing.
     *
     * @throws RemoteException the answer was an ERROR frame
     */
    public Header call(Header request) throws IOException {
        if (!request.has(Header.ID)) {
            request.put(Header.ID, nextId());
        }
        send(request);
        Header resp = readHeader();
        return expect(resp, null, request.id());
    }

    /**
     * Checks an answer: throws {@link RemoteException} for ERROR, and ProtocolException for a
     * mismatched id or an unexpected op (when {@code op} is not null).
     */
    public Header expect(Header resp, String op, long id) throws IOException {
        if (CoreProtocol.ERROR.equals(resp.op())) {
            if (resp.size() > 0) {
                skipBody();
            }
            throw new RemoteException(resp);
        }
        if (id >= 0 && resp.id() != id) {
            throw new ProtocolException("answer id " + resp.id() + " does not match request id " + id + ": " + resp);
        }
        if (op != null && !op.equals(resp.op())) {
            throw new ProtocolException("expected " + op + ", got " + resp);
        }
        return resp;
    }

    // ---- frame layer: writing ----------------------------------------------------------------

    /** Sends a header. If it declares a {@code size}, follow with {@link #sendBody} chunks. */
    public void send(Header header) throws IOException {
        writeBuf.clear();
        encoder.encode(header, writeBuf);
        io.writeFully(writeBuf.flip());
    }

    /** Sends a header with {@code body}'s remaining bytes as the body ({@code size} is set). */
    public void send(Header header, ByteBuffer body) throws IOException {
        header.put(Header.SIZE, (long) body.remaining());
        writeBuf.clear();
        encoder.encode(header, writeBuf);
        if (body.remaining() <= COALESCE_BODY_BYTES && body.remaining() <= writeBuf.remaining()) {
            writeBuf.put(body);
            io.writeFully(writeBuf.flip());
        } else {
            io.writeFully(new ByteBuffer[] {writeBuf.flip(), body});
        }
    }

    /** Sends body bytes for the frame last sent with a {@code size}. */
    public void sendBody(ByteBuffer chunk) throws IOException {
        io.writeFully(chunk);
    }

    /** Sends {@code count} bytes of a file as body bytes, zero-copy (sendfile). */
    public void sendFileBody(FileChannel file, long position, long count) throws IOException {
        io.transferFully(file, position, count);
    }

    // ---- frame layer: reading ----------------------------------------------------------------

    /**
     * Reads the next frame's header. If the previous frame's body was not fully read, the rest is
     * skipped first.
     */
    public Header readHeader() throws IOException {
        if (inBody) {
            skipBody();
        }
        sink.reset();
        pull(Integer.MAX_VALUE);
        if (sink.header == null) {
            throw new ProtocolException("expected a frame header");
        }
        Header h = sink.header;
        inBody = h.size() > 0;
        if (!inBody) {
            pull(0); // consume the frame end so the next read starts clean
        }
        return h;
    }

    /**
     * Hands the next chunk of the current body to {@code consumer}. Returns false (without calling
     * it) once the body is complete.
     */
    public boolean readBodyChunk(ChunkConsumer consumer) throws IOException {
        return readBodyChunk(consumer, Integer.MAX_VALUE);
    }

    private boolean readBodyChunk(ChunkConsumer consumer, int maxBytes) throws IOException {
        if (!inBody) {
            return false;
        }
        sink.reset();
        sink.consumer = consumer;
        try {
            pull(maxBytes);
        } finally {
            sink.consumer = null;
        }
        if (sink.ended) {
            inBody = false;
        }
        if (sink.error != null) {
            throw sink.error;
        }
        return sink.gotBody || !sink.ended;
    }

    /** Reads body bytes into {@code dst}; returns bytes read, or -1 once the body is complete. */
    public int readBody(ByteBuffer dst) throws IOException {
        int before = dst.position();
        while (inBody && dst.position() == before && dst.hasRemaining()) {
            readBodyChunk(dst::put, dst.remaining());
        }
        int n = dst.position() - before;
        return n == 0 && !inBody ? -1 : n;
    }

    /** Skips the rest of the current body. */
    public void skipBody() throws IOException {
        while (inBody) {
            readBodyChunk(chunk -> chunk.position(chunk.limit()));
        }
    }

    /** Bytes of the current body not yet read. */
    public long bodyRemaining() {
        return inBody ? decoder.bodyRemaining() : 0;
    }

    /** Runs the decoder until the sink pauses, reading from the socket as needed. */
    private void pull(int maxChunk) throws IOException {
        sink.paused = false;
        while (true) {
            int limit = readBuf.limit();
            if (readBuf.remaining() > maxChunk && decoder.state() == FrameDecoder.State.READ_BODY) {
                readBuf.limit(readBuf.position() + maxChunk);
            }
            try {
                decoder.decode(readBuf, sink);
            } finally {
                readBuf.limit(limit);
            }
            if (sink.paused) {
                return;
            }
            readBuf.compact();
            try {
                io.read(readBuf);
            } finally {
                readBuf.flip();
            }
        }
    }

    /** A sink that stops the decoder after each event so the client pulls one event at a time. */
    private static final class PullSink implements FrameSink {
        Header header;
        ChunkConsumer consumer;
        boolean gotBody;
        boolean ended;
        boolean paused;
        IOException error;

        void reset() {
            header = null;
            gotBody = false;
            ended = false;
            paused = false;
            error = null;
        }

        @Override
        public boolean onHeader(Header h) {
            header = h;
            paused = true;
            return false;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            gotBody = true;
            paused = true;
            if (consumer != null) {
                try {
                    consumer.accept(chunk);
                } catch (IOException e) {
                    error = e;
                }
            }
            return false;
        }

        @Override
        public boolean onFrameEnd() {
            ended = true;
            paused = true;
            return false;
        }
    }

    /** Closes the socket. Safe from any thread; a call blocked in this client fails at once. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            io.close();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }
}

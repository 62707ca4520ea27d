package ferry.reactor;

import ferry.protocol.tls.ChannelBinding;
import ferry.protocol.tls.TlsEngine;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * TLS over another {@link Transport}, as a decorator: the connection above reads and writes
 * plaintext, this class moves ciphertext through the transport below. One port serves both
 * kinds of client: the first byte from the peer decides (a TLS record of type handshake is
 * 0x16; Ferry's preamble starts with 'F'), and a plaintext peer is either passed through or,
 * when plaintext is not allowed for it, told so in one Ferry ERROR frame and closed.
 *
 * <p>Until the mode is known, and during the TLS handshake, the connection's writes take nothing
 * and its interest in writing is not passed down (no busy loop on a writable socket); once the
 * handshake is done it is told it can write. Handshake work runs on {@code tasks}; meanwhile the
 * socket is not read at all, so a storm of handshakes neither blocks the loop nor grows memory.
 * Ciphertext the connection's writes produced but the socket did not take yet keeps write
 * interest below, so it leaves even when the connection has nothing more to say.
 *
 * <p>Threading: the loop thread only (see {@link Transport}); the engine's tasks post back to it.
 */
public final class TlsTransport implements Transport, Transport.Listener {
    /** One enum, one switch per operation: what the first byte decided. */
    enum Mode { SNIFFING, TLS, PLAIN, REFUSING }

    /** First byte of a TLS record carrying a handshake message (RFC 8446 5.1). */
    static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final Transport inner;
    private final SSLContext context;
    private final boolean plaintextAllowed;
    private final ByteBuffer refusal;
    private final Executor tasks;
    private final Function<EventLoop, TlsLoopBuffers> buffers;
    private final ByteBuffer first = ByteBuffer.allocate(1);
    private TlsLoopBuffers pools;
    private EventLoop loop;
    private Listener listener;
    private Mode mode = Mode.SNIFFING;
    private TlsEngine engine;
    private int wanted; // the listener's interest
    private int innerInterest = -1;
    private boolean outputShut; // shutdownOutput asked: FIN below once close_notify has left
    private IOException failure;
    private byte[] channelBinding; // computed on first use

    /**
     * @param plaintextAllowed whether a peer that does not start a TLS handshake is served in plaintext
     * @param refusal          what a refused plaintext peer gets (a preamble and an ERROR frame), read mode
     * @param tasks            where the engine's delegated tasks run (a worker pool, never the loop)
     * @param buffers          the buffers of the loop this transport registers with
     */
    public TlsTransport(Transport inner, SSLContext context, boolean plaintextAllowed, ByteBuffer refusal, Executor tasks,
            Function<EventLoop, TlsLoopBuffers> buffers) {
        this.inner = inner;
        this.context = context;
        this.plaintextAllowed = plaintextAllowed;
        this.refusal = refusal.duplicate();
        this.tasks = tasks;
        this.buffers = buffers;
    }

    @Override
    public void register(EventLoop loop, Listener listener, int interestOps) throws IOException {
        this.loop = loop;
        this.pools = buffers.apply(loop);
        this.listener = listener;
        this.wanted = interestOps;
        innerInterest = below();
        inner.register(loop, this, innerInterest);
    }

    @Override
    public void interest(int ops) {
        wanted = ops;
        updateInner();
    }

    /** The interest to pass down: the listener's, adjusted to what the mode and the engine need. */
    private int below() {
        switch (mode) {
            case SNIFFING:
                return READ;
            case REFUSING:
                return (refusal.hasRemaining() ? WRITE : 0) | (wanted & READ);
            case PLAIN:
                return wanted;
            case TLS:
                int ops = engine.hasOutbound() ? WRITE : 0;
                switch (engine.state()) {
                    case RUNNING_TASKS:
                        return ops;
                    case HANDSHAKING:
                        return ops | READ;
                    default:
                        return ops | wanted;
                }
            default:
                throw new IllegalStateException(String.valueOf(mode));
        }
    }

    private void updateInner() {
        int ops = below();
        if (ops != innerInterest) {
            innerInterest = ops;
            inner.interest(ops);
        }
    }

    // ---- readiness from below ------------------------------------------------------------------

    @Override
    public void onReady(int readyOps) {
        int forward = 0;
        try {
            if ((readyOps & WRITE) != 0) {
                forward |= onWritable();
            }
            if ((readyOps & READ) != 0) {
                forward |= onReadable();
            }
        } catch (IOException e) {
            failure = e;
            forward |= READ; // the listener's next read reports it and closes
        }
        updateInner();
        if (forward != 0) {
            listener.onReady(forward);
        }
    }

    @Override
    public void onError(Throwable error) {
        listener.onError(error);
    }

    private int onWritable() throws IOException {
        switch (mode) {
            case REFUSING:
                inner.write(new ByteBuffer[] {refusal}, 0, 1);
                return 0;
            case PLAIN:
                return WRITE;
            case TLS:
                flushEngine();
                return !engine.hasOutbound() && engine.state() == TlsEngine.State.OPEN ? wanted & WRITE : 0;
            default:
                return 0;
        }
    }

    private int onReadable() throws IOException {
        switch (mode) {
            case SNIFFING:
                return sniff();
            case TLS:
                if (engine.state() != TlsEngine.State.OPEN) {
                    return handshake();
                }
                return READ;
            default:
                return READ;
        }
    }

    /** Reads the peer's first byte and picks the mode; returns what to tell the listener. */
    private int sniff() throws IOException {
        int n = inner.read(first);
        if (n < 0) {
            mode = Mode.PLAIN; // the listener reads the end of stream itself
            return READ;
        }
        if (n == 0) {
            return 0;
        }
        first.flip();
        if ((first.get(0) & 0xFF) == TLS_HANDSHAKE_RECORD) {
            SSLEngine ssl = context.createSSLEngine();
            ssl.setUseClientMode(false);
            mode = Mode.TLS;
            engine = new TlsEngine(ssl, pools.in(), pools.out(), tasks, loop::execute, this::tasksDone);
            return handshake();
        }
        if (plaintextAllowed) {
            mode = Mode.PLAIN;
            return READ | (wanted & WRITE);
        }
        mode = Mode.REFUSING;
        first.position(first.limit()); // the peer's bytes do not matter any more
        inner.write(new ByteBuffer[] {refusal}, 0, 1);
        return READ; // the listener reads an end of stream and closes
    }

    /** Moves the handshake on with what the socket has; returns what to tell the listener. */
    private int handshake() throws IOException {
        int n = engine.receiveFrom(this::readBelow);
        flushEngine();
        if (n < 0) {
            // Not an end of stream for the listener: its unsent preamble would wait for a
            // handshake that cannot finish. A failure closes at once.
            failure = new EOFException("peer closed the connection during the TLS handshake");
            return READ;
        }
        return opened();
    }

    /** After a handshake step: the listener may write (and read) once the engine is open. */
    private int opened() {
        if (engine.state() != TlsEngine.State.OPEN) {
            return 0;
        }
        return (wanted & WRITE) | (engine.hasPlaintext() || engine.isInboundDone() ? READ : 0);
    }

    /** The engine's delegated tasks finished; we are on the loop again. */
    private void tasksDone() {
        int forward;
        try {
            engine.advance();
            flushEngine();
            forward = opened();
            if (engine.state() == TlsEngine.State.HANDSHAKING && !engine.hasBufferedCiphertext()) {
                forward |= handshake(); // bytes that came while the tasks ran
            }
        } catch (IOException e) {
            failure = e;
            forward = READ;
        }
        updateInner();
        if (forward != 0 && inner.isOpen()) {
            listener.onReady(forward);
        }
    }

    /** Reads ciphertext: first the byte sniffing took, then the socket. */
    private int readBelow(ByteBuffer dst) throws IOException {
        if (first.hasRemaining()) {
            dst.put(first);
            return 1;
        }
        return inner.read(dst);
    }

    private void flushEngine() throws IOException {
        engine.flushTo(b -> inner.write(new ByteBuffer[] {b}, 0, 1));
        if (outputShut && !engine.hasOutbound()) {
            inner.shutdownOutput();
            outputShut = false;
        }
    }

    // ---- the listener's calls --------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (failure != null) {
            throw failure;
        }
        switch (mode) {
            case SNIFFING:
                return 0;
            case REFUSING:
                return -1;
            case PLAIN:
                return readBelow(dst);
            case TLS:
                return readTls(dst);
            default:
                throw new IllegalStateException(String.valueOf(mode));
        }
    }

    private int readTls(ByteBuffer dst) throws IOException {
        try {
            if (!engine.hasPlaintext() && !engine.isInboundDone() && engine.state() != TlsEngine.State.RUNNING_TASKS) {
                int n = engine.receiveFrom(this::readBelow);
                flushEngine();
                if (n < 0 && engine.state() != TlsEngine.State.OPEN) {
                    failure = new EOFException("peer closed the connection during the TLS handshake");
                    throw failure;
                }
                if (n < 0 && !engine.hasPlaintext()) {
                    return -1; // truncation or not, the stream ended: Ferry's framing tells a cut frame
                }
            }
            int n = engine.readPlaintext(dst);
            updateInner();
            return n;
        } catch (SSLException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public byte[] channelBinding() {
        if (mode != Mode.TLS || !engine.isHandshakeDone()) {
            return null;
        }
        if (channelBinding == null) {
            Certificate[] mine = engine.session().getLocalCertificates();
            if (mine == null || mine.length == 0 || !(mine[0] instanceof X509Certificate)) {
                return null;
            }
            channelBinding = ChannelBinding.tlsServerEndPoint((X509Certificate) mine[0]);
        }
        return channelBinding.clone();
    }

    @Override
    public boolean hasBufferedInput() {
        return mode == Mode.TLS && (engine.hasPlaintext() || engine.isInboundDone());
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (failure != null) {
            throw failure;
        }
        switch (mode) {
            case SNIFFING:
                return 0;
            case REFUSING:
                long all = 0;
                for (int i = offset; i < offset + length; i++) {
                    all += srcs[i].remaining();
                    srcs[i].position(srcs[i].limit()); // a refused peer gets the refusal, nothing else
                }
                return all;
            case PLAIN:
                return inner.write(srcs, offset, length);
            case TLS:
                return writeTls(srcs, offset, length);
            default:
                throw new IllegalStateException(String.valueOf(mode));
        }
    }

    /**
     * Encrypts into the output buffer and writes it out. Full records of a bulk write wait for the
     * next write while there is room for more, so the socket gets several records per write; a
     * short write (the end of a burst, an answer) leaves at once. What waits keeps write interest
     * below, so it leaves on the next loop pass even if no write follows.
     */
    private long writeTls(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        try {
            while (true) {
                long n = engine.wrap(srcs, offset, length);
                total += n;
                boolean bulk = n > 0 && n % TlsEngine.MAX_RECORD_PLAINTEXT == 0;
                if (bulk && engine.hasRoomForRecord()) {
                    break; // all taken (wrap stops only when out of input or room): the batch waits
                }
                flushEngine();
                if (engine.hasOutbound() || engine.state() != TlsEngine.State.OPEN || !anyRemaining(srcs, offset, length)) {
                    break; // the socket is full, or all was taken
                }
            }
        } catch (SSLException e) {
            failure = e;
            throw e;
        }
        updateInner();
        return total;
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (mode == Mode.PLAIN) {
            return inner.transferFrom(file, position, count);
        }
        throw new UnsupportedOperationException("TLS encrypts in user space: no sendfile");
    }

    /** A plaintext peer keeps sendfile; TLS (and an undecided peer) copies through buffers. */
    @Override
    public boolean isZeroCopy() {
        return mode == Mode.PLAIN && inner.isZeroCopy();
    }

    @Override
    public void shutdownOutput() throws IOException {
        switch (mode) {
            case TLS:
                engine.closeOutbound();
                outputShut = true;
                flushEngine();
                updateInner();
                return;
            case REFUSING:
                if (refusal.hasRemaining()) {
                    inner.write(new ByteBuffer[] {refusal}, 0, 1);
                }
                inner.shutdownOutput();
                return;
            default:
                inner.shutdownOutput();
        }
    }

    @Override
    public void close() {
        if (mode == Mode.REFUSING && loop != null) {
            // The peer's unread preamble would turn a plain close into a reset that destroys the
            // refusal before it is read.
            inner.closeLingering(loop, TimeUnit.MILLISECONDS.toNanos(Admission.LINGER_MILLIS), null);
            return;
        }
        inner.close();
        if (engine != null) {
            engine.release();
        }
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return inner.remoteAddress();
    }

    @Override
    public String toString() {
        return "tls(" + mode + ") over " + inner;
    }
}

package ferry.protocol.tls;

import ferry.protocol.BufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * Drives one {@link SSLEngine} between a byte pipe and its user, without doing I/O itself:
 * ciphertext comes in through {@link #receiveFrom}, plaintext goes out through
 * {@link #readPlaintext}; plaintext goes in through {@link #wrap}, ciphertext out through
 * {@link #flushTo}. The handshake, TLS 1.3 post-handshake messages and close_notify happen inside.
 *
 * <p>Buffers come from a {@link BufferPool} and go back as soon as they are empty, so an idle
 * connection holds none and a connection holds at most three (ciphertext in, plaintext in,
 * ciphertext out): reading stops while unread plaintext fills its buffer, wrapping stops while
 * unsent ciphertext fills its own. Memory per connection is bounded by the pool's buffer size.
 *
 * <p>Handshake work the engine hands out as delegated tasks (key exchange, certificate checks)
 * runs on {@code tasks} when one is given, never on the owner thread; meanwhile the state is
 * {@link State#RUNNING_TASKS} and nothing moves; when done, {@code onTasksDone} runs on
 * {@code owner}, which should call {@link #advance} again. Without {@code tasks} (a blocking
 * client) they run inline.
 *
 * <p>Only TLS 1.3 and 1.2 are enabled; a TLS 1.2 renegotiation is refused with an exception.
 *
 * <p>Thread safety: none. Every method is called by the owner thread only.
 */
public final class TlsEngine {
    /** Where the engine is. One switch in {@link #step()}. */
    public enum State { HANDSHAKING, RUNNING_TASKS, OPEN }

    /** Reads ciphertext like {@code ReadableByteChannel.read}: bytes read, 0, or -1 at end of stream. */
    @FunctionalInterface
    public interface Source {
        int read(ByteBuffer dst) throws IOException;
    }

    /** Writes ciphertext like {@code WritableByteChannel.write}: bytes written, possibly 0. */
    @FunctionalInterface
    public interface Sink {
        long write(ByteBuffer src) throws IOException;
    }

    /** Buffer size that holds any record of the JDK's engines, ciphertext or plaintext, in bytes. */
    public static final int RECORD_BUFFER_BYTES = 20 * 1024;
    /**
     * Output buffer size that holds four full records (4 x 16,709 bytes): bulk data leaves in
     * 64 KiB socket writes instead of one write per 16 KiB record.
     */
    public static final int BATCH_BUFFER_BYTES = 68 * 1024;
    /** Most plaintext bytes one record carries (TLS 1.2 and 1.3). */
    public static final int MAX_RECORD_PLAINTEXT = 16_384;
    /** The protocol versions Ferry speaks. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final BufferPool pool;
    private final BufferPool outPool;
    private final Executor tasks;
    private final Executor owner;
    private final Runnable onTasksDone;
    private State state = State.HANDSHAKING;
    private ByteBuffer netIn; // write mode: ciphertext received, not yet unwrapped
    private ByteBuffer appIn; // read mode: plaintext unwrapped, not yet read
    private ByteBuffer netOut; // read mode: ciphertext produced, not yet sent
    private boolean inboundDone;
    private boolean outboundClosed;
    private boolean released;

    /**
     * @param tasks       where delegated tasks run; null runs them inline
     * @param owner       where {@code onTasksDone} is posted; unused when {@code tasks} is null
     * @param onTasksDone runs on {@code owner} after delegated tasks finished
     */
    public TlsEngine(SSLEngine engine, BufferPool pool, Executor tasks, Executor owner, Runnable onTasksDone)
            throws SSLException {
        this(engine, pool, pool, tasks, owner, onTasksDone);
    }

    /**
     * @param pool    buffers for received ciphertext and its plaintext
     * @param outPool buffers for ciphertext to send (larger ones batch records into fewer writes)
     */
    public TlsEngine(SSLEngine engine, BufferPool pool, BufferPool outPool, Executor tasks, Executor owner,
            Runnable onTasksDone) throws SSLException {
        SSLSession s = engine.getSession();
        if (Math.max(s.getPacketBufferSize(), s.getApplicationBufferSize()) > Math.min(pool.bufferBytes(), outPool.bufferBytes())) {
            throw new IllegalArgumentException("TLS buffers of " + pool.bufferBytes() + " bytes are smaller than the engine's "
                    + s.getPacketBufferSize() + "-byte records");
        }
        this.engine = engine;
        this.pool = pool;
        this.outPool = outPool;
        this.tasks = tasks;
        this.owner = owner;
        this.onTasksDone = onTasksDone;
        String[] protocols = enabled(engine.getEnabledProtocols());
        if (protocols.length == 0) {
            throw new SSLException("neither TLS 1.3 nor TLS 1.2 is enabled");
        }
        engine.setEnabledProtocols(protocols);
        engine.beginHandshake();
    }

    /** The engine's enabled protocols less every one but TLS 1.3 and 1.2. */
    private static String[] enabled(String[] enabled) {
        List<String> out = new ArrayList<>(2);
        for (String p : PROTOCOLS) {
            if (List.of(enabled).contains(p)) {
                out.add(p);
            }
        }
        return out.toArray(new String[0]);
    }

    public State state() {
        return state;
    }

    public boolean isHandshakeDone() {
        return state == State.OPEN;
    }

    /** The negotiated session (peer certificates, protocol); meaningful once the handshake is done. */
    public SSLSession session() {
        return engine.getSession();
    }

    /** Whether the peer sent close_notify (its unread plaintext may still be waiting). */
    public boolean isInboundDone() {
        return inboundDone;
    }

    /** Whether plaintext is ready for {@link #readPlaintext}. */
    public boolean hasPlaintext() {
        return appIn != null && appIn.hasRemaining();
    }

    /** Whether ciphertext waits for {@link #flushTo}. */
    public boolean hasOutbound() {
        return netOut != null && netOut.hasRemaining();
    }

    /** Whether the output buffer has room for another full record (a bulk writer may wait to flush). */
    public boolean hasRoomForRecord() {
        return netOut == null || netOut.capacity() - netOut.remaining() >= engine.getSession().getPacketBufferSize();
    }

    /** Whether received ciphertext is buffered (a partial record, or records waiting for plaintext room). */
    public boolean hasBufferedCiphertext() {
        return netIn != null && netIn.position() > 0;
    }

    /**
     * Reads ciphertext from {@code src} into the engine's input buffer, then {@link #advance}s.
     * Returns what {@code src} returned: bytes read, 0, or -1 at end of stream (0 without reading
     * while the input buffer is full because plaintext waits to be read).
     */
    public int receiveFrom(Source src) throws IOException {
        if (released) {
            return -1;
        }
        if (netIn == null) {
            netIn = pool.acquire();
        }
        if (!netIn.hasRemaining()) {
            return 0;
        }
        int n = src.read(netIn);
        if (n > 0) {
            advance();
        }
        releaseEmpty();
        return n;
    }

    /** Moves plaintext into {@code dst}; returns bytes moved, or -1 once the peer closed and all was read. */
    public int readPlaintext(ByteBuffer dst) throws SSLException {
        if (!hasPlaintext()) {
            return inboundDone ? -1 : 0;
        }
        int n = Math.min(dst.remaining(), appIn.remaining());
        int limit = appIn.limit();
        appIn.limit(appIn.position() + n);
        dst.put(appIn);
        appIn.limit(limit);
        if (!appIn.hasRemaining()) {
            advance(); // records waiting for plaintext room
        }
        releaseEmpty();
        return n;
    }

    /**
     * Encrypts plaintext from {@code srcs} into the output buffer while it has room for a record;
     * returns plaintext bytes consumed (0 before the handshake is done or while output is full).
     */
    public long wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        if (state != State.OPEN || outboundClosed || released) {
            return 0;
        }
        long consumed = 0;
        while (true) {
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                if (!wrapControl()) {
                    break; // a post-handshake message (key update) goes first, and found no room
                }
                continue;
            }
            if (!anyRemaining(srcs, offset, length) || !outRoom()) {
                break;
            }
            SSLEngineResult r;
            try {
                r = engine.wrap(srcs, offset, length, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("TLS connection already closed");
            }
            consumed += r.bytesConsumed();
            if (r.bytesConsumed() == 0) {
                break;
            }
        }
        releaseEmpty();
        return consumed;
    }

    /** Sends buffered ciphertext to {@code sink} until it is empty or {@code sink} takes nothing. */
    public long flushTo(Sink sink) throws IOException {
        long total = 0;
        while (hasOutbound()) {
            long n = sink.write(netOut);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        if (!hasOutbound() && !released) {
            releaseEmpty();
            advance(); // a handshake step may have waited for output room
        }
        return total;
    }

    /** Queues close_notify (sent by the next {@link #flushTo}); later {@link #wrap}s take nothing. */
    public void closeOutbound() throws SSLException {
        if (outboundClosed || released) {
            return;
        }
        outboundClosed = true;
        engine.closeOutbound();
        if (state != State.RUNNING_TASKS) {
            while (wrapControl()) {
                // close_notify, possibly after a pending handshake message
            }
        }
    }

    /** Gives every buffer back; the engine is unusable afterwards. Idempotent. */
    public void release() {
        released = true;
        pool.release(netIn);
        pool.release(appIn);
        outPool.release(netOut);
        netIn = appIn = netOut = null;
    }

    /** Does every handshake, unwrap and control-wrap step that can be done now. */
    public void advance() throws SSLException {
        while (!released && step()) {
            // each step made progress
        }
        releaseEmpty();
    }

    private boolean step() throws SSLException {
        switch (state) {
            case RUNNING_TASKS:
                return false;
            case HANDSHAKING:
            case OPEN:
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK:
                        return runTasks();
                    case NEED_WRAP:
                        return wrapControl();
                    default:
                        return unwrapOnce();
                }
            default:
                throw new IllegalStateException(String.valueOf(state));
        }
    }

    private boolean unwrapOnce() throws SSLException {
        if (inboundDone || netIn == null || netIn.position() == 0 || !plaintextRoom()) {
            return false;
        }
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
            appIn.flip();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
                if (!netIn.hasRemaining()) {
                    throw new SSLException("TLS record larger than " + netIn.capacity() + " bytes");
                }
                return false;
            case BUFFER_OVERFLOW:
                return false; // plaintext room comes back once the reader takes what is there
            case CLOSED:
                inboundDone = true;
                return true; // the engine may want to answer with its own close_notify
            default:
                onHandshakeStatus(r.getHandshakeStatus());
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
        }
    }

    /** A wrap with no plaintext: a handshake message, a post-handshake one or close_notify. */
    private boolean wrapControl() throws SSLException {
        if (engine.isOutboundDone() || !outRoom()) {
            return false;
        }
        SSLEngineResult r;
        try {
            r = engine.wrap(EMPTY, netOut);
        } finally {
            netOut.flip();
        }
        if (r.getStatus() != SSLEngineResult.Status.CLOSED) {
            onHandshakeStatus(r.getHandshakeStatus());
        }
        return r.bytesProduced() > 0;
    }

    private void onHandshakeStatus(HandshakeStatus hs) throws SSLException {
        if (hs == HandshakeStatus.FINISHED || (state == State.HANDSHAKING && hs == HandshakeStatus.NOT_HANDSHAKING)) {
            state = State.OPEN;
        } else if (state == State.OPEN && hs != HandshakeStatus.NOT_HANDSHAKING
                && "TLSv1.2".equals(engine.getSession().getProtocol())) {
            throw new SSLException("TLS renegotiation refused");
        }
    }

    private boolean runTasks() throws SSLException {
        if (tasks == null) {
            Runnable t;
            while ((t = engine.getDelegatedTask()) != null) {
                t.run();
            }
            return true;
        }
        List<Runnable> work = new ArrayList<>(2);
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            work.add(t);
        }
        State resumeTo = state;
        state = State.RUNNING_TASKS;
        try {
            tasks.execute(() -> {
                try {
                    for (Runnable w : work) {
                        w.run(); // a failure is kept by the engine and thrown by its next wrap or unwrap
                    }
                } finally {
                    owner.execute(() -> {
                        state = resumeTo;
                        onTasksDone.run();
                    });
                }
            });
        } catch (RejectedExecutionException e) {
            state = resumeTo;
            throw new SSLException("TLS handshake refused: the server's workers are full", e);
        }
        return false;
    }

    /** Makes {@link #appIn} writable with room for a record; false (left readable) when there is none. */
    private boolean plaintextRoom() {
        if (appIn == null) {
            appIn = pool.acquire();
        } else {
            appIn.compact();
        }
        if (appIn.remaining() < engine.getSession().getApplicationBufferSize()) {
            appIn.flip();
            return false;
        }
        return true;
    }

    /** Makes {@link #netOut} writable with room for a record; false (left readable) when there is none. */
    private boolean outRoom() {
        if (netOut == null) {
            netOut = outPool.acquire();
        } else {
            netOut.compact();
        }
        if (netOut.remaining() < engine.getSession().getPacketBufferSize()) {
            netOut.flip();
            return false;
        }
        return true;
    }

    private void releaseEmpty() {
        if (netIn != null && netIn.position() == 0) {
            pool.release(netIn);
            netIn = null;
        }
        if (appIn != null && !appIn.hasRemaining()) {
            pool.release(appIn);
            appIn = null;
        }
        if (netOut != null && !netOut.hasRemaining()) {
            outPool.release(netOut);
            netOut = null;
        }
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}

package ferry.loadtest;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * What one {@link ClientConnection} writes: frames under its {@link WritePattern} (split into
 * separate write calls, or coalesced into one per batch), streamed bodies, and the output the
 * socket did not take, kept until it is writable again.
 *
 * <p>Threading: owned by the connection's {@link IoThread}; every method runs there.
 */
final class ConnectionOutput {
    private static final int LENGTH_PREFIX_BYTES = 4;
    /** Smallest buffer for output the socket did not take; grown by doubling when needed. */
    private static final int MIN_PENDING_BYTES = 4 * 1024;

    private final ClientConnection conn;
    private final IoThread io;
    private final WritePattern pattern;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean inBatch;
    private ByteBuffer pending; // write mode: bytes [0, position) wait for the socket

    ConnectionOutput(ClientConnection conn, IoThread io, WritePattern pattern) {
        this.conn = conn;
        this.io = io;
        this.pattern = pattern;
    }

    /** The connection's socket, once registered; nothing is written before. */
    void attach(SocketChannel channel, SelectionKey key) {
        this.channel = channel;
        this.key = key;
    }

    /** Output produced until {@link #endBatch} leaves in one write under the coalesced pattern. */
    void beginBatch() {
        inBatch = true;
        io.writeScratch().clear();
    }

    void endBatch() {
        inBatch = false;
        ByteBuffer w = io.writeScratch();
        if (w.position() > 0 && !conn.isClosed()) {
            emit(w.flip());
        }
        w.clear();
    }

    void writeFrame(Header h, ByteBuffer body, long patternBodyBytes) {
        FrameEncoder enc = io.encoder();
        int n = enc.prepare(h);
        ByteBuffer w = io.writeScratch();
        if (pattern == WritePattern.COALESCED && inBatch) {
            if (w.remaining() < n) {
                flushBatch();
            }
            enc.writePrepared(w);
            if (body != null) {
                appendToBatch(body);
            } else {
                appendPatternToBatch(patternBodyBytes);
            }
            return;
        }
        // SPLIT (or outside a batch): each part is its own write() call, as the seed did.
        if (inBatch) {
            flushBatch(); // keep order with anything batched before
        }
        w.clear();
        enc.writePrepared(w);
        w.flip();
        if (pattern == WritePattern.SPLIT) {
            w.limit(LENGTH_PREFIX_BYTES);
            emit(w);
            w.limit(n);
        }
        emit(w);
        w.clear();
        if (body != null) {
            emit(body);
        } else {
            long left = patternBodyBytes;
            while (left > 0 && !conn.isClosed()) {
                ByteBuffer p = io.payload((int) Math.min(left, io.payloadCapacity()));
                left -= p.remaining();
                emit(p);
            }
        }
    }

    private void appendToBatch(ByteBuffer src) {
        ByteBuffer w = io.writeScratch();
        while (src.hasRemaining() && !conn.isClosed()) {
            if (!w.hasRemaining()) {
                flushBatch();
            }
            int n = Math.min(w.remaining(), src.remaining());
            w.put(w.position(), src, src.position(), n);
            w.position(w.position() + n);
            src.position(src.position() + n);
        }
    }

    private void appendPatternToBatch(long bytes) {
        long left = bytes;
        while (left > 0 && !conn.isClosed()) {
            ByteBuffer p = io.payload((int) Math.min(left, io.payloadCapacity()));
            left -= p.remaining();
            appendToBatch(p);
        }
    }

    private void flushBatch() {
        ByteBuffer w = io.writeScratch();
        if (w.position() > 0) {
            emit(w.flip());
            w.clear();
        }
    }

    /** Writes {@code src} now (one write call), buffering what the socket does not take. */
    void emit(ByteBuffer src) {
        if (conn.isClosed()) {
            src.position(src.limit());
            return;
        }
        if (pending != null && pending.position() > 0) {
            appendPending(src);
            return;
        }
        try {
            int n = channel.write(src);
            io.wrote(n);
        } catch (IOException e) {
            conn.failConnection(ClientConnection.ioErrorKind(e), e.toString());
            src.position(src.limit());
            return;
        }
        if (src.hasRemaining()) {
            appendPending(src);
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void appendPending(ByteBuffer src) {
        int need = src.remaining();
        if (pending == null || pending.remaining() < need) {
            int used = pending == null ? 0 : pending.position();
            int cap = Math.max(MIN_PENDING_BYTES, Integer.highestOneBit(used + need - 1) << 1);
            ByteBuffer bigger = ByteBuffer.allocateDirect(cap);
            if (pending != null) {
                bigger.put(pending.flip());
            }
            pending = bigger;
        }
        pending.put(src);
    }

    /** Streams more body bytes of the request last sent (for large uploads). */
    void sendBody(ByteBuffer chunk) {
        if (pattern == WritePattern.COALESCED && inBatch) {
            appendToBatch(chunk);
        } else {
            emit(chunk);
        }
    }

    /**
     * Writes as much of {@code chunk} (more body of the request last sent) as the socket takes
     * now, without copying: what is left stays in {@code chunk}, and the script's
     * {@link ConnectionScript#onWritable} runs when the socket has room again. Returns whether
     * all of it was written. For streaming large bodies without buffering them.
     */
    boolean offerBody(ByteBuffer chunk) {
        if (conn.isClosed()) {
            chunk.position(chunk.limit());
            return false;
        }
        if (inBatch) {
            flushBatch(); // keep order with the header batched before
        }
        if (pending != null && pending.position() > 0) {
            return false; // onWritable will come once pending drained
        }
        try {
            int n = channel.write(chunk);
            io.wrote(n);
        } catch (IOException e) {
            conn.failConnection(ClientConnection.ioErrorKind(e), e.toString());
            chunk.position(chunk.limit());
            return false;
        }
        if (chunk.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return false;
        }
        return true;
    }

    /** Output buffered because the socket was full. */
    int pendingBytes() {
        return pending == null ? 0 : pending.position();
    }

    /**
     * The socket has room: writes what waits. Returns whether all output is out, so the script
     * may go on with a body it offered.
     */
    boolean onWritable() {
        if (pending == null || pending.position() == 0) {
            key.interestOps(SelectionKey.OP_READ);
            return true;
        }
        pending.flip();
        try {
            int n = channel.write(pending);
            io.wrote(n);
        } catch (IOException e) {
            conn.failConnection(ClientConnection.ioErrorKind(e), e.toString());
            return false;
        } finally {
            if (pending != null) {
                pending.compact();
            }
        }
        if (pending.position() == 0) {
            pending = null; // idle connections hold no output buffer
            key.interestOps(SelectionKey.OP_READ);
            return true;
        }
        return false;
    }

    /** The connection closed: drops what waits for the socket. */
    void release() {
        pending = null;
    }
}

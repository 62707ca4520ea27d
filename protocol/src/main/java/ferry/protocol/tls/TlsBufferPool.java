package ferry.protocol.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A bounded free list of same-sized heap buffers for TLS records, so a connection holds record
 * buffers only while bytes are in them (an idle TLS connection holds none) and a busy loop reuses
 * a few instead of allocating per record. Heap rather than direct: {@code SSLEngine} encrypts heap
 * buffers faster (it copies a direct one through the heap anyway for AES-GCM).
 *
 * <p>Thread safety: none; owned by one thread (an event loop, or one client connection).
 */
public final class TlsBufferPool {
    private final int bufferBytes;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    /**
     * @param bufferBytes capacity of each buffer; at least the engine's packet and application
     *                    buffer sizes ({@link TlsEngine#RECORD_BUFFER_BYTES} fits every JDK engine)
     * @param maxPooled   free buffers kept at most; more released buffers go to the garbage collector
     */
    public TlsBufferPool(int bufferBytes, int maxPooled) {
        if (bufferBytes <= 0 || maxPooled < 0) {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + " maxPooled=" + maxPooled);
        }
        this.bufferBytes = bufferBytes;
        this.maxPooled = maxPooled;
    }

    /** A cleared buffer of {@link #bufferBytes()} capacity. */
    public ByteBuffer acquire() {
        ByteBuffer b = free.pollFirst();
        if (b == null) {
            allocated++;
            return ByteBuffer.allocate(bufferBytes);
        }
        return b.clear();
    }

    /** Gives back a buffer from {@link #acquire()}; buffers of another size are dropped. */
    public void release(ByteBuffer b) {
        if (b != null && !b.isDirect() && b.capacity() == bufferBytes && free.size() < maxPooled) {
            free.addFirst(b);
        }
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** Free buffers held now. */
    public int pooled() {
        return free.size();
    }

    /** Buffers allocated over the pool's life. */
    public long allocated() {
        return allocated;
    }
}

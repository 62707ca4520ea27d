package ferry.reactor;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A free list of same-sized direct buffers for socket I/O, so the hot path reuses buffers instead
 * of allocating one per frame. Direct buffers because the JDK copies heap buffers into a temporary
 * direct buffer on every socket write.
 *
 * <p>Bounded: at most {@code maxPooled} free buffers are kept; beyond that, released buffers are
 * left to the garbage collector, so a burst does not pin memory for ever.
 *
 * <p>Thread safety: none. Owned by one event loop thread.
 */
public final class BufferPool {
    private final int bufferBytes;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    public BufferPool(int bufferBytes, int maxPooled) {
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
            return ByteBuffer.allocateDirect(bufferBytes);
        }
        return b.clear();
    }

    /** Returns a buffer obtained from {@link #acquire()}; other buffers are ignored. */
    public void release(ByteBuffer b) {
        if (b.isDirect() && b.capacity() == bufferBytes && free.size() < maxPooled) {
            free.addFirst(b); // LIFO: the most recently used buffer is the warmest in cache
        }
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** Free buffers held now. */
    public int pooled() {
        return free.size();
    }

    /** Buffers allocated over the pool's life (a steady number means reuse works). */
    public long allocated() {
        return allocated;
    }
}

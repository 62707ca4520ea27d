package ferry.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A free list of same-sized buffers, so a hot path reuses buffers instead of allocating one per
 * frame or record. {@link #direct} buffers for socket I/O (the JDK copies a heap buffer into a
 * temporary direct one on every socket write); {@link #heap} ones for TLS records
 * ({@code SSLEngine} encrypts heap buffers faster, copying a direct one through the heap anyway).
 *
 * <p>Bounded: at most {@code maxPooled} free buffers are kept; beyond that, released buffers are
 * left to the garbage collector, so a burst does not pin memory for ever.
 *
 * <p>Thread safety: none. Owned by one thread (an event loop, or one client connection).
 */
public final class BufferPool {
    private final int bufferBytes;
    private final int maxPooled;
    private final boolean direct;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    private BufferPool(int bufferBytes, int maxPooled, boolean direct) {
        if (bufferBytes <= 0 || maxPooled < 0) {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + " maxPooled=" + maxPooled);
        }
        this.bufferBytes = bufferBytes;
        this.maxPooled = maxPooled;
        this.direct = direct;
    }

    /** A pool of direct buffers of {@code bufferBytes}, keeping at most {@code maxPooled} free. */
    public static BufferPool direct(int bufferBytes, int maxPooled) {
        return new BufferPool(bufferBytes, maxPooled, true);
    }

    /** A pool of heap buffers of {@code bufferBytes}, keeping at most {@code maxPooled} free. */
    public static BufferPool heap(int bufferBytes, int maxPooled) {
        return new BufferPool(bufferBytes, maxPooled, false);
    }

    /** A cleared buffer of {@link #bufferBytes()} capacity. */
    public ByteBuffer acquire() {
        ByteBuffer b = free.pollFirst();
        if (b == null) {
            allocated++;
            return direct ? ByteBuffer.allocateDirect(bufferBytes) : ByteBuffer.allocate(bufferBytes);
        }
        return b.clear();
    }

    /** Returns a buffer obtained from {@link #acquire()}; other buffers (and null) are ignored. */
    public void release(ByteBuffer b) {
        if (b != null && b.isDirect() == direct && b.capacity() == bufferBytes && free.size() < maxPooled) {
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

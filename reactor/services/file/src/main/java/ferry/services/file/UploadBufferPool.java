package ferry.services.file;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers that carry upload bytes from the loop (which copies request body chunks into
 * them) to the workers (which write them to the temp file with positional writes). Direct, so the
 * worker's {@code FileChannel.write} does not copy them again into a temporary native buffer.
 * Each starts on a {@link #ALIGNMENT_BYTES} boundary of memory, as {@code O_DIRECT} writes require.
 *
 * <p>Bounded: at most {@code maxPooled} free buffers are kept. How many are in use at once is
 * bounded by the service (uploads at once x buffers per upload).
 *
 * <p>Thread safety: acquired on a loop, released on a loop or a worker; safe from any thread.
 */
final class UploadBufferPool {
    /**
     * Memory alignment of every buffer: what {@code O_DIRECT} needs on filesystems whose block
     * size divides it (4 KiB covers the usual 512-byte and 4 KiB blocks).
     */
    static final int ALIGNMENT_BYTES = 4096;

    private final int bufferBytes;
    private final int maxPooled;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();
    private final AtomicLong allocated = new AtomicLong();

    public UploadBufferPool(int bufferBytes, int maxPooled) {
        this.bufferBytes = bufferBytes;
        this.maxPooled = maxPooled;
    }

    /** A cleared buffer of {@link #bufferBytes()}. */
    public ByteBuffer acquire() {
        ByteBuffer b = free.poll();
        if (b != null) {
            pooled.decrementAndGet();
            return b.clear();
        }
        allocated.incrementAndGet();
        // alignedSlice rounds both ends inwards: one block of slack on a block-rounded size
        int rounded = (bufferBytes + ALIGNMENT_BYTES - 1) / ALIGNMENT_BYTES * ALIGNMENT_BYTES;
        return ByteBuffer.allocateDirect(rounded + ALIGNMENT_BYTES).alignedSlice(ALIGNMENT_BYTES)
                .limit(bufferBytes).slice();
    }

    public void release(ByteBuffer b) {
        if (b.capacity() == bufferBytes && pooled.incrementAndGet() <= maxPooled) {
            free.offer(b);
        } else {
            pooled.decrementAndGet(); // left to the GC
        }
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** Buffers allocated over the pool's life; a steady number means reuse works. */
    public long allocated() {
        return allocated.get();
    }
}

package ferry.reactor.file;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers that carry upload bytes from the loop (which copies request body chunks into
 * them) to the workers (which write them to the temp file with positional writes). Direct, so the
 * worker's {@code FileChannel.write} does not copy them again into a temporary native buffer.
 *
 * <p>Bounded: at most {@code maxPooled} free buffers are kept. How many are in use at once is
 * bounded by the service (uploads at once x buffers per upload).
 *
 * <p>Thread safety: acquired on a loop, released on a loop or a worker; safe from any thread.
 */
final class UploadBufferPool {
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
        return ByteBuffer.allocateDirect(bufferBytes);
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

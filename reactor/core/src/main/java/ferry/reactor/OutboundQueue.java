package ferry.reactor;

import ferry.protocol.BufferPool;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Bytes and file regions waiting to go out on one connection, in order.
 *
 * <p>Small frames are encoded straight into a pooled direct "tail" buffer, so many responses
 * produced in one loop iteration leave in one gathering write. Buffers handed over by a caller
 * and file regions are queued as they are, without copying.
 *
 * <p>{@link #pendingBytes()} counts buffered bytes (not file regions, which hold no memory) and is
 * what the high/low-water backpressure compares against.
 *
 * <p>Thread safety: none. Owned by the connection's event loop thread.
 */
final class OutboundQueue {
    /** Wraps a caller's buffer so it is never put in the pool. */
    private record Owned(ByteBuffer buf) {}

    private final BufferPool pool;
    private final ArrayDeque<Object> items = new ArrayDeque<>(4); // ByteBuffer (pooled) | Owned | FileRegion
    private ByteBuffer tail; // pooled, in write mode, not yet in items
    private long pendingBytes;

    OutboundQueue(BufferPool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return items.isEmpty() && (tail == null || tail.position() == 0);
    }

    long pendingBytes() {
        return pendingBytes;
    }

    /** Encodes a header frame at the end of the queue. */
    void appendFrame(FrameEncoder encoder, Header header) {
        int n = encoder.prepare(header);
        pendingBytes += n;
        if (n > pool.bufferBytes()) {
            // A header bigger than a pooled buffer: rare, since headers are usually tens of bytes.
            sealTail();
            ByteBuffer big = ByteBuffer.allocate(n);
            encoder.writePrepared(big);
            items.addLast(new Owned(big.flip()));
            return;
        }
        encoder.writePrepared(tailWithRoom(n));
    }

    /** Copies {@code src}'s remaining bytes to the end of the queue (consuming them). */
    void appendCopy(ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer t = tailWithRoom(1);
            int n = Math.min(t.remaining(), src.remaining());
            int oldLimit = src.limit();
            src.limit(src.position() + n);
            t.put(src);
            src.limit(oldLimit);
            pendingBytes += n;
        }
    }

    /** Queues a copy of {@code src} (the caller keeps it; no buffer view is made for it). */
    void appendCopy(byte[] src) {
        int off = 0;
        while (off < src.length) {
            ByteBuffer t = tailWithRoom(1);
            int n = Math.min(t.remaining(), src.length - off);
            t.put(src, off, n);
            off += n;
            pendingBytes += n;
        }
    }

    /** Queues {@code buf}'s remaining bytes; the queue owns it now. Small buffers are copied. */
    void appendOwned(ByteBuffer buf) {
        int n = buf.remaining();
        if (n == 0) {
            return;
        }
        if (tail != null && tail.remaining() >= n || n <= pool.bufferBytes() / 4) {
            appendCopy(buf);
            return;
        }
        sealTail();
        items.addLast(new Owned(buf));
        pendingBytes += n;
    }

    void appendRegion(FileRegion region) {
        sealTail();
        items.addLast(region);
    }

    /** Moves everything from {@code other} to the end of this queue, leaving {@code other} empty. */
    void appendAll(OutboundQueue other) {
        other.sealTail();
        if (!other.items.isEmpty()) {
            sealTail();
            items.addAll(other.items);
            other.items.clear();
        }
        pendingBytes += other.pendingBytes;
        other.pendingBytes = 0;
    }

    /** The tail buffer with at least {@code n} (at most a pooled buffer's size) bytes free. */
    private ByteBuffer tailWithRoom(int n) {
        if (tail != null && tail.remaining() >= n) {
            return tail;
        }
        sealTail();
        tail = pool.acquire();
        return tail;
    }

    private void sealTail() {
        if (tail == null) {
            return;
        }
        ByteBuffer t = tail;
        tail = null;
        if (t.position() == 0) {
            pool.release(t);
            return;
        }
        items.addLast(t.flip());
    }

    /**
     * Writes as much as the transport takes, up to {@code budgetBytes} (so one connection cannot
     * monopolise the loop). Returns bytes written.
     *
     * @param iov a scratch array for gathering writes, owned by the loop
     * @param copyScratch a direct buffer for file regions on the copy path, owned by the loop
     */
    long flush(Transport transport, long budgetBytes, ByteBuffer[] iov, ByteBuffer copyScratch) throws IOException {
        sealTail();
        long written = 0;
        while (!items.isEmpty() && written < budgetBytes) {
            Object head = items.peekFirst();
            if (head instanceof FileRegion) {
                FileRegion r = (FileRegion) head;
                long n = r.sendTo(transport, budgetBytes - written, copyScratch);
                written += n;
                if (r.isDone()) {
                    items.pollFirst();
                    r.release(null);
                    continue;
                }
                if (n == 0) {
                    break; // socket full
                }
                continue;
            }
            int cnt = 0;
            for (Object o : items) {
                if (o instanceof FileRegion || cnt == iov.length) {
                    break;
                }
                iov[cnt++] = o instanceof Owned ? ((Owned) o).buf() : (ByteBuffer) o;
            }
            long n;
            try {
                n = transport.write(iov, 0, cnt);
            } finally {
                Arrays.fill(iov, 0, cnt, null);
            }
            written += n;
            pendingBytes -= n;
            boolean blocked = false;
            while (!items.isEmpty() && !(items.peekFirst() instanceof FileRegion)) {
                Object o = items.peekFirst();
                ByteBuffer b = o instanceof Owned ? ((Owned) o).buf() : (ByteBuffer) o;
                if (b.hasRemaining()) {
                    blocked = true;
                    break;
                }
                items.pollFirst();
                if (!(o instanceof Owned)) {
                    pool.release(b);
                }
            }
            if (blocked || n == 0) {
                break;
            }
        }
        return written;
    }

    /** Drops everything: pooled buffers go back, regions are released with {@code cause}. */
    void discard(Throwable cause) {
        sealTail();
        Object o;
        while ((o = items.pollFirst()) != null) {
            if (o instanceof FileRegion) {
                ((FileRegion) o).release(cause);
            } else if (o instanceof ByteBuffer) {
                pool.release((ByteBuffer) o);
            }
        }
        pendingBytes = 0;
    }
}

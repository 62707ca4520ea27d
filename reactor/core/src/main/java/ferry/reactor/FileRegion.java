package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A range of a file queued for sending on a connection. On a zero-copy {@link Transport} it goes
 * out with {@code FileChannel.transferTo} (sendfile: page cache to socket, no copy through the
 * heap); otherwise, or when the transport refuses, it is copied through a pooled direct buffer.
 *
 * <p>Traps handled here (each has a test):
 * <ul>
 *   <li>one {@code transferTo} moves at most ~2 GiB, so sending loops on the position with 64-bit
 *       arithmetic;</li>
 *   <li>{@code transferTo} returns 0 both when the socket is full and when the file shrank under
 *       the transfer; the second is detected by the file's size and ends the transfer with an
 *       error instead of spinning. The size is looked up only when a call moved nothing (after a
 *       call that filled the socket, the next comes with room again), so a large transfer does
 *       not pay an {@code fstat} per write event;</li>
 *   <li>a transport without sendfile (TLS, or an operator's {@code zeroCopy=false} for a
 *       filesystem that misbehaves) uses the copy path.</li>
 * </ul>
 *
 * <p>Thread safety: created on any thread, then owned by the event loop of its connection.
 */
public final class FileRegion {
    /** Completion callback: bytes sent and the error that ended it early (null on success). */
    @FunctionalInterface
    public interface Listener {
        void onComplete(FileRegion region, long bytesSent, Throwable error);
    }

    /** Largest single transferTo request; the kernel and JDK cap one call near 2 GiB anyway. */
    static final long MAX_BYTES_PER_TRANSFER_CALL = Integer.MAX_VALUE;

    private final FileChannel file;
    private final long start;
    private final long count;
    private final boolean closeWhenDone;
    private long position;
    private boolean copyMode;
    private boolean released;
    private Listener listener;

    /**
     * @param closeWhenDone close {@code file} when the region is finished or dropped
     */
    public FileRegion(FileChannel file, long position, long count, boolean closeWhenDone) {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position=" + position + " count=" + count);
        }
        this.file = file;
        this.start = position;
        this.position = position;
        this.count = count;
        this.closeWhenDone = closeWhenDone;
    }

    /** Called once when the region is fully sent, fails, or is dropped with its connection. */
    public FileRegion whenDone(Listener l) {
        this.listener = l;
        return this;
    }

    /** Forces the buffered copy path even on a zero-copy transport. */
    public FileRegion copyMode(boolean on) {
        this.copyMode = on;
        return this;
    }

    public boolean isCopyMode() {
        return copyMode;
    }

    public long count() {
        return count;
    }

    public long remaining() {
        return start + count - position;
    }

    public long sent() {
        return position - start;
    }

    public boolean isDone() {
        return position == start + count;
    }

    /**
     * Sends up to {@code maxBytes} more. Returns bytes sent; 0 means the transport cannot take more
     * now (wait for it to be writable).
     *
     * @param scratch a direct buffer for the copy path; its contents are not kept between calls
     * @throws IOException the socket failed, or the file shrank under the transfer
     */
    long sendTo(Transport transport, long maxBytes, ByteBuffer scratch) throws IOException {
        long want = Math.min(maxBytes, remaining());
        if (want <= 0) {
            return 0;
        }
        if (!copyMode && transport.isZeroCopy()) {
            long total = 0;
            while (total < want) {
                long n;
                try {
                    n = transport.transferFrom(file, position, Math.min(want - total, MAX_BYTES_PER_TRANSFER_CALL));
                } catch (UnsupportedOperationException e) {
                    copyMode = true; // this transport/filesystem cannot do it: fall back for good
                    return total + copyTo(transport, want - total, scratch);
                }
                if (n <= 0) {
                    if (total == 0) {
                        // Nothing moved although the socket was reported writable: a shrunk file
                        // (checked here, once) rather than the usual full socket, which ends a
                        // call that did move bytes and costs no size lookup.
                        checkNotShrunk();
                    }
                    break;
                }
                position += n;
                total += n;
            }
            return total;
        }
        return copyTo(transport, want, scratch);
    }

    /** The buffered path: positional read into {@code scratch}, then a socket write. */
    private long copyTo(Transport transport, long want, ByteBuffer scratch) throws IOException {
        long total = 0;
        ByteBuffer[] one = {scratch};
        while (total < want) {
            scratch.clear();
            if (scratch.remaining() > want - total) {
                scratch.limit((int) (want - total));
            }
            int r = file.read(scratch, position);
            if (r <= 0) {
                checkNotShrunk();
                throw new IOException("file read returned " + r + " at offset " + position + " before the end of the region");
            }
            scratch.flip();
            long w = transport.write(one, 0, 1);
            position += w;
            total += w;
            if (scratch.hasRemaining()) {
                break; // socket full; the unsent tail is read again next time, from the page cache
            }
        }
        return total;
    }

    private void checkNotShrunk() throws IOException {
        long size = file.size();
        if (size < start + count) {
            throw new IOException("file shrank under the transfer: " + (start + count) + " bytes expected, "
                    + size + " now (sent " + sent() + " of " + count + ")");
        }
    }

    /** Ends the region: closes the file if owned and tells the listener. Idempotent. */
    void release(Throwable error) {
        if (released) {
            return;
        }
        released = true;
        if (closeWhenDone) {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing useful to do: the transfer outcome is already decided
            }
        }
        if (listener != null) {
            listener.onComplete(this, sent(), error != null ? error : (isDone() ? null : new IOException("connection closed")));
        }
    }
}

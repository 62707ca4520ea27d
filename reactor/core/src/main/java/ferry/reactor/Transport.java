package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The byte pipe under a connection. The plain implementation is the socket itself; a TLS one
 * (through {@code SSLEngine}) will wrap it, report {@link #isZeroCopy()} false, and so make file
 * regions go through the buffered path beside the zero-copy one.
 *
 * <p>All methods are non-blocking and called only by the connection's event loop thread.
 */
public interface Transport {
    /** Like {@link java.nio.channels.ReadableByteChannel#read}: bytes read, 0, or -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Gathering write; returns bytes written, possibly 0 when the socket buffer is full. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position} without copying them
     * through the heap (sendfile). Returns bytes sent, possibly 0.
     *
     * @throws UnsupportedOperationException when {@link #isZeroCopy()} is false
     */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    /** Whether {@link #transferFrom} is available. */
    boolean isZeroCopy();
}

package ferry.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The byte pipe under a connection (Jetty's {@code EndPoint}): readiness, reading, writing, and
 * every way of closing. A connection talks to its peer only through this interface, so a TLS
 * transport can wrap the plain socket one ({@link SocketTransport}) as a decorator: it reports
 * {@link #isZeroCopy()} false (file regions then take the buffered path), keeps decrypted bytes
 * the selector does not see ({@link #hasBufferedInput()}), and adds its own needs to the interest
 * set it passes down (a handshake may have to write while the connection only wants to read).
 *
 * <p>Readiness: {@link #register} ties the transport to a loop and a {@link Listener}; the
 * transport then calls {@link Listener#onReady} with {@link #READ} and/or {@link #WRITE} when it
 * can make progress on an op in the {@link #interest} set. Input the transport buffers itself is
 * not announced that way: the reader asks {@link #hasBufferedInput()} whenever it wants input
 * and reads on while the answer is true. A decorator with needs of its own (a TLS handshake that
 * must write while the connection only reads) registers itself as the wrapped transport's
 * listener, passes down the union of its needs and the connection's interest, and tells the
 * connection only about readiness the connection asked for.
 *
 * <p>Threading: all methods are non-blocking and called only on the loop thread the transport is
 * registered with (before {@link #register}, by the thread that owns the transport).
 */
public interface Transport {
    /** Interest in, and readiness for, input. Same bit as {@code SelectionKey.OP_READ}. */
    int READ = 1;
    /** Interest in, and readiness for, room to write. Same bit as {@code SelectionKey.OP_WRITE}. */
    int WRITE = 4;

    /** Who is told about readiness. Called on the loop thread only. */
    interface Listener {
        /** The transport can make progress on {@code readyOps} (a mask of {@link #READ} and {@link #WRITE}). */
        void onReady(int readyOps);

        /** An exception escaped {@link #onReady}; the listener should close the transport. */
        void onError(Throwable error);
    }

    /**
     * Starts delivering readiness for {@code interestOps} to {@code listener} on {@code loop}.
     * Called again on a registered transport, it hands readiness to a new listener (as the
     * lingering close takes over a connection's socket) and sets the new interest.
     */
    void register(EventLoop loop, Listener listener, int interestOps) throws IOException;

    /** Sets the interest set (a mask of {@link #READ} and {@link #WRITE}); no-op once closed. */
    void interest(int ops);

    /** Like {@link java.nio.channels.ReadableByteChannel#read}: bytes read, 0, or -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Whether input is buffered inside the transport, readable now without the peer sending more
     * (decrypted TLS records). A plain socket never has any: its buffer is the kernel's.
     */
    boolean hasBufferedInput();

    /** Gathering write; returns bytes written, possibly 0 when there is no room. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position} without copying them
     * through the heap (sendfile). Returns bytes sent, possibly 0.
     *
     * @throws UnsupportedOperationException when {@link #isZeroCopy()} is false
     */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    /**
     * The {@code tls-server-end-point} channel binding data (RFC 5929) once a TLS handshake is
     * done: the hash of the certificate this side presented. Null for plaintext (the default).
     */
    default byte[] channelBinding() {
        return null;
    }

    /** Whether {@link #transferFrom} is available. */
    boolean isZeroCopy();

    /** Ends our direction of the stream (FIN after the data written so far); input stays open. */
    void shutdownOutput() throws IOException;

    /** Closes at once and stops readiness; idempotent, never throws. */
    void close();

    /**
     * Closes after everything was written while the peer may still be sending: shuts our output,
     * then discards input until end of stream or {@code lingerNanos}, and closes. Closing with
     * unread input makes the kernel send a reset, which can destroy the last frame (an ERROR saying
     * why) before the peer reads it. Takes over readiness from the current listener. Runs
     * {@code onClosed} (may be null) once, on the loop, when the transport is finally closed.
     */
    default void closeLingering(EventLoop loop, long lingerNanos, Runnable onClosed) {
        new LingeringClose(this, loop, lingerNanos, onClosed).start();
    }

    /** Whether {@link #close} has not been called (nor a lingering close finished). */
    boolean isOpen();

    /** The peer's address (for a decorator, the address of the socket under it). */
    InetSocketAddress remoteAddress();
}

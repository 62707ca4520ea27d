package ferry.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * Blocking reads and writes with timeouts over a non-blocking socket and a private selector:
 * a blocking {@code SocketChannel} has no read timeout, and a socket stream cannot sendfile.
 *
 * <p>Thread safety: one reading thread and one writing thread may use it at the same time (a
 * request body streamed by one thread while another reads the answers, as exec's stdin needs):
 * reads and writes wait on separate selectors. Otherwise one thread at a time.
 */
final class TimedChannel implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector readSelector;
    private final SelectionKey readKey;
    private final Selector writeSelector;
    private final SelectionKey writeKey;
    private final long timeoutMillis;
    private TlsIo tls; // null for plaintext; set once, by connect

    private TimedChannel(SocketChannel channel, Selector readSelector, SelectionKey readKey,
                         Selector writeSelector, SelectionKey writeKey, long timeoutMillis) {
        this.channel = channel;
        this.readSelector = readSelector;
        this.readKey = readKey;
        this.writeSelector = writeSelector;
        this.writeKey = writeKey;
        this.timeoutMillis = timeoutMillis;
    }

    static TimedChannel connect(InetSocketAddress address, ClientOptions o) throws IOException {
        SocketChannel ch = SocketChannel.open();
        Selector sel = null;
        Selector writeSel = null;
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, o.tcpNoDelay());
            sel = Selector.open();
            SelectionKey k = ch.register(sel, SelectionKey.OP_CONNECT);
            if (!ch.connect(address)) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.connectTimeoutMillis());
                while (!ch.finishConnect()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new SocketTimeoutException("connect to " + address + " timed out after " + o.connectTimeoutMillis() + " ms");
                    }
                    sel.select(left);
                    sel.selectedKeys().clear();
                }
            }
            k.interestOps(0);
            writeSel = Selector.open();
            SelectionKey wk = ch.register(writeSel, 0);
            TimedChannel tc = new TimedChannel(ch, sel, k, writeSel, wk, o.readTimeoutMillis());
            if (o.tls() != null) {
                tc.tls = TlsIo.handshake(tc, o.tls().newEngine(address.getHostString(), address.getPort()));
            }
            return tc;
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (sel != null) {
                sel.close();
            }
            if (writeSel != null) {
                writeSel.close();
            }
            throw e;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /** Whether this connection is encrypted. */
    boolean isTls() {
        return tls != null;
    }

    /** The TLS protocol in use, or null for plaintext. */
    String tlsProtocol() {
        return tls == null ? null : tls.protocol();
    }

    /** The TLS session's server certificate, or null for plaintext. */
    X509Certificate serverCertificate() {
        return tls == null ? null : tls.serverCertificate();
    }

    /** Reads at least one byte into {@code dst}, waiting up to the timeout; EOFException at end of stream. */
    int read(ByteBuffer dst) throws IOException {
        if (tls != null) {
            return tls.read(dst);
        }
        while (true) {
            int n;
            try {
                n = channel.read(dst);
            } catch (IOException e) {
                throw lost(e);
            }
            if (n > 0) {
                return n;
            }
            if (n < 0) {
                throw new EOFException("server closed the connection");
            }
            await(SelectionKey.OP_READ, "no data from the server");
        }
    }

    void writeFully(ByteBuffer src) throws IOException {
        if (tls != null) {
            tls.writeFully(new ByteBuffer[] {src});
            return;
        }
        while (src.hasRemaining()) {
            if (write(src) == 0) {
                await(SelectionKey.OP_WRITE, "the server is not reading");
            }
        }
    }

    void writeFully(ByteBuffer[] srcs) throws IOException {
        if (tls != null) {
            tls.writeFully(srcs);
            return;
        }
        while (true) {
            boolean left = false;
            for (ByteBuffer b : srcs) {
                left |= b.hasRemaining();
            }
            if (!left) {
                return;
            }
            long n;
            try {
                n = channel.write(srcs);
            } catch (IOException e) {
                throw lost(e);
            }
            if (n == 0) {
                await(SelectionKey.OP_WRITE, "the server is not reading");
            }
        }
    }

    /** One non-blocking read of raw bytes (ciphertext under TLS). */
    int rawRead(ByteBuffer dst) throws IOException {
        try {
            return channel.read(dst);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** One non-blocking write of raw bytes (ciphertext under TLS). */
    long rawWrite(ByteBuffer src) throws IOException {
        return write(src);
    }

    private int write(ByteBuffer src) throws IOException {
        try {
            return channel.write(src);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /**
     * A plain IOException from a socket operation ({@code Broken pipe}, {@code Connection reset
     * by peer}) as a {@link ConnectionLostException}, so callers can tell it from a local disk
     * error, which the JDK reports with the same plain type; typed ones (SocketException,
     * ClosedChannelException, ...) say what they are already and pass unchanged.
     */
    private static IOException lost(IOException e) {
        return e.getClass() == IOException.class ? new ConnectionLostException(e) : e;
    }

    /** Sends {@code count} bytes of {@code file} from {@code position} with sendfile. */
    void transferFully(FileChannel file, long position, long count) throws IOException {
        if (tls != null) {
            tls.transferFully(file, position, count);
            return;
        }
        long done = 0;
        while (done < count) {
            long n;
            try {
                n = file.transferTo(position + done, count - done, channel);
            } catch (IOException e) {
                throw lost(e); // sendfile's errors are the socket's (EPIPE, ECONNRESET) far more often than the disk's
            }
            if (n > 0) {
                done += n;
                continue;
            }
            if (file.size() < position + count) {
                throw new IOException("local file shrank during upload: " + file.size() + " bytes now, "
                        + (position + count) + " needed");
            }
            await(SelectionKey.OP_WRITE, "the server is not reading");
        }
    }

    /** Waits up to the timeout for {@code op} readiness; {@code what} names the wait in the timeout error. */
    void await(int op, String what) throws IOException {
        boolean reading = op == SelectionKey.OP_READ;
        Selector selector = reading ? readSelector : writeSelector;
        SelectionKey key = reading ? readKey : writeKey;
        try {
            key.interestOps(op);
            int n = selector.select(timeoutMillis);
            selector.selectedKeys().clear();
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (n == 0) {
                throw new SocketTimeoutException(what + " for " + timeoutMillis + " ms");
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            // close() from another thread got here first
            throw new AsynchronousCloseException();
        } finally {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
    }

    /** Closes the socket; a thread blocked in a read or write here fails at once. Any thread. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            try {
                readSelector.close(); // wakes a thread blocked in select
            } finally {
                writeSelector.close();
            }
        }
    }
}

package ferry.client;

import ferry.protocol.BufferPool;
import ferry.protocol.tls.TlsEngine;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * TLS for a {@link TimedChannel}: blocking reads and writes with the channel's timeouts, through
 * a {@link TlsEngine} whose delegated tasks run inline (a client has nothing better to do).
 *
 * <p>Thread safety: as {@link TimedChannel}, one reading and one writing thread at once. Every
 * engine operation holds {@link #lock}; waiting for the socket never does, so a reader blocked
 * on a silent server does not hold up a writer.
 */
final class TlsIo {
    /** Plaintext read from a file per wrap when uploading: four records. */
    static final int FILE_CHUNK_BYTES = 64 * 1024;
    /** Bytes of the server's first answer kept to tell a plaintext Ferry server from a TLS one. */
    private static final int SNIFF_BYTES = 6;
    private static final byte[] FERRY_MAGIC = {'F', 'E', 'R', 'R', 'Y', 0};
    private static final int BUFFERS_PER_CONNECTION = 3;

    private final TimedChannel io;
    private final TlsEngine engine;
    private final Object lock = new Object();
    private final byte[] firstBytes = new byte[SNIFF_BYTES];
    private int firstSeen;

    private TlsIo(TimedChannel io, SSLEngine ssl) throws SSLException {
        this.io = io;
        // Batch-sized buffers both ways: one connection, and reads then take several records per syscall.
        BufferPool pool = BufferPool.heap(TlsEngine.BATCH_BUFFER_BYTES, BUFFERS_PER_CONNECTION);
        this.engine = new TlsEngine(ssl, pool, null, null, null);
    }

    /** Runs the handshake to the end (or an exception saying why the server is not trusted or not TLS). */
    static TlsIo handshake(TimedChannel io, SSLEngine ssl) throws IOException {
        TlsIo t = new TlsIo(io, ssl);
        try {
            t.runHandshake();
        } catch (SSLException e) {
            throw t.explain(e);
        }
        return t;
    }

    private void runHandshake() throws IOException {
        while (true) {
            engine.advance();
            engine.flushTo(io::rawWrite);
            if (engine.hasOutbound()) {
                io.await(SelectionKey.OP_WRITE, "TLS handshake: the server is not reading");
                continue;
            }
            if (engine.isHandshakeDone()) {
                return;
            }
            int n = engine.receiveFrom(this::sniffingRead);
            if (n < 0) {
                throw new EOFException(plaintextServer() ? notTls()
                        : "the server closed the connection during the TLS handshake (full, shutting down, or not TLS)");
            }
            if (n == 0) {
                io.await(SelectionKey.OP_READ, "TLS handshake: no answer from the server");
            }
        }
    }

    private int sniffingRead(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = io.rawRead(dst);
        for (int i = 0; i < n && firstSeen < SNIFF_BYTES; i++) {
            firstBytes[firstSeen++] = dst.get(start + i);
        }
        return n;
    }

    private boolean plaintextServer() {
        if (firstSeen == 0) {
            return false;
        }
        for (int i = 0; i < firstSeen; i++) {
            if (firstBytes[i] != FERRY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static String notTls() {
        return "the server speaks plaintext only (TLS is not enabled there): connect with ferry:// (or --no-tls),"
                + " or start it with --tls";
    }

    /** The handshake failed: say why in terms of Ferry (untrusted certificate, plaintext server). */
    private IOException explain(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientTls.UntrustedCertificateException) {
                return new UntrustedServerException(t.getMessage());
            }
        }
        if (plaintextServer()) {
            return new IOException(notTls(), e);
        }
        return new IOException("TLS handshake failed: " + e.getMessage(), e);
    }

    String protocol() {
        return engine.session().getProtocol();
    }

    X509Certificate serverCertificate() {
        try {
            Certificate[] certs = engine.session().getPeerCertificates();
            return (X509Certificate) certs[0];
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Reads at least one byte of plaintext, waiting up to the timeout; EOFException at end of stream. */
    int read(ByteBuffer dst) throws IOException {
        while (true) {
            synchronized (lock) {
                int n = engine.readPlaintext(dst);
                if (n > 0) {
                    return n;
                }
                if (n < 0) {
                    throw new EOFException("server closed the connection");
                }
                int r = engine.receiveFrom(io::rawRead);
                engine.flushTo(io::rawWrite); // a post-handshake answer (key update), if any
                n = engine.readPlaintext(dst);
                if (n > 0) {
                    return n;
                }
                if (r < 0 || n < 0) {
                    throw new EOFException("server closed the connection");
                }
                if (r > 0) {
                    continue; // a partial record: the rest may be there already
                }
            }
            io.await(SelectionKey.OP_READ, "no data from the server");
        }
    }

    void writeFully(ByteBuffer[] srcs) throws IOException {
        while (true) {
            boolean pending;
            synchronized (lock) {
                engine.flushTo(io::rawWrite);
                while (!engine.hasOutbound() && engine.wrap(srcs, 0, srcs.length) > 0) {
                    engine.flushTo(io::rawWrite);
                }
                pending = engine.hasOutbound();
                if (!pending && !anyRemaining(srcs)) {
                    return;
                }
            }
            io.await(SelectionKey.OP_WRITE, "the server is not reading");
        }
    }

    /** Sends {@code count} bytes of {@code file} from {@code position}, read into the heap and encrypted. */
    void transferFully(FileChannel file, long position, long count) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(FILE_CHUNK_BYTES, Math.max(1, count)));
        ByteBuffer[] one = {chunk};
        long done = 0;
        while (done < count) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), count - done));
            int n = file.read(chunk, position + done);
            if (n <= 0) {
                throw new IOException("local file shrank during upload: " + file.size() + " bytes now, "
                        + (position + count) + " needed");
            }
            chunk.flip();
            writeFully(one);
            done += n;
        }
    }

    private static boolean anyRemaining(ByteBuffer[] srcs) {
        for (ByteBuffer b : srcs) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}

package ferry.cli.demo;

import static ferry.cli.demo.StickyDemo.SETTLE_TIMEOUT_MILLIS;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connected sender/receiver pair on loopback, for {@link StickyDemo}: the sender writes, the
 * receiver reads with the demo's recv() size; waits are bounded by
 * {@link StickyDemo#SETTLE_TIMEOUT_MILLIS}.
 *
 * <p>Thread safety: the receiver is read by the demo's thread; sends may come from one helper
 * thread at a time ({@link #sendAsync}).
 */
final class SocketPair implements AutoCloseable {
    final Socket sender;
    final Socket receiver;
    final OutputStream outStream;
    final InputStream in;

    private SocketPair(Socket sender, Socket receiver) throws IOException {
        this.sender = sender;
        this.receiver = receiver;
        this.outStream = sender.getOutputStream();
        this.in = receiver.getInputStream();
    }

    static SocketPair open(ServerSocket listener) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true); // each send() leaves as its own segment: the glue is the reader's doing
        s.connect(listener.getLocalSocketAddress(), (int) SETTLE_TIMEOUT_MILLIS);
        listener.setSoTimeout((int) SETTLE_TIMEOUT_MILLIS);
        Socket r = listener.accept();
        r.setSoTimeout((int) SETTLE_TIMEOUT_MILLIS);
        return new SocketPair(s, r);
    }

    void send(byte[] b) throws IOException {
        outStream.write(b);
        outStream.flush();
    }

    void sendNow(byte[] b) throws IOException {
        send(b);
    }

    CompletableFuture<Void> sendAsync(byte[] b) {
        return CompletableFuture.runAsync(() -> {
            try {
                send(b);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits (bounded) until {@code n} bytes are readable, so the next read sees them all. */
    void awaitAvailable(int n) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MILLIS);
        while (in.available() < n && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1); // loopback delivers within microseconds; this rarely loops
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits (bounded) for a send started with {@link #sendAsync} or the like; its failure becomes an IOException. */
    static void join(CompletableFuture<Void> f) throws IOException {
        try {
            f.get(SETTLE_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IOException("the demo's sender failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sender.close();
        } finally {
            receiver.close();
        }
    }
}

package ferry.client;

import ferry.protocol.ExecProtocol;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on a Ferry server ({@code EXEC}, docs/PROTOCOL.md "Exec") over a
 * {@link FerryClient}: output streams into two {@link OutputStream}s as it is produced, raw bytes
 * exactly as the command wrote them (wrap the streams in {@link DecodingOutputStream} to print
 * text in the right charset).
 *
 * <pre>{@code
 * ExecClient exec = new ExecClient(client);
 * ExitStatus st = exec.run(ExecRequest.argv("df", "-h"), System.out, System.err);
 * }</pre>
 *
 * <p>stdin, when given, is sent by a helper thread while this thread reads the output, so a
 * command that echoes a big input (cat, gzip) cannot deadlock against its own output.
 *
 * <p>Silence: a command may print nothing for longer than the client's read timeout; the wait
 * goes on until the run's own time limit (plus {@link #SILENCE_MARGIN_MILLIS} for the server to
 * stop it) has passed, or {@link #DEFAULT_MAX_SILENCE_MILLIS} when the request leaves the limit
 * to the server.
 *
 * <p>Thread safety: one run at a time per client, on the thread that owns the client.
 */
public final class ExecClient {
    /** Extra silence tolerated past the run's timeout: the server's kill grace and a round trip. */
    public static final long SILENCE_MARGIN_MILLIS = 30_000;
    /** Silence tolerated when the request has no timeout of its own (the server's largest default). */
    public static final long DEFAULT_MAX_SILENCE_MILLIS = 60 * 60_000;
    /** Bytes per stdin read and write. */
    static final int STDIN_CHUNK_BYTES = 64 * 1024;

    private final FerryClient client;
    private final byte[] scratch = new byte[64 * 1024];

    public ExecClient(FerryClient client) {
        this.client = client;
    }

    /** Runs {@code argv} without a shell. */
    public ExitStatus run(List<String> argv, OutputStream stdout, OutputStream stderr) throws IOException {
        return run(ExecRequest.argv(argv), stdout, stderr);
    }

    /**
     * Runs {@code request}; returns when the server sent {@code EXIT}. Output goes to the streams
     * as frames arrive (they are flushed before this returns, not closed).
     *
     * @throws RemoteException the server refused the request ({@code code()} is {@code forbidden},
     *     {@code not_found}, {@code busy}, {@code bad_request}, ...); nothing ran
     * @throws IOException the connection failed, stdin could not be read or output not written;
     *     the client is then closed, which cancels the remote command
     */
    public ExitStatus run(ExecRequest request, OutputStream stdout, OutputStream stderr) throws IOException {
        long id = client.nextId();
        Header req = request.toHeader().put(Header.ID, id);
        long stdinBytes = request.stdinBytes();
        StdinSender sender = null;
        if (stdinBytes > 0) {
            req.put(Header.SIZE, stdinBytes);
            client.send(req);
            sender = new StdinSender(request.stdin(), stdinBytes);
            sender.start();
        } else {
            client.send(req);
        }
        long silenceNanos = TimeUnit.MILLISECONDS.toNanos(
                (request.timeoutMillis() > 0 ? request.timeoutMillis() : DEFAULT_MAX_SILENCE_MILLIS) + SILENCE_MARGIN_MILLIS);
        long giveUpAt = System.nanoTime() + silenceNanos;
        try {
            while (true) {
                Header h;
                try {
                    h = client.readHeader();
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - giveUpAt > 0) {
                        throw e;
                    }
                    continue; // a quiet command, not a dead server: its own timeout bounds the wait
                }
                client.expect(h, null, id);
                switch (String.valueOf(h.op())) {
                    case ExecProtocol.STDOUT:
                        copyBody(stdout, giveUpAt);
                        break;
                    case ExecProtocol.STDERR:
                        copyBody(stderr, giveUpAt);
                        break;
                    case ExecProtocol.EXIT:
                        StdinSender done = sender;
                        sender = null;
                        finishSender(done);
                        stdout.flush();
                        stderr.flush();
                        return exitStatus(h);
                    default:
                        client.skipBody(); // a frame from a newer server: ignore it
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof RemoteException)) {
                // The connection is broken or mid-frame (say our stdout went away): close it, which
                // also cancels the remote command and makes the stdin sender stop.
                client.close();
            }
            if (sender != null) {
                IOException stdinError = joinSender(sender);
                if (stdinError != null && !(e instanceof RemoteException)) {
                    stdinError.addSuppressed(e); // the stdin failure closed the connection: it is the cause
                    throw stdinError;
                }
            }
            throw e;
        }
    }

    private void copyBody(OutputStream out, long giveUpAt) throws IOException {
        while (true) {
            boolean more;
            try {
                more = client.readBodyChunk(chunk -> write(out, chunk));
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                continue;
            }
            if (!more) {
                out.flush(); // show output as it comes, not when a buffer fills or the command ends
                return;
            }
        }
    }

    private void write(OutputStream out, ByteBuffer chunk) throws IOException {
        if (chunk.hasArray()) {
            out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
            chunk.position(chunk.limit());
            return;
        }
        while (chunk.hasRemaining()) {
            int n = Math.min(scratch.length, chunk.remaining());
            chunk.get(scratch, 0, n);
            out.write(scratch, 0, n);
        }
    }

    private static ExitStatus exitStatus(Header h) throws ProtocolException {
        long code = h.requireLong(ExecProtocol.EXIT_CODE);
        long duration = h.optLong(ExecProtocol.DURATION_MS, 0);
        boolean killed = h.optBoolean(ExecProtocol.KILLED, false);
        String reason = h.optString(ExecProtocol.REASON);
        return new ExitStatus((int) code, duration, killed, reason);
    }

    /** Waits for stdin to be sent completely (the server discards what a finished command did not read). */
    private static void finishSender(StdinSender sender) throws IOException {
        if (sender == null) {
            return;
        }
        IOException e = joinSender(sender);
        if (e != null) {
            throw e;
        }
    }

    private static IOException joinSender(StdinSender sender) {
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InterruptedIOException("interrupted while sending stdin");
        }
        return sender.error;
    }

    /** Sends the request body from stdin while the caller's thread reads the answer. */
    private final class StdinSender extends Thread {
        private final InputStream in;
        private final long size;
        private volatile IOException error;

        StdinSender(InputStream in, long size) {
            super("ferry-exec-stdin");
            setDaemon(true);
            this.in = in;
            this.size = size;
        }

        @Override
        public void run() {
            byte[] buf = new byte[STDIN_CHUNK_BYTES];
            long left = size;
            try {
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new EOFException("stdin ended after " + (size - left) + " of the " + size + " bytes announced");
                    }
                    client.sendBody(ByteBuffer.wrap(buf, 0, n));
                    left -= n;
                }
            } catch (IOException e) {
                error = e;
                try {
                    client.close(); // the request frame cannot be completed: the connection is unusable
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}

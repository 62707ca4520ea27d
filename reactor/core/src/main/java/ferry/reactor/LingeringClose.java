package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Closes a transport whose output is shut down only after the peer's input is drained (EOF) or a
 * deadline passes. Closing with unread input makes the kernel send a reset, which can destroy the
 * ERROR frame we just wrote before the peer reads it (the "lingering close" of HTTP servers).
 * Works on any {@link Transport}, so a TLS decorator lingers through its own read path.
 *
 * <p>Loop thread only after {@link #start()}.
 */
final class LingeringClose implements Transport.Listener {
    /** Reads per readiness event while draining: a peer streaming at us cannot hold the loop. */
    private static final int MAX_READS_PER_EVENT = 4;

    private final Transport transport;
    private final EventLoop loop;
    private final long lingerNanos;
    private final Runnable onClosed;
    private boolean closed;

    /** @param onClosed run once on the loop when the transport is finally closed (may be null) */
    LingeringClose(Transport transport, EventLoop loop, long lingerNanos, Runnable onClosed) {
        this.transport = transport;
        this.loop = loop;
        this.lingerNanos = lingerNanos;
        this.onClosed = onClosed;
    }

    /**
     * The no-linger fallback: discards what the peer already sent (so closing does not turn it into
     * a reset that would destroy our last frame) and closes now. Non-blocking; loop thread.
     */
    static void drainAndClose(Transport transport, ByteBuffer scratch) {
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
                scratch.clear();
                if (transport.read(scratch) <= 0) {
                    break;
                }
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        transport.close();
    }

    /**
     * Shuts the output, takes over the transport's readiness (registering it if it was not yet) and
     * arms the deadline. From any thread: off the loop it runs as a loop task.
     */
    void start() {
        if (loop.inLoop()) {
            begin();
        } else {
            loop.execute(this::begin);
        }
    }

    private void begin() {
        try {
            transport.shutdownOutput();
            transport.register(loop, this, Transport.READ);
            loop.schedule(lingerNanos, this::close);
        } catch (IOException | RuntimeException e) {
            close();
            return;
        }
        if (transport.hasBufferedInput()) {
            onReady(Transport.READ);
        }
    }

    @Override
    public void onReady(int readyOps) {
        ByteBuffer discard = loop.readBuffer();
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
                discard.clear();
                int n = transport.read(discard);
                if (n < 0) {
                    close();
                    return;
                }
                if (n == 0) {
                    return;
                }
            }
        } catch (IOException e) {
            close();
        }
    }

    @Override
    public void onError(Throwable error) {
        close();
    }

    private void close() {
        if (closed) {
            return; // EOF, then the deadline timer: close once
        }
        closed = true;
        transport.close();
        if (onClosed != null) {
            onClosed.run();
        }
    }
}

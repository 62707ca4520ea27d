package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Closes a socket whose output is already shut down only after the peer's input is drained (EOF)
 * or a deadline passes. Closing with unread input makes the kernel send a reset, which can destroy
 * the ERROR frame we just wrote before the peer reads it (the "lingering close" of HTTP servers).
 *
 * <p>Loop thread only after {@link #start()}.
 */
final class LingeringClose implements EventLoop.Selectable {
    private final SocketChannel channel;
    private final EventLoop loop;
    private final long lingerNanos;
    private final Runnable onClosed;
    private SelectionKey key;
    private boolean closed;

    LingeringClose(SocketChannel channel, EventLoop loop, long lingerNanos) {
        this(channel, loop, lingerNanos, null);
    }

    /** @param onClosed run once on the loop when the socket is finally closed (may be null) */
    LingeringClose(SocketChannel channel, EventLoop loop, long lingerNanos, Runnable onClosed) {
        this.channel = channel;
        this.loop = loop;
        this.lingerNanos = lingerNanos;
        this.onClosed = onClosed;
    }

    /**
     * The no-linger fallback: discards what the peer already sent (so closing does not turn it into
     * a reset that would destroy our last frame) and closes now. Non-blocking; loop thread.
     */
    static void drainAndClose(SocketChannel channel, ByteBuffer scratch) {
        try {
            for (int i = 0; i < 4; i++) {
                scratch.clear();
                if (channel.read(scratch) <= 0) {
                    break;
                }
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        FerryServer.closeQuietly(channel);
    }

    /** Starts lingering with a new registration. */
    void start() {
        Runnable r = () -> {
            try {
                key = loop.register(channel, SelectionKey.OP_READ, this);
                loop.schedule(lingerNanos, this::close);
            } catch (IOException | RuntimeException e) {
                close();
            }
        };
        if (loop.inLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /** Starts lingering on a key the channel already has on this loop. Loop thread. */
    void takeOver(SelectionKey existing) {
        key = existing;
        key.attach(this);
        key.interestOps(SelectionKey.OP_READ);
        loop.schedule(lingerNanos, this::close);
    }

    @Override
    public void onSelected(SelectionKey k) {
        ByteBuffer discard = loop.readBuffer();
        try {
            for (int i = 0; i < 4; i++) {
                discard.clear();
                int n = channel.read(discard);
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
    public void onLoopError(Throwable error) {
        close();
    }

    @Override
    public void rekey(SelectionKey k) {
        key = k;
    }

    private void close() {
        if (closed) {
            return; // EOF, then the deadline timer: close once
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        FerryServer.closeQuietly(channel);
        if (onClosed != null) {
            onClosed.run();
        }
    }
}

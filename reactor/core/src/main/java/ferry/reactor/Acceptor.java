package ferry.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The listening socket: accepts on its loop, a bounded number per readiness event, backs off when
 * accept fails (out of descriptors) instead of spinning, and hands each new socket on.
 *
 * <p>Threading: {@link #bind} on any thread; everything else on the loop it is registered with.
 */
final class Acceptor implements EventLoop.Selectable {
    /** How long accepting pauses after a failed accept (typically EMFILE). */
    static final long BACKOFF_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final ServerConfig config;
    private final ServerLog log;
    private final ServerStats stats;
    private final Consumer<SocketChannel> onAccepted;
    private EventLoop loop;
    private SelectionKey key;
    private boolean backingOff;

    private Acceptor(ServerSocketChannel channel, ServerConfig config, ServerLog log, ServerStats stats,
            Consumer<SocketChannel> onAccepted) {
        this.channel = channel;
        this.config = config;
        this.log = log;
        this.stats = stats;
        this.onAccepted = onAccepted;
    }

    /** Binds the configured address and port; the socket is not accepting until {@link #register}. */
    static Acceptor bind(ServerConfig config, ServerLog log, ServerStats stats, Consumer<SocketChannel> onAccepted)
            throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(config.bindAddress(), config.port()), config.acceptBacklog());
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        return new Acceptor(ch, config, log, stats, onAccepted);
    }

    /** The bound port. */
    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** Starts accepting on {@code loop}. Loop thread. */
    void register(EventLoop loop) throws IOException {
        this.loop = loop;
        key = loop.register(channel, SelectionKey.OP_ACCEPT, this);
    }

    /** Stops accepting and closes the listening socket. Loop thread. */
    void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // stopping anyway
        }
    }

    /**
     * Makes a connected socket ready for a connection: non-blocking, with the configured socket
     * options. Closes it and throws when that fails.
     */
    static void configure(SocketChannel ch, ServerConfig config) throws IOException {
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            if (config.socketSendBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, config.socketSendBufferBytes());
            }
            if (config.socketReceiveBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBufferBytes());
            }
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw e;
        }
    }

    @Override
    public void onSelected(SelectionKey k) {
        for (int i = 0; i < config.acceptsPerEvent(); i++) {
            SocketChannel ch;
            try {
                ch = channel.accept();
            } catch (IOException e) {
                // Typically EMFILE: out of file descriptors. Back off instead of spinning on a
                // readiness the kernel will keep reporting.
                stats.acceptErrors.increment();
                log.warn("accept failed: " + e.getMessage() + "; pausing accepts for " + BACKOFF_MILLIS + " ms");
                backOff(k);
                return;
            }
            if (ch == null) {
                return;
            }
            onAccepted.accept(ch);
        }
    }

    private void backOff(SelectionKey k) {
        if (backingOff || !k.isValid()) {
            return;
        }
        backingOff = true;
        k.interestOps(0);
        loop.schedule(TimeUnit.MILLISECONDS.toNanos(BACKOFF_MILLIS), () -> {
            backingOff = false;
            if (key.isValid()) { // the field: a selector rebuild meanwhile gave us a new key
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        });
    }

    @Override
    public void onLoopError(Throwable error) {
        stats.acceptErrors.increment();
    }

    @Override
    public void rekey(SelectionKey k) {
        key = k;
    }
}

package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Preamble;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Who may connect: the server-wide and per-address connection caps, the trusted-proxy check, and
 * the refusal that tells a peer why (preamble, ERROR without id, lingering close). Applies alike to
 * sockets the server accepted and to ones the application accepted and adopted.
 *
 * <p>Threading: {@link #admit} and {@link #refuse} run on the admitting loop (loop 0), which owns
 * the lingering-refusal count; {@link #admitFrom} and {@link #release} are safe from any loop.
 */
final class Admission {
    /** After an error close, input is drained this long so our ERROR frame is not lost to a TCP reset. */
    static final long LINGER_MILLIS = 2000;
    /**
     * Refused sockets allowed to linger at once. Each holds a file descriptor for up to
     * {@link #LINGER_MILLIS}; a connect flood at the cap would otherwise hold (connect rate x 2 s)
     * of them, and a file server out of descriptors cannot open files for its real clients.
     */
    static final int MAX_LINGERING_REFUSALS = 1024;

    /** What admission decided for a connection it let in. */
    record Ticket(InetAddress counted, boolean proxied) {}

    private final ServerConfig config;
    private final ServerLog log;
    private final ServerStats stats;
    /** Open connections per remote address; entries go when they reach 0. Updated only through compute() (atomic per key). */
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    /** Refused sockets lingering now; owned by the admitting loop. */
    private int lingeringRefusals;

    Admission(ServerConfig config, ServerLog log, ServerStats stats) {
        this.config = config;
        this.log = log;
        this.stats = stats;
    }

    /**
     * Counts a new connection against the caps, or refuses it (telling the peer why, on
     * {@code loop}). Returns null when refused; the transport is then the refusal's to close.
     *
     * @param shuttingDown whether the server is stopping (everyone is refused)
     */
    Ticket admit(Transport transport, EventLoop loop, boolean shuttingDown) {
        if (shuttingDown) {
            refuse(transport, loop, ErrorCode.SHUTTING_DOWN, "server is shutting down");
            return null;
        }
        InetAddress addr = transport.remoteAddress().getAddress();
        boolean proxied = config.proxyProtocol();
        if (proxied && !config.trustsProxy(addr)) {
            refuse(transport, loop, ErrorCode.FORBIDDEN, "this server accepts connections only through its load balancer: "
                    + addr.getHostAddress() + " is not a trusted proxy (--trusted-proxies)");
            return null;
        }
        if (stats.connectionsOpen.incrementAndGet() > config.maxConnections()) {
            stats.connectionsOpen.decrementAndGet();
            refuse(transport, loop, ErrorCode.SERVER_FULL, "server is at its limit of " + config.maxConnections() + " connections");
            return null;
        }
        // Behind a proxy the socket's peer is the proxy, carrying everyone: the client it names is
        // counted once its PROXY header is read (Connection.proxyHeaderRead).
        InetAddress counted = null;
        if (!proxied && config.capsConnectionsFrom(addr)) {
            if (!admitFrom(addr)) {
                stats.connectionsOpen.decrementAndGet();
                refuse(transport, loop, ErrorCode.SERVER_FULL, tooManyFrom(addr, config));
                return null;
            }
            counted = addr;
        }
        stats.connectionsAccepted.increment();
        return new Ticket(counted, proxied);
    }

    /**
     * Counts a connection from {@code addr} if it is under the per-address cap. Check and increment
     * are one atomic step per key: with several loops, a close on another loop must not remove the
     * entry between our read and our write (which lost counts before, letting the cap drift).
     */
    boolean admitFrom(InetAddress addr) {
        boolean[] admitted = {false};
        perAddress.compute(addr, (a, n) -> {
            int open = n == null ? 0 : n;
            if (open >= config.maxConnectionsPerAddress()) {
                return n;
            }
            admitted[0] = true;
            return open + 1;
        });
        return admitted[0];
    }

    /** A connection closed: its open count, and its address's if it was counted, go down. */
    void release(InetAddress counted) {
        stats.connectionsClosed.increment();
        stats.connectionsOpen.decrementAndGet();
        if (counted != null) {
            // The very address counted at admission, not the session's text: behind a proxy a
            // connection refused or closed before its header was read was never counted.
            perAddress.computeIfPresent(counted, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Remote addresses with open connections counted against the per-address cap. */
    int perAddressEntries() {
        return perAddress.size();
    }

    /** The refusal of a client over the per-address cap. */
    static String tooManyFrom(InetAddress addr, ServerConfig config) {
        return "too many connections from " + addr.getHostAddress() + " (limit " + config.maxConnectionsPerAddress() + ")";
    }

    /** The address of a {@code host:port} the server made from a literal address (no lookup). */
    static InetAddress hostAddress(String hostAndPort) {
        try {
            return InetAddress.getByName(hostAndPort.substring(0, hostAndPort.lastIndexOf(':')));
        } catch (IOException e) {
            throw new IllegalStateException("not an address literal: " + hostAndPort, e);
        }
    }

    /** {@code host:port} of a peer, the address as a literal. */
    static String describe(InetSocketAddress remote) {
        return remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    /**
     * Tells a connection we cannot take it why, then closes it after a short drain, so a client
     * that already sent its first request still reads the reason instead of a reset. Under a flood
     * the drain is skipped past {@link #MAX_LINGERING_REFUSALS}: refused sockets must not pile up
     * file descriptors that the connections being served need. On {@code loop}'s thread.
     */
    private void refuse(Transport transport, EventLoop loop, String code, String message) {
        stats.connectionsRefused.increment();
        if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            log.info("refused " + transport.remoteAddress() + ": " + message);
        }
        ByteBuffer out = ByteBuffer.allocate(Preamble.LENGTH + 256 + message.length() * 3);
        Preamble.write(out);
        new FrameEncoder(config.frameLimits().maxHeaderBytes())
                .encode(ErrorFrames.connectionError(code, message), out);
        out.flip();
        try {
            // Small and non-blocking: fits in a fresh socket's send buffer.
            transport.write(new ByteBuffer[] {out}, 0, 1);
            transport.shutdownOutput();
        } catch (IOException e) {
            transport.close();
            return;
        }
        if (lingeringRefusals >= MAX_LINGERING_REFUSALS) {
            LingeringClose.drainAndClose(transport, loop.readBuffer());
            return;
        }
        lingeringRefusals++;
        transport.closeLingering(loop, TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS), () -> lingeringRefusals--);
    }
}

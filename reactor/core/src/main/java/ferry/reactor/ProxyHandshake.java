package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The PROXY header a trusted load balancer sends before the client's preamble
 * ({@link ServerConfig#proxyProtocol()}): gathered across reads, parsed, and then the session, the
 * logs and the per-address cap see the client it names instead of the balancer.
 *
 * <p>Loop thread only.
 */
final class ProxyHandshake {
    private final Connection conn;
    private final FerryServer server;
    private final ByteBuffer acc = ByteBuffer.allocate(ProxyHeaderParser.MAX_HEADER_BYTES);
    private boolean done;

    ProxyHandshake(Connection conn, FerryServer server) {
        this.conn = conn;
        this.server = server;
    }

    /** Whether the header was read (accepted or not): nothing more is gathered. */
    boolean isDone() {
        return done;
    }

    /**
     * Moves PROXY header bytes from {@code buf} into the header buffer and parses what has come so
     * far. True once the header is read and accepted: {@code buf} is then positioned at the first
     * byte after it (the client's preamble). False while more bytes are needed (all of {@code buf}
     * was taken) or when the connection was refused.
     */
    boolean take(ByteBuffer buf) {
        int before = acc.position();
        int take = Math.min(buf.remaining(), acc.remaining());
        acc.put(acc.position(), buf, buf.position(), take).position(before + take);
        buf.position(buf.position() + take);
        ProxyHeader header;
        try {
            header = ProxyHeaderParser.parse(acc.duplicate().flip());
        } catch (ProtocolException e) {
            buf.position(buf.limit());
            done = true;
            conn.protocolError(e);
            return false;
        }
        if (header == null) {
            // The parser fails before a header it accepts could outgrow the buffer, so need-more
            // always leaves room: a peer dribbling a header byte by byte meets the handshake timeout.
            return false;
        }
        // Earlier reads held only header bytes (the header had not ended), so what we took past its
        // end all came from this read: give it back to be decoded as the client's own bytes.
        buf.position(buf.position() - (before + take - header.length()));
        done = true;
        return admit(header);
    }

    /**
     * The PROXY header named who is on the other end: the session, the logs and the per-address cap
     * see that client from now on. False when the client is over its per-address cap (refused).
     */
    private boolean admit(ProxyHeader header) {
        Session session = conn.session();
        ServerConfig config = server.config();
        String proxy = session.remoteAddress();
        InetAddress addr;
        if (header.hasSource()) {
            InetSocketAddress src = header.source();
            addr = src.getAddress();
            session.remoteAddress(addr.getHostAddress() + ":" + src.getPort());
        } else {
            addr = Admission.hostAddress(proxy); // the proxy's own connection, a health check
        }
        if (server.log().enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            server.log().info(conn.name() + " " + session.remoteAddress() + " via proxy " + proxy + " (PROXY v"
                    + header.version() + (header.hasSource() ? ")" : ", the proxy's own connection)"));
        }
        if (config.capsConnectionsFrom(addr)) {
            if (!server.admitFrom(addr)) {
                conn.refuse(ErrorCode.SERVER_FULL, Admission.tooManyFrom(addr, config));
                return false;
            }
            conn.countAddress(addr);
        }
        return true;
    }
}

package ferry.reactor;

/**
 * One connection's traffic: the bytes it has read and written (for the operator's view,
 * {@link ConnectionInfo}) and the {@link Bandwidth} limits that apply to it as its session stands
 * now. The limits are resolved again whenever the session's user changes (at login); most
 * connections have none, and then every question here is answered without a lookup.
 *
 * <p>Threading: owned by the connection's event loop thread, like the {@link Connection} that owns it.
 */
final class ConnectionTraffic {
    private final Connection connection;
    private final ServerConfig config;
    private final UserRates userRates;
    private final Session session;
    private final EventLoop loop;
    private long bytesIn;
    private long bytesOut;
    private Bandwidth bandwidth; // null: no bandwidth limit applies (the common case)
    private String bandwidthUser; // the session user bandwidth was resolved for
    private boolean bandwidthResolved;

    ConnectionTraffic(Connection connection, ServerConfig config, UserRates userRates, Session session, EventLoop loop) {
        this.connection = connection;
        this.config = config;
        this.userRates = userRates;
        this.session = session;
        this.loop = loop;
    }

    /**
     * The bandwidth limits of this connection as its session stands now (they change at login), or
     * null when none applies. Loop thread.
     */
    private Bandwidth bandwidth() {
        String user = session.user();
        if (!bandwidthResolved || user != bandwidthUser) {
            bandwidthResolved = true;
            bandwidthUser = user;
            bandwidth = Bandwidth.resolve(bandwidth, config, userRates, session);
        }
        return bandwidth;
    }

    /** Whether any bandwidth limit applies to this connection now. Loop thread. */
    boolean limited() {
        return bandwidth() != null;
    }

    /** Whether an upload bandwidth limit applies to this connection now. Loop thread. */
    boolean uploadRateLimited() {
        return bandwidth() != null && bandwidth.limitsUploads();
    }

    /** Bytes the next read may take: all it wants without a limit; 0 after pausing for one. */
    int readAllowance() {
        return bandwidth() == null ? Integer.MAX_VALUE : bandwidth.readAllowance(connection, loop);
    }

    /**
     * Bytes the next flush may write out of {@code budget}: all of it without a limit; 0 when a
     * timer will flush once bytes may go. Loop thread.
     */
    long writeAllowance(long budget) {
        return bandwidth() == null ? budget : bandwidth.writeAllowance(connection, loop, budget);
    }

    /** Counts bytes read from the peer, against the limits too. */
    void read(int n) {
        bytesIn += n;
        if (bandwidth != null) {
            bandwidth.read(n);
        }
    }

    /** Counts bytes written to the peer, against the limits too. */
    void wrote(long n) {
        bytesOut += n;
        if (bandwidth != null) {
            bandwidth.wrote(n);
        }
    }

    long bytesIn() { return bytesIn; }
    long bytesOut() { return bytesOut; }

    /** Whether a download waits for its bandwidth limit to allow more bytes. */
    boolean writeWaiting() {
        return bandwidth != null && bandwidth.writeWaiting();
    }

    /** The connection closed: gives back what it held of its user's shared limits. */
    void release() {
        if (bandwidth != null) {
            bandwidth.release();
        }
    }
}

package ferry.reactor;

/**
 * The clocks of one connection's timeouts (PROTOCOL.md 5): since it opened (handshake), since a
 * frame header began (slow headers), since the peer last moved bytes (idle, or a stalled write),
 * and which of them ran out. Pure apart from its fields, so a fake clock drives it.
 *
 * <p>Loop thread only.
 */
final class ConnectionClocks {
    private final ServerConfig config;
    private final long createdNanos;
    private long lastActivityNanos;
    private long headerStartedNanos; // 0 while no header is under way

    ConnectionClocks(ServerConfig config, long nowNanos) {
        this.config = config;
        this.createdNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
    }

    /** How long the connection has been open at {@code nowNanos}. */
    long ageNanos(long nowNanos) {
        return nowNanos - createdNanos;
    }

    /** Bytes moved (or the server stopped being the one waiting): the idle clock restarts. */
    void touch(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    /** A header is under way after a read at {@code nowNanos}; its clock starts at the first such read. */
    void headerUnderWay(long nowNanos) {
        if (headerStartedNanos == 0) {
            headerStartedNanos = nowNanos | 1; // never 0 while set
        }
    }

    /** No header is under way: its clock stops. */
    void headerDone() {
        headerStartedNanos = 0;
    }

    /**
     * Which timeout, if any, has passed at {@code nowNanos}.
     *
     * @param awaiting what the handshake still waits for ("PROXY header", "preamble", "login"), or
     *     null once it is done
     * @param waitingOnServer whether the server, not the peer, is the one being waited for (its
     *     workers, a paused handler): not idleness
     * @param writeBlocked whether our output waits for the peer to read
     */
    String expired(long nowNanos, String awaiting, boolean waitingOnServer, boolean writeBlocked) {
        if (awaiting != null && nowNanos - createdNanos > config.handshakeTimeoutNanos()) {
            return "handshake timeout: no " + awaiting + " within " + millis(config.handshakeTimeoutNanos()) + " ms";
        }
        if (headerStartedNanos != 0 && nowNanos - headerStartedNanos > config.headerTimeoutNanos()) {
            return "header timeout: a frame header was not completed within " + millis(config.headerTimeoutNanos()) + " ms";
        }
        if (!waitingOnServer && nowNanos - lastActivityNanos > config.idleTimeoutNanos()) {
            return (writeBlocked ? "write stalled" : "idle") + " for " + millis(config.idleTimeoutNanos()) + " ms";
        }
        return null;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}

package ferry.loadtest;

import ferry.protocol.Header;

/**
 * Keeps {@code depth} PINGs of {@code bodyBytes} in flight on a connection: each PONG answers
 * its oldest request and, while the run is issuing, sends the next one (closed loop, like wrk
 * without a rate). With {@code once}, sends {@code depth} PINGs in all and then holds the
 * connection quiet (the idle scenario).
 *
 * <p>Threading: the connection's I/O thread.
 */
final class PingScript implements ConnectionScript {
    static final String PING = "PING";
    static final String PONG = "PONG";

    private final int depth;
    private final long bodyBytes;
    private final boolean once;
    private boolean badAnswer;

    PingScript(int depth, long bodyBytes, boolean once) {
        this.depth = depth;
        this.bodyBytes = bodyBytes;
        this.once = once;
    }

    @Override
    public void start(ClientConnection conn) {
        for (int i = conn.inflight(); i < depth; i++) {
            conn.sendPing(bodyBytes);
        }
    }

    @Override
    public void onHeader(ClientConnection conn, Header header) {
        badAnswer = !PONG.equals(header.op()) || header.size() != bodyBytes;
        if (badAnswer) {
            conn.failConnection("unexpected_answer", "expected PONG of " + bodyBytes + " bytes, got " + header);
        }
    }

    @Override
    public void onFrameEnd(ClientConnection conn) {
        if (badAnswer || conn.isClosed()) {
            return;
        }
        conn.complete(OpKind.PING, 2 * bodyBytes); // the body went out and came back
        next(conn);
    }

    @Override
    public void onFailed(ClientConnection conn, Header error) {
        next(conn);
    }

    private void next(ClientConnection conn) {
        if (!once && conn.issuing()) {
            conn.sendPing(bodyBytes);
        }
    }
}

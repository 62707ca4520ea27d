package ferry.reactor;

import ferry.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The operator's view of a running server's live connections: list them, close one by id, close
 * all of one user's. What {@code ferry serve --admin-listen} serves.
 *
 * <p>Threading: every method may be called from any thread except a loop thread, and blocks until
 * each loop has answered. Connections are read and closed by tasks posted to their own loops, never
 * from the caller's thread. On a server that is not running, the list is empty and nothing closes.
 */
public final class ConnectionAdmin {
    /** What a dropped client reads in its last ERROR frame. */
    static final String DROP_MESSAGE = "the server's operator closed this connection";

    private final FerryServer server;

    ConnectionAdmin(FerryServer server) {
        this.server = server;
    }

    /** Every live connection now, by id. */
    public List<ConnectionInfo> list() {
        List<ConnectionInfo> all = new ArrayList<>();
        server.onEveryLoop((loop, connections) -> {
            long now = loop.clock().nanoTime();
            List<ConnectionInfo> mine = new ArrayList<>(connections.size());
            for (Connection c : connections) {
                mine.add(c.info(now));
            }
            synchronized (all) {
                all.addAll(mine);
            }
        });
        all.sort(Comparator.comparingLong(ConnectionInfo::id));
        return all;
    }

    /** Closes connection {@code id}; true when it was open. */
    public boolean close(long id) {
        return closeWhere(c -> c.id() == id) > 0;
    }

    /** Closes every connection logged in as {@code user}; returns how many. */
    public int closeUser(String user) {
        return closeWhere(c -> c.session().isLoggedIn() && user.equals(c.session().user()));
    }

    /**
     * Closes the matching connections, each with a last {@code ERROR dropped} saying why: their
     * requests are cancelled and everything they held (uploads, commands, session slots) is given
     * back on the usual close path.
     */
    private int closeWhere(Predicate<Connection> which) {
        int[] closed = {0};
        server.onEveryLoop((loop, connections) -> {
            List<Connection> matching = new ArrayList<>();
            for (Connection c : connections) {
                if (which.test(c)) {
                    matching.add(c); // closing removes from the loop's list: collect first
                }
            }
            for (Connection c : matching) {
                if (server.log().enabled(ServerLog.Level.INFO)) {
                    server.log().info(c.name() + " " + c.session().remoteAddress() + " dropped by the operator");
                }
                c.abort(ErrorCode.DROPPED, DROP_MESSAGE);
            }
            synchronized (closed) {
                closed[0] += matching.size();
            }
        });
        return closed[0];
    }
}

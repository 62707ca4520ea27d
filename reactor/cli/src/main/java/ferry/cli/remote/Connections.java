package ferry.cli.remote;

import ferry.cli.transfer.FileTransfers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connections one command opens, one per server and user, reused across its arguments
 * ({@code ferry get nas:/a nas:/b .} logs in once) and closed together at the end. A copy keeps
 * two of these, for its sources and its target, so a file copied within one server still has a
 * connection to read from and another to write to.
 *
 * <p>Thread safety: none; the command's thread.
 */
public final class Connections implements AutoCloseable {
    private final Connector connector;
    private final Map<String, ServerConnection> open = new LinkedHashMap<>();

    public Connections(Connector connector) {
        this.connector = connector;
    }

    /** The connection to {@code remote}'s server as {@code remote}'s user (opened on first use). */
    ServerConnection to(Remote remote) {
        String key = (remote.user() == null ? "" : remote.user() + "@") + remote.hostPort();
        return open.computeIfAbsent(key, k -> new ServerConnection(connector, remote.withPath(null)));
    }

    /** The same as {@link #to}, as a transfer side. */
    public FileTransfers.Side side(Remote remote) {
        return new FileTransfers.Side(to(remote), remote.hostPort());
    }

    @Override
    public void close() {
        for (ServerConnection c : open.values()) {
            c.close();
        }
        open.clear();
    }
}

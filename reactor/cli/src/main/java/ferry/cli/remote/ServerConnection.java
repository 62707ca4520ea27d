package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.client.ConnectionSource;
import ferry.client.FerryClient;
import java.io.IOException;

/**
 * A command's connection to one server that can be replaced after a loss: the
 * {@link ConnectionSource} a {@link ferry.client.ResilientTransfer} reconnects through. Every
 * new connection goes through the {@link Connector}, so it logs in again exactly as the first
 * did (same user, same credentials, no second prompt once a password was typed: the
 * {@link ScramLogin} remembers it for the process).
 *
 * <p>A failed reconnection is handed to the transfer as an IOException carrying the connector's
 * one-line message and its cause, which {@link ferry.client.RetryPolicy} judges: connection
 * refused while the server restarts is retried, a refused login is not.
 *
 * <p>Thread safety: one thread at a time (the command's).
 */
public final class ServerConnection implements ConnectionSource, AutoCloseable {
    private final Connector connector;
    private final Remote remote;
    private RemoteClient current;

    ServerConnection(Connector connector, Remote remote) {
        this.connector = connector;
        this.remote = remote;
    }

    Remote remote() {
        return remote;
    }

    /** The open connection with its HELLO and login, opening one first if needed; failures are one-line CliExceptions. */
    RemoteClient open() throws CliException {
        if (current == null || current.client().isClosed()) {
            current = connector.open(remote, true);
        }
        return current;
    }

    @Override
    public FerryClient connection() throws IOException {
        try {
            return open().client();
        } catch (CliException e) {
            // The one-line message, and the cause for RetryPolicy to judge: a network failure or a
            // passing refusal (server_full, shutting_down) is retried; a refused login, missing
            // credentials or an unknown host (no cause) are final.
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    @Override
    public void discard() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void close() {
        discard();
    }
}

package ferry.cli.serve;

import ferry.cli.command.CliException;
import ferry.cli.command.ErrorMessages;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerLog;
import ferry.services.admin.AdminEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@code --admin-listen}: binds the {@link AdminEndpoint} (live connections, drop one or a user's)
 * once the server runs. Loopback only: the endpoint refuses any other address.
 *
 * <p>Thread safety: called once on the main thread, after {@link FerryServer#start()}.
 */
final class ServeAdmin {
    /** The admin endpoint's port when {@code --admin-listen} or {@code --admin} name only a host. */
    static final int DEFAULT_PORT = 9374;

    private ServeAdmin() {}

    /**
     * Starts the endpoint at {@code at}, closed when the server stops.
     *
     * @throws CliException it cannot listen there (not loopback, in use); the server is stopped
     */
    static void start(FerryServer server, ListenAddress at, ServerLog log) throws CliException {
        InetSocketAddress address = new InetSocketAddress(at.host(), at.port());
        AdminEndpoint endpoint;
        try {
            endpoint = new AdminEndpoint(address, server.admin(), log);
        } catch (IOException | IllegalArgumentException e) {
            server.stop();
            throw new CliException("--admin-listen " + at + ": " + ErrorMessages.oneLine(e.getMessage()), e);
        }
        server.onStop(endpoint::close);
        endpoint.start();
        log.info("admin: http://" + ListenAddress.format(at.host(), endpoint.address().getPort())
                + AdminEndpoint.CONNECTIONS + " (loopback only; ferry admin)");
    }
}

package ferry.cli;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Opens a command's connection to a server: resolves the host, connects, asks HELLO and, for
 * commands that need it, logs in through the {@link Authenticator}. Every failure becomes one
 * clear {@link CliException}: {@code cannot connect to 10.0.0.9:7373: connection refused}.
 *
 * <p>Thread safety: stateless apart from its configuration; use from the command's thread.
 */
final class Connector {
    private final Console console;
    private final ClientOptions options;
    private final Authenticator authenticator;

    Connector(Console console, ClientOptions options, Authenticator authenticator) {
        this.console = console;
        this.options = options;
        this.authenticator = authenticator;
    }

    ClientOptions options() {
        return options;
    }

    /**
     * Connects to {@code remote} and says HELLO; with {@code login}, also logs in where the
     * server requires it (ping and info do not need to; file and exec commands do).
     */
    RemoteClient open(Remote remote, boolean login) throws CliException {
        String where = remote.hostPort();
        long t0 = System.nanoTime();
        try {
            InetAddress.getByName(remote.host()); // a clear "unknown host" before any socket work
        } catch (UnknownHostException e) {
            throw new CliException("cannot connect to " + where + ": unknown host '" + remote.host() + "'");
        }
        FerryClient client;
        try {
            client = FerryClient.connect(remote.host(), remote.port(), options);
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot connect to " + where + ": " + ErrorMessages.reason(e), e);
        }
        RemoteClient rc;
        try {
            Header hello = client.hello();
            rc = new RemoteClient(remote, client, hello, System.nanoTime() - t0);
        } catch (RemoteException e) {
            close(client);
            throw new CliException(where + " refused the connection: " + e.serverMessage() + " (" + e.code() + ")", e);
        } catch (ProtocolException e) {
            close(client);
            throw new CliException(where + " does not speak Ferry: " + e.getMessage(), e);
        } catch (IOException e) {
            close(client);
            throw new CliException("no answer from " + where + ": " + ErrorMessages.reason(e), e);
        }
        console.detail("ferry: connected to " + where + " (" + rc.serverDescription() + ") in "
                + Units.formatElapsed(rc.connectNanos()));
        if (login) {
            try {
                authenticator.login(rc, console);
            } catch (IOException e) {
                rc.close();
                throw new CliException("login to " + where + " failed: " + ErrorMessages.describe(e), e);
            } catch (CliException e) {
                rc.close();
                throw e;
            }
        }
        return rc;
    }

    private static void close(FerryClient c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing; the first error is the one to report
        }
    }
}

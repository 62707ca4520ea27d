package ferry.cli.remote;

import ferry.cli.args.UsageException;

import ferry.cli.command.CliException;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.Units;
import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.UntrustedServerException;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Opens a command's connection to a server: resolves the host, connects, asks HELLO and logs in
 * through the {@link Authenticator} when {@link Authenticator.When} says so. Every failure
 * becomes one clear {@link CliException}: {@code cannot connect to 10.0.0.9:7373: connection
 * refused}, {@code login failed for alice: wrong user name or password}.
 *
 * <p>Thread safety: stateless apart from its configuration; use from the command's thread.
 */
public final class Connector {
    /** Decides TLS for a host: null for plaintext. */
    @FunctionalInterface
    public interface TlsChoice {
        ClientTls forHost(String host) throws UsageException, CliException;
    }

    /** Plaintext everywhere (tests that build a connector by hand). */
    public static final TlsChoice PLAINTEXT = host -> null;

    private final Console console;
    private final ClientOptions options;
    private final Authenticator authenticator;
    private final Path credentialsFile;
    private final TlsChoice tls;

    public Connector(Console console, ClientOptions options, Authenticator authenticator) {
        this(console, options, authenticator, null, PLAINTEXT);
    }

    /**
     * @param credentialsFile the {@code --credentials} file, or null
     * @param tls             TLS per host (see {@link ClientTlsFlags})
     */
    public Connector(Console console, ClientOptions options, Authenticator authenticator, Path credentialsFile,
                     TlsChoice tls) {
        this.console = console;
        this.options = options;
        this.authenticator = authenticator;
        this.credentialsFile = credentialsFile;
        this.tls = tls;
    }

    ClientOptions options() {
        return options;
    }

    /**
     * Connects to {@code remote} and says HELLO; with {@code needsLogin} (file and exec commands,
     * the shell) logs in where the server requires it ({@link Authenticator.When#IF_REQUIRED}),
     * otherwise (ping, info) only when a user or credentials were named.
     */
    public RemoteClient open(Remote remote, boolean needsLogin) throws CliException {
        return open(remote, needsLogin ? Authenticator.When.IF_REQUIRED : Authenticator.When.IF_NAMED);
    }

    /** Connects to {@code remote}, says HELLO, and logs in as {@code when} says. */
    public RemoteClient open(Remote remote, Authenticator.When when) throws CliException {
        String where = remote.hostPort();
        long t0 = System.nanoTime();
        try {
            InetAddress.getByName(remote.host()); // a clear "unknown host" before any socket work
        } catch (UnknownHostException e) {
            throw new CliException("cannot connect to " + where + ": unknown host '" + remote.host() + "'");
        }
        ClientTls clientTls;
        try {
            clientTls = tls.forHost(remote.host());
        } catch (UsageException e) {
            throw new CliException(e.getMessage(), e);
        }
        FerryClient client;
        try {
            client = FerryClient.connect(remote.host(), remote.port(), options.withTls(clientTls));
        } catch (UntrustedServerException e) {
            throw new CliException("refusing to connect to " + where + ": " + e.getMessage(), e);
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
        try {
            rc.loggedIn(authenticator.login(rc, console, credentialsFile, when));
        } catch (IOException e) {
            rc.close();
            throw new CliException("login to " + where + " failed: " + ErrorMessages.describe(e), e);
        } catch (CliException e) {
            rc.close();
            throw e;
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

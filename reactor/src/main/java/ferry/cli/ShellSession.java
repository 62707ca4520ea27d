package ferry.cli;

import ferry.client.LoginResult;
import java.io.PrintStream;

/**
 * The state a {@code ferry shell} session keeps between commands: the server it talks to and as
 * whom, the open connection (reopened on demand after a loss, logging in again as the same user),
 * the history, and whether to leave.
 *
 * <p>Round 2 adds the remote working folder ({@code cd}/{@code pwd}) and the local one
 * ({@code lcd}), and resolves paths against them.
 *
 * <p>Thread safety: none; the shell's thread only.
 */
final class ShellSession {
    private final Console console;
    private final Connector connector;
    private Remote remote;
    private final ShellHistory history = new ShellHistory();
    private RemoteClient connection;
    private boolean quit;

    ShellSession(Console console, Connector connector, Remote remote) {
        this.console = console;
        this.connector = connector;
        this.remote = remote;
    }

    Console console() { return console; }
    PrintStream out() { return console.out(); }
    Remote remote() { return remote; }
    ShellHistory history() { return history; }
    boolean quitting() { return quit; }
    void quit() { quit = true; }

    /** The open connection, connecting (and logging in) first if there is none. */
    RemoteClient connection() throws CliException {
        if (connection == null) {
            connection = connector.open(remote, true);
        }
        return connection;
    }

    boolean connected() {
        return connection != null;
    }

    /**
     * Logs in as {@code user} (null: the user the credentials name, or a prompt asks) on a new
     * connection, which replaces the current one only once the login succeeded; later reconnects
     * log in as that user again. A server refuses a second login on one connection, hence the
     * new connection.
     */
    LoginResult login(String user) throws CliException {
        Remote target = user == null ? new Remote(null, remote.host(), remote.port(), remote.path())
                : new Remote(user, remote.host(), remote.port(), remote.path());
        RemoteClient fresh = connector.open(target, Authenticator.When.ALWAYS);
        disconnect();
        connection = fresh;
        LoginResult login = fresh.login();
        remote = new Remote(login.user(), remote.host(), remote.port(), remote.path());
        return login;
    }

    /** Forgets a connection that failed; the next {@link #connection()} opens a new one. */
    void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}

package ferry.cli;

import java.io.PrintStream;

/**
 * The state a {@code ferry shell} session keeps between commands: the server it talks to, the
 * open connection (reopened on demand after a loss), the history, and whether to leave.
 *
 * <p>Round 2 adds the remote working folder ({@code cd}/{@code pwd}) and the local one
 * ({@code lcd}), and resolves paths against them.
 *
 * <p>Thread safety: none; the shell's thread only.
 */
final class ShellSession {
    private final Console console;
    private final Connector connector;
    private final Remote remote;
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

    /** Forgets a connection that failed; the next {@link #connection()} opens a new one. */
    void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}

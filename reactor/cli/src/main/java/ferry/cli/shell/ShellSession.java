package ferry.cli.shell;

import ferry.cli.command.CliException;
import ferry.cli.command.Console;
import ferry.cli.args.UsageException;
import ferry.cli.remote.Authenticator;
import ferry.cli.remote.Connector;
import ferry.cli.remote.Remote;
import ferry.cli.remote.RemoteClient;
import ferry.cli.remote.RemotePaths;
import ferry.client.ConnectionSource;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.LoginResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The state a {@code ferry shell} session keeps between commands: the server it talks to and as
 * whom, the open connection (reopened on demand after a loss, logging in again as the same user),
 * the history, and whether to leave.
 *
 * <p>It also keeps the working folders: the remote one ({@code cd}/{@code pwd}, relative to the
 * home folder on the server, {@code ""} for the home folder itself) and the local one
 * ({@code lcd}/{@code lpwd}; Java cannot change its process's folder, so paths are resolved
 * against it here). Transfers reconnect through {@link #source()}.
 *
 * <p>Thread safety: none; the shell's thread only.
 */
public final class ShellSession {
    private final Console console;
    private final Connector connector;
    private Remote remote;
    private final ShellHistory history = new ShellHistory();
    private RemoteClient connection;
    private boolean quit;
    private String remoteCwd = "";
    private Path localCwd = Path.of("").toAbsolutePath();
    private Consumer<String> errors;

    ShellSession(Console console, Connector connector, Remote remote) {
        this.console = console;
        this.connector = connector;
        this.remote = remote;
        this.errors = line -> console.err().println("error: " + line);
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

    /** The remote working folder, relative to the home folder ("" for the home folder). */
    String remoteCwd() { return remoteCwd; }
    void setRemoteCwd(String cwd) { remoteCwd = cwd; }
    Path localCwd() { return localCwd; }
    void setLocalCwd(Path p) { localCwd = p.toAbsolutePath().normalize(); }

    /** {@code arg} against the remote working folder; a path above the home folder is a usage error. */
    String remotePath(String arg) throws UsageException {
        try {
            return RemotePaths.resolve(remoteCwd, arg);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A file client over the open connection. */
    FileClient files() throws CliException {
        return new FileClient(connection().client());
    }

    /** Where a command's error lines go (the shell counts and numbers them). */
    Consumer<String> errors() { return errors; }
    void setErrors(Consumer<String> sink) { errors = sink; }

    /**
     * This session's connection as a transfer's {@link ConnectionSource}: a lost connection is
     * replaced by a new one, logged in as this session is.
     */
    ConnectionSource source() {
        return new ConnectionSource() {
            @Override
            public FerryClient connection() throws IOException {
                try {
                    return ShellSession.this.connection().client();
                } catch (CliException e) {
                    throw new IOException(e.getMessage(), e.getCause());
                }
            }

            @Override
            public void discard() {
                disconnect();
            }
        };
    }

    /** Forgets a connection that failed; the next {@link #connection()} opens a new one. */
    void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}

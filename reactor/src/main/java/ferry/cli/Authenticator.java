package ferry.cli;

import java.io.IOException;

/**
 * Logs a client connection in, for commands that need more than HELLO and PING.
 *
 * <p>Round 2 plugs the login service in here: an implementation built from
 * {@code FERRY_USER}/{@code FERRY_PASSWORD}, the credentials file or a prompt runs the
 * SCRAM exchange ({@code ScramClient}) on {@link RemoteClient#client()}, and
 * {@link Cli#setAuthenticator} installs it. Until then {@link #NONE} explains that login is not
 * available.
 *
 * <p>Thread safety: called on the command's thread.
 */
interface Authenticator {
    /**
     * Logs in on {@code connection} when its server requires it or the remote names a user.
     *
     * @throws CliException a refused login, with a message for the user
     */
    void login(RemoteClient connection, Console console) throws IOException, CliException;

    /** No login support: fine for servers that do not require it; a clear error for those that do. */
    Authenticator NONE = (connection, console) -> {
        if (connection.loginRequired()) {
            throw new CliException(connection.remote().hostPort() + " requires login, and this ferry has no login "
                    + "support yet");
        }
        if (connection.remote().user() != null) {
            console.detail("ferry: not logging in as '" + connection.remote().user()
                    + "': the server does not require login and this ferry has no login support yet");
        }
    };
}

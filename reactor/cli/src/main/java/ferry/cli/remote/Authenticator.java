package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Console;
import ferry.client.LoginResult;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Logs a client connection in, when it should: {@link ScramLogin} in real use ({@code Cli}
 * installs it), something simpler in tests.
 *
 * <p>Thread safety: called on the command's thread.
 */
public interface Authenticator {
    /** When a connection logs in. */
    enum When {
        /**
         * Only when the person named a user or credentials ({@code user@host}, {@code --user},
         * {@code FERRY_USER}, {@code --credentials}, {@code FERRY_CREDENTIALS}): commands that work
         * without login (ping, info, speed) then check the credentials and show the rights.
         */
        IF_NAMED,
        /** As {@link #IF_NAMED}, and whenever the server requires login: commands that use files or exec, the shell. */
        IF_REQUIRED,
        /** Always: the shell's {@code login} action. */
        ALWAYS
    }

    /**
     * Logs in on {@code connection} if {@code when} says so.
     *
     * @param credentialsFile a credentials file the person named ({@code --credentials}), or null
     * @return the login, or null when the connection did not log in
     * @throws CliException a refused login or missing credentials, with a one-line message
     */
    LoginResult login(RemoteClient connection, Console console, Path credentialsFile, When when)
            throws IOException, CliException;

    /** No login support: fine for servers that do not require it; a clear error for those that do. */
    Authenticator NONE = (connection, console, credentialsFile, when) -> {
        if (connection.loginRequired() || when == When.ALWAYS) {
            throw new CliException(connection.remote().hostPort() + " requires login, and login is switched off here");
        }
        return null;
    };
}

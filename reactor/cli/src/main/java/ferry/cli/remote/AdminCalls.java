package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.ErrorMessages;
import ferry.client.AdminClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import java.io.IOException;

/**
 * What {@code ferry admin who|kick} and {@code ferry top} share: a logged-in connection (always
 * logged in: the ops need the admin right) and one-line errors for what goes wrong.
 *
 * <p>Thread safety: one command's thread.
 */
final class AdminCalls {
    /** One admin op on an open connection. */
    @FunctionalInterface
    interface Op<T> {
        T run(AdminClient admin) throws IOException;
    }

    private AdminCalls() {}

    /** Connects to {@code remote} and logs in, whatever the server requires. */
    static RemoteClient open(Connector connector, Remote remote) throws CliException {
        return connector.open(remote, Authenticator.When.ALWAYS);
    }

    /** Runs {@code op} on {@code rc}; a refusal or a lost connection becomes a one-line CliException. */
    static <T> T call(RemoteClient rc, Op<T> op) throws CliException {
        try {
            return op.run(new AdminClient(rc.client()));
        } catch (RemoteException e) {
            String where = rc.remote().hostPort();
            if (ErrorCode.FORBIDDEN.equals(e.code())) {
                throw new CliException(rc.user() + " may not see or close connections on " + where
                        + ": that needs the admin right (ferry user set " + rc.user() + " --rights ...,admin)", e);
            }
            if (ErrorCode.UNKNOWN_OP.equals(e.code())) {
                throw new CliException(where + " has no admin ops (a server older than this ferry)", e);
            }
            throw new CliException(where + ": " + e.serverMessage() + " (" + e.code() + ")", e);
        } catch (IOException e) {
            throw new CliException("lost " + rc.remote().hostPort() + ": " + ErrorMessages.describe(e), e);
        }
    }
}

package ferry.cli;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerLog;
import ferry.reactor.auth.AuthService;
import ferry.reactor.auth.AuthSettings;
import ferry.reactor.auth.UserStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Installs the services a {@code ferry serve} server offers, from its settings. The core
 * (HELLO, PING, BYE) is always there.
 *
 * <p>Order matters: login first, so its ops are in place before the services that check rights.
 * The login service is installed whatever the access decision, so users added later can log in
 * and an anonymous connection may log in for a user's rights. Round 2b plugs in:
 * <pre>{@code
 * server.install(new FileService(root, ...));                    // files
 * if (s.exec().enabled()) server.install(new ExecService(policy(s.exec()), ...));   // exec
 * }</pre>
 *
 * <p>Thread safety: called once on the main thread, before {@link FerryServer#start()}.
 */
final class ServerServices {
    private ServerServices() {}

    /**
     * @throws IOException the user store is unusable (too open, malformed): the server must not start
     */
    static void install(FerryServer server, ServeSettings settings, Path root, UserStore store, AuthSettings auth,
                        ServerLog log) throws IOException {
        try {
            server.install(new AuthService(store, auth));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e); // install() declares Exception; AuthService throws IOException
        }
        if (settings.exec().enabled()) {
            log.warn("remote commands (exec) are not part of this build yet: --exec-allow"
                    + (settings.exec().allowAll() ? "-all" : "") + " is accepted but has no effect");
        }
    }
}

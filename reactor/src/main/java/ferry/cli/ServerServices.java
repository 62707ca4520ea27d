package ferry.cli;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerLog;
import java.nio.file.Path;

/**
 * Installs the services a {@code ferry serve} server offers, from its settings. The core
 * (HELLO, PING, BYE) is always there.
 *
 * <p>Round 2 plugs the services in here, in this order (login first, so its op table and
 * {@code loginRequired} policy are in place before the services that check rights):
 * <pre>{@code
 * server.install(new AuthService(userStore(s), ...));            // login
 * server.install(new FileService(root, ...));                    // files
 * if (s.exec().enabled()) server.install(new ExecService(policy(s.exec()), ...));   // exec
 * }</pre>
 *
 * <p>Thread safety: called once on the main thread, before {@link FerryServer#start()}.
 */
final class ServerServices {
    private ServerServices() {}

    static void install(FerryServer server, ServeSettings settings, Path root, ServerLog log) {
        if (settings.exec().enabled()) {
            log.warn("remote commands (exec) are not part of this build yet: --exec-allow"
                    + (settings.exec().allowAll() ? "-all" : "") + " is accepted but has no effect");
        }
    }
}

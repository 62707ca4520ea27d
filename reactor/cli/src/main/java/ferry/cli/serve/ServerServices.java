package ferry.cli.serve;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerLog;
import ferry.services.auth.AuthService;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.UserStore;
import ferry.services.exec.ExecService;
import ferry.services.file.FileService;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Installs the services a {@code ferry serve} server offers, from its settings (each service's
 * configuration is built by {@link ServeSettings}, where every flag landed). The core
 * (HELLO, PING, BYE) is always there.
 *
 * <p>Order matters: login first, so its ops are in place before the services that check rights.
 * The login service is installed whatever the access decision, so users added later can log in
 * and an anonymous connection may log in for a user's rights. Then files over the root, and exec
 * (refusing every command unless an --exec-allow flag enabled it).
 *
 * <p>Thread safety: called once on the main thread, before {@link FerryServer#start()}.
 */
public final class ServerServices {
    private ServerServices() {}

    /**
     * @throws IOException the user store is unusable (too open, malformed): the server must not start
     */
    private static void installOrFail(FerryServer server, ferry.reactor.FerryService service) throws IOException {
        try {
            server.install(service);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** @return the file service, whose gauges the metrics endpoint reads */
    static FileService install(FerryServer server, ServeSettings settings, Path root, UserStore store, AuthSettings auth,
                               ServerLog log) throws IOException {
        try {
            server.install(new AuthService(store, auth));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e); // install() declares Exception; AuthService throws IOException
        }
        FileService files = new FileService(settings.fileConfig(root));
        installOrFail(server, files);
        // Always installed: with exec disabled EXEC answers "forbidden: exec is disabled", which
        // tells a user more than unknown_op would.
        installOrFail(server, new ExecService(settings.execConfig(root)));
        return files;
    }
}

package ferry.services;

import ferry.reactor.FerryServer;
import ferry.reactor.FerryService;
import ferry.services.admin.AdminService;
import ferry.services.auth.AuthService;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.UserStore;
import ferry.services.exec.ExecConfig;
import ferry.services.exec.ExecService;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.io.IOException;

/**
 * The built-in services installed as {@code ferry serve} installs them: login, files, exec, and
 * the operator's WHO and KICK (for users with the admin right).
 * An application that wants Ferry's whole file server inside its own process calls
 * {@link #standard} and needs nothing else (docs/EMBEDDING.md).
 *
 * <pre>{@code
 * FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
 * FerryServices.standard(server, UserStore.inConfigDir(configDir), AuthSettings.defaults(),
 *         FileServiceConfig.builder(root).build(), ExecConfig.builder(root).build());
 * server.start();
 * }</pre>
 *
 * <p>Order matters: login first, so its ops are in place before the services that check rights.
 * Login is installed whatever the access policy, so users added later can log in and an
 * anonymous connection may log in for a user's rights. Exec is always installed: disabled, it
 * answers {@code forbidden: exec is disabled}, which tells a user more than {@code unknown_op}.
 *
 * <p>Threading: call once, from the thread that configures the server, before
 * {@link FerryServer#start()}.
 */
public final class FerryServices {
    private FerryServices() {}

    /** What {@link #standard} installed, for callers that read the services' gauges (metrics). */
    public record Installed(AuthService auth, FileService files, ExecService exec) {}

    /**
     * Installs login over {@code users}, files as {@code files} says and exec as {@code exec} says.
     *
     * @throws IOException the user store is unusable (too open, malformed) or a service could not
     *                     start: the server must not start
     */
    public static Installed standard(FerryServer server, UserStore users, AuthSettings auth,
                                     FileServiceConfig files, ExecConfig exec) throws IOException {
        AuthService login = install(server, new AuthService(users, auth));
        FileService fileService = install(server, new FileService(files));
        ExecService execService = install(server, new ExecService(exec));
        install(server, new AdminService(server.admin()));
        return new Installed(login, fileService, execService);
    }

    private static <S extends FerryService> S install(FerryServer server, S service) throws IOException {
        try {
            server.install(service);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // install() declares Exception
            throw new IOException(e.getMessage(), e);
        }
        return service;
    }
}

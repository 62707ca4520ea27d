package ferry.examples;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthClient;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.FerryServices;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that wants Ferry's whole file server in its own process: the built-in services
 * through the public {@link FerryServices#standard}, a user added through the public user store,
 * and a client that logs in and moves a file. docs/EMBEDDING.md quotes this file.
 */
class StandardServerTest {
    /** Cheap for a test; the store's default is far higher. */
    private static final int TEST_ITERATIONS = 4096;

    @Test
    void anApplicationRunsTheStandardServicesWithPublicApiOnly(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        UserStore users = UserStore.inConfigDir(dir.resolve("config"));
        PasswordHasher.Keys k = new PasswordHasher().hash("s3cret".toCharArray(), TEST_ITERATIONS);
        users.update(u -> u.with(new UserRecord("alice", k.iterations(), k.salt(), k.storedKey(), k.serverKey(),
                EnumSet.of(Right.READ, Right.WRITE), "")));

        FerryServer server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build(), ServerLog.NONE);
        FerryServices.Installed installed = FerryServices.standard(server, users, AuthSettings.defaults(),
                FileServiceConfig.builder(root).build(), ExecConfig.builder(root).build());
        server.start();
        try (FerryClient client = FerryClient.connect("127.0.0.1", server.port())) {
            RemoteException before = assertThrows(RemoteException.class, () -> new FileClient(client).stat("."));
            assertEquals(ErrorCode.UNAUTHENTICATED, before.code());

            new AuthClient(client).login("alice", "s3cret".toCharArray());
            FileClient files = new FileClient(client);
            byte[] bytes = "hello from the application".getBytes(StandardCharsets.UTF_8);
            Path local = Files.write(dir.resolve("note.txt"), bytes);
            files.upload(local, "note.txt");
            assertArrayEquals(bytes, Files.readAllBytes(root.resolve("note.txt")));
            assertNotNull(installed.files(), "the file service, for an application's gauges");
        } finally {
            server.stop();
        }
    }
}

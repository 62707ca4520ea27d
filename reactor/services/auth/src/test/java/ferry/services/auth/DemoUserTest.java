package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthClient;
import ferry.client.Credentials;
import ferry.client.CredentialsFile;
import ferry.client.FerryClient;
import ferry.reactor.Right;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoUserTest {
    @TempDir
    Path dir;

    @Test
    void createsADemoUserOnceAndItsCredentialsFileLogsIn() throws Exception {
        AuthFixture f = new AuthFixture(dir);
        Path data = dir.resolve("state");
        Optional<DemoUser.Created> created = DemoUser.ensure(f.store, data, true, AuthFixture.ITERATIONS);
        assertTrue(created.isPresent());
        DemoUser.Created c = created.get();
        assertEquals("demo", c.user());
        assertTrue(c.password().length() >= 20);
        assertTrue(c.announcement().contains(c.password()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.credentialsFile())));
        assertTrue(DemoUser.ensure(f.store, data, true, AuthFixture.ITERATIONS).isEmpty(), "printed once: not created again");
        assertEquals(1, f.store.countUsers());

        f.start(AuthSettings.defaults(), true);
        try (FerryClient client = f.connect(); Credentials cred = CredentialsFile.read(c.credentialsFile())) {
            assertEquals("demo", new AuthClient(client).login(cred).user());
        } finally {
            f.close();
        }
    }

    @Test
    void neverOffLoopbackAndNotWhenUsersExist() throws Exception {
        AuthFixture f = new AuthFixture(dir);
        assertThrows(IllegalStateException.class, () -> DemoUser.ensure(f.store, dir, false, AuthFixture.ITERATIONS));
        f.user("alice", "alice-secret", EnumSet.of(Right.READ), "");
        assertTrue(DemoUser.ensure(f.store, dir, true, AuthFixture.ITERATIONS).isEmpty());
        assertFalse(Files.exists(dir.resolve(DemoUser.CREDENTIALS_FILE_NAME)));
    }
}

package ferry.cli.serve;

import static org.junit.jupiter.api.Assertions.*;

import ferry.cli.command.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ferry serve's TLS set-up: a generated key made once and owner-only, loopback plain, --no-tls warned. */
class ServeTlsTest {
    @TempDir
    Path home;

    @Test
    void serveMakesAnOwnerOnlySelfSignedKeyOnceAndWarnsWithoutTls() throws Exception {
        ServeSettings s = new ServeSettings();
        Path config = home.resolve("config");
        ServeTls.Setup first = ServeTls.setUp(s, config, false, Map.of());
        assertTrue(first.settings() != null, "TLS by default beyond loopback");
        Path store = config.resolve(ServeTls.GENERATED_STORE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.getParent())));
        assertTrue(first.startLine().contains(first.fingerprint()), first.startLine());
        assertEquals(first.fingerprint(), ServeTls.setUp(s, config, false, Map.of()).fingerprint(), "made once, reused");

        assertNull(ServeTls.setUp(new ServeSettings(), config, true, Map.of()).settings(), "loopback stays plaintext");
        ServeSettings off = new ServeSettings();
        off.setTls(false);
        ServeTls.Setup clear = ServeTls.setUp(off, config, false, Map.of());
        assertNull(clear.settings());
        assertEquals(ServeTls.CLEAR_WARNING, clear.startLine());

        ServeSettings halfPem = new ServeSettings();
        halfPem.setTlsCert(home.resolve("cert.pem"));
        CliException e = assertThrows(CliException.class, () -> ServeTls.setUp(halfPem, config, true, Map.of()));
        assertTrue(e.getMessage().contains("--tls-key"), e.getMessage());
    }
}

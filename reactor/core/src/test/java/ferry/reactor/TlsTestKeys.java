package ferry.reactor;

import ferry.protocol.tls.KeyMaterial;
import ferry.protocol.tls.SelfSigned;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLContext;

/** Self-signed keys for tests, made once per JVM with keytool (about a second each). */
public final class TlsTestKeys {
    private static KeyMaterial primary;
    private static KeyMaterial other;

    private TlsTestKeys() {}

    /** The server key most tests use, for localhost and 127.0.0.1. */
    public static synchronized KeyMaterial primary() {
        if (primary == null) {
            primary = generate("localhost");
        }
        return primary;
    }

    /** A second, unrelated key: the certificate a man in the middle would present. */
    public static synchronized KeyMaterial other() {
        if (other == null) {
            other = generate("localhost");
        }
        return other;
    }

    public static SSLContext context(KeyMaterial m) {
        try {
            return m.serverContext();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TLS settings for a test server with the primary key. */
    public static TlsSettings settings(TlsSettings.Plaintext plaintext) {
        return new TlsSettings(context(primary()), plaintext);
    }

    private static KeyMaterial generate(String cn) {
        try {
            Path dir = Files.createTempDirectory("ferry-tls-test");
            Path store = dir.resolve("server.p12");
            SelfSigned.generate(store, cn, List.of("dns:localhost", "ip:127.0.0.1"), null, 30);
            KeyMaterial m = KeyMaterial.fromPkcs12(store, null);
            Files.delete(store);
            Files.delete(dir);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

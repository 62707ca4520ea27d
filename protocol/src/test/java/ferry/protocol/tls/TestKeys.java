package ferry.protocol.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** One self-signed key for the test JVM (keytool runs once), and contexts that serve and trust it. */
public final class TestKeys {
    private static KeyMaterial material;

    private TestKeys() {}

    public static synchronized KeyMaterial material() {
        if (material == null) {
            try {
                Path dir = Files.createTempDirectory("ferry-tls-test");
                Path store = dir.resolve("server.p12");
                SelfSigned.generate(store, "localhost", List.of("dns:localhost", "ip:127.0.0.1"), null, 30);
                material = KeyMaterial.fromPkcs12(store, null);
                Files.delete(store);
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return material;
    }

    public static SSLContext server() {
        try {
            return material().serverContext();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context trusting exactly {@code cert} (PKIX, so the host name is not checked here). */
    public static SSLContext trusting(X509Certificate cert) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("server", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SSLContext client() {
        return trusting(material().certificate());
    }
}

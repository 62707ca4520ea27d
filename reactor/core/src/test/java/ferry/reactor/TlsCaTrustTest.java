package ferry.reactor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import ferry.protocol.tls.KeyMaterial;
import ferry.protocol.tls.SelfSigned;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --tls-ca: a certificate signed by the trusted CA, for the host name connected to, and still valid. */
class TlsCaTrustTest {
    @TempDir
    Path dir;

    private Path pem(KeyMaterial m) throws Exception {
        Path p = dir.resolve("ca-" + System.nanoTime() + ".pem");
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(m.certificate().getEncoded());
        Files.writeString(p, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
        return p;
    }

    private KeyMaterial generate(String name, List<String> sans, String start, int days) throws IOException {
        Path store = dir.resolve(name + ".p12");
        SelfSigned.generate(store, name, sans, start, days);
        return KeyMaterial.fromPkcs12(store, null);
    }

    private void connect(KeyMaterial served, Path ca) throws Exception {
        FerryServer server = TestServers.start(TestServers.config()
                .tls(new TlsSettings(TlsTestKeys.context(served), TlsSettings.Plaintext.NEVER)).build());
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(),
                ClientOptions.defaults().withTls(ClientTls.ca(ca)))) {
            assertTrue(c.ping() >= 0);
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCertificateForTheHostIsTrustedAndOthersAreNot() throws Exception {
        KeyMaterial good = TlsTestKeys.primary(); // SAN ip:127.0.0.1
        connect(good, pem(good));

        KeyMaterial otherHost = generate("other", List.of("dns:other.example"), null, 30);
        IOException wrongHost = assertThrows(IOException.class, () -> connect(otherHost, pem(otherHost)));
        assertTrue(wrongHost.getMessage().contains("TLS handshake failed"), wrongHost.getMessage());

        KeyMaterial expired = generate("expired", List.of("ip:127.0.0.1"), "-10d", 1);
        IOException old = assertThrows(IOException.class, () -> connect(expired, pem(expired)));
        assertTrue(old.getMessage().contains("TLS handshake failed"), old.getMessage());

        IOException unrelated = assertThrows(IOException.class, () -> connect(good, pem(otherHost)));
        assertTrue(unrelated.getMessage().contains("TLS handshake failed"), unrelated.getMessage());
    }
}

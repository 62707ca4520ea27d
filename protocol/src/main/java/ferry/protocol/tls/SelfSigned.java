package ferry.protocol.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Creates a key pair and a self-signed certificate in a PKCS#12 file with the JDK's
 * {@code keytool} (the JDK has no public API to sign a certificate). EC P-256 keys: small, fast
 * handshakes. The store's password is {@link KeyMaterial#STORE_PASSWORD}: it protects nothing
 * (it sits in the code); the file's owner-only permissions do.
 *
 * <p>Thread safety: stateless; blocks for the keytool run (about a second). Never on an event loop.
 */
public final class SelfSigned {
    /** How long keytool may take before it is given up on, in seconds. */
    static final long KEYTOOL_TIMEOUT_SECONDS = 60;
    /** The alias of the key entry in generated stores. */
    public static final String ALIAS = "ferry";

    private SelfSigned() {}

    /**
     * Writes a new PKCS#12 store to {@code store} (which must not exist) holding a key pair and a
     * certificate for {@code commonName}, valid for {@code sans} (keytool SAN syntax, such as
     * {@code dns:host} or {@code ip:127.0.0.1}) from {@code startDate} (keytool syntax, such as
     * {@code -1d}; null for now) for {@code validityDays}.
     */
    public static void generate(Path store, String commonName, List<String> sans, String startDate, int validityDays)
            throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + commonName.replace(",", "\\,"), "-validity", Integer.toString(validityDays),
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", KeyMaterial.STORE_PASSWORD, "-keypass", KeyMaterial.STORE_PASSWORD));
        if (!sans.isEmpty()) {
            cmd.add("-ext");
            cmd.add("SAN=" + String.join(",", sans));
        }
        if (startDate != null) {
            cmd.add("-startdate");
            cmd.add(startDate);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        try {
            if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating a certificate", e);
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(store)) {
            throw new IOException("keytool failed to create " + store + ": " + out);
        }
    }
}

package ferry.cli.serve;

import ferry.cli.command.CliException;
import ferry.cli.command.ErrorMessages;

import ferry.protocol.tls.KeyMaterial;
import ferry.protocol.tls.SelfSigned;
import ferry.reactor.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ferry serve}'s TLS: whether it is on (secure by default: on when the server listens
 * beyond loopback, unless {@code --no-tls}), which key it presents (given PEM or PKCS#12 files,
 * else a self-signed one made on first start in the config folder, owner-only), and what the
 * operator is told at start (the fingerprint clients pin, or a warning that traffic is in clear).
 *
 * <p>Thread safety: used once, on the command's thread; may run keytool (about a second).
 */
final class ServeTls {
    static final String DEFAULT_PLAINTEXT = "loopback";
    /** The self-signed store, relative to the config folder. */
    static final String GENERATED_STORE = "tls/server.p12";
    /** Environment variable with the password of a PKCS#12 store given with {@code --tls-cert}. */
    static final String ENV_STORE_PASSWORD = "FERRY_TLS_PASSWORD";
    /** Validity of a generated certificate: ten years (pinned by fingerprint, its dates matter little). */
    static final int GENERATED_VALIDITY_DAYS = 3650;
    static final String CLEAR_WARNING = "WARNING: TLS is off (--no-tls): file contents, names, commands and their output"
            + " cross the network in clear, and a connection can be taken over after login";

    /** What serve does about TLS: the settings (null when off) and the line to print at start. */
    record Setup(TlsSettings settings, String fingerprint, String startLine) {}

    private ServeTls() {}

    /**
     * @param loopbackOnly whether the server listens on loopback only
     * @throws CliException when the key cannot be read or made, or the flags contradict each other
     */
    static Setup setUp(ServeSettings s, Path configDir, boolean loopbackOnly, Map<String, String> env) throws CliException {
        boolean on = s.tls() != null ? s.tls() : (!loopbackOnly || s.tlsCert() != null);
        if (!on) {
            if (s.tlsCert() != null || s.tlsKey() != null) {
                throw new CliException("--tls-cert/--tls-key given with --no-tls: drop one or the other");
            }
            return new Setup(null, null, loopbackOnly ? null : CLEAR_WARNING);
        }
        KeyMaterial key;
        String origin;
        try {
            if (s.tlsCert() != null) {
                key = given(s.tlsCert(), s.tlsKey(), env);
                origin = s.tlsCert().toString();
            } else if (s.tlsKey() != null) {
                throw new CliException("--tls-key needs --tls-cert (the certificate that goes with the key)");
            } else {
                Path store = configDir.resolve(GENERATED_STORE);
                origin = "self-signed, " + store;
                key = Files.exists(store) ? KeyMaterial.fromPkcs12(store, null) : generate(store, s.listen().host());
            }
        } catch (IOException e) {
            throw new CliException("TLS: " + ErrorMessages.oneLine(e.getMessage()), e);
        }
        TlsSettings.Plaintext plaintext = TlsSettings.Plaintext.valueOf(s.tlsPlaintext().toUpperCase(Locale.ROOT));
        try {
            return new Setup(new TlsSettings(key.serverContext(), plaintext), key.fingerprint(),
                    "TLS certificate " + key.fingerprint() + " (" + origin + "); plaintext peers: " + s.tlsPlaintext());
        } catch (GeneralSecurityException e) {
            throw new CliException("TLS: cannot use the key: " + e.getMessage(), e);
        }
    }

    private static KeyMaterial given(Path cert, Path key, Map<String, String> env) throws IOException, CliException {
        String name = cert.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            if (key != null) {
                throw new CliException("--tls-key is for PEM certificates; a PKCS#12 store holds its own key");
            }
            String pw = env.get(ENV_STORE_PASSWORD);
            return KeyMaterial.fromPkcs12(cert, pw == null ? null : pw.toCharArray());
        }
        if (key == null) {
            throw new CliException("--tls-cert " + cert + " needs --tls-key FILE (the private key, PEM)");
        }
        return KeyMaterial.fromPem(cert, key);
    }

    /** Makes the self-signed store in an owner-only folder, complete or not at all. */
    private static KeyMaterial generate(Path store, String listenHost) throws IOException {
        Path dir = store.getParent();
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
        Path tmp = dir.resolve(store.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        SelfSigned.generate(tmp, hostName(), sans(listenHost), null, GENERATED_VALIDITY_DAYS);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions here: the owner-only folder is what protects it
        }
        Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE);
        return KeyMaterial.fromPkcs12(store, null);
    }

    /** Names the certificate is for (clients pin it anyway; a CA-less host name check needs them). */
    static List<String> sans(String listenHost) {
        List<String> out = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        String h = hostName();
        if (!h.equals("localhost")) {
            out.add("dns:" + h);
        }
        if (listenHost != null && !listenHost.isEmpty() && !listenHost.equals("0.0.0.0") && !listenHost.equals("::")
                && !listenHost.equals("*")) {
            boolean ip = listenHost.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
            String san = (ip ? "ip:" : "dns:") + listenHost;
            if (!out.contains(san)) {
                out.add(san);
            }
        }
        return out;
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h.matches("[A-Za-z0-9.-]+") ? h : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

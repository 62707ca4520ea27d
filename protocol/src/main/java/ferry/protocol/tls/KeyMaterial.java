package ferry.protocol.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;

/**
 * A server's private key and certificate chain, read from PEM files (a certificate chain file
 * and an unencrypted PKCS#8 key) or a PKCS#12 store, and the {@link SSLContext} that serves them.
 *
 * <p>Thread safety: immutable.
 */
public final class KeyMaterial {
    /** Password of the PKCS#12 stores Ferry writes; not a secret (the file's permissions are). */
    public static final String STORE_PASSWORD = "ferry-self-signed";
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS"};

    private final PrivateKey key;
    private final X509Certificate[] chain;

    private KeyMaterial(PrivateKey key, X509Certificate[] chain) {
        this.key = key;
        this.chain = chain;
    }

    /** The leaf certificate: the one clients pin. */
    public X509Certificate certificate() {
        return chain[0];
    }

    /** SHA-256 fingerprint of the leaf certificate, as {@link Fingerprint#of} writes it. */
    public String fingerprint() {
        return Fingerprint.of(chain[0]);
    }

    /** A TLS server context (TLS 1.3 and 1.2 via {@link TlsEngine}) presenting this key. */
    public SSLContext serverContext() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {keyManager()}, null, null);
        return ctx;
    }

    /** A key manager that presents this key (to wrap, or to build a context with other trust). */
    public X509ExtendedKeyManager keyManager() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] pw = STORE_PASSWORD.toCharArray();
        ks.setKeyEntry(SelfSigned.ALIAS, key, pw, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        for (KeyManager km : kmf.getKeyManagers()) {
            if (km instanceof X509ExtendedKeyManager) {
                return (X509ExtendedKeyManager) km;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 key manager");
    }

    /** Reads a PKCS#12 store holding one key entry; {@code password} null for Ferry's own stores. */
    public static KeyMaterial fromPkcs12(Path store, char[] password) throws IOException {
        char[] pw = password != null ? password : STORE_PASSWORD.toCharArray();
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, pw);
            for (Enumeration<String> e = ks.aliases(); e.hasMoreElements(); ) {
                String alias = e.nextElement();
                if (ks.isKeyEntry(alias)) {
                    Certificate[] certs = ks.getCertificateChain(alias);
                    return new KeyMaterial((PrivateKey) ks.getKey(alias, pw), x509(certs, store));
                }
            }
            throw new IOException(store + ": no private key entry in this PKCS#12 store");
        } catch (GeneralSecurityException e) {
            throw new IOException(store + ": cannot read PKCS#12 store: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM certificate chain (leaf first) and an unencrypted PKCS#8 PEM private key. */
    public static KeyMaterial fromPem(Path certFile, Path keyFile) throws IOException {
        X509Certificate[] chain;
        try (InputStream in = Files.newInputStream(certFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            chain = x509(certs.toArray(new Certificate[0]), certFile);
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + ": not a PEM certificate: " + e.getMessage(), e);
        }
        return new KeyMaterial(readKey(keyFile), chain);
    }

    private static X509Certificate[] x509(Certificate[] certs, Path from) throws IOException {
        if (certs == null || certs.length == 0) {
            throw new IOException(from + ": no certificate found");
        }
        X509Certificate[] out = new X509Certificate[certs.length];
        for (int i = 0; i < certs.length; i++) {
            if (!(certs[i] instanceof X509Certificate)) {
                throw new IOException(from + ": not an X.509 certificate");
            }
            out[i] = (X509Certificate) certs[i];
        }
        return out;
    }

    private static PrivateKey readKey(Path keyFile) throws IOException {
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new IOException(keyFile + ": no PEM private key (expected -----BEGIN PRIVATE KEY-----)");
        }
        if (!m.group(1).isEmpty()) {
            throw new IOException(keyFile + ": a \"" + m.group(1).trim() + " PRIVATE KEY\" is not supported; convert it"
                    + " to unencrypted PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out key.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm: PKCS#8 names it inside, the JDK wants it up front
            }
        }
        throw new IOException(keyFile + ": unsupported private key algorithm");
    }
}

package ferry.protocol.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * The {@code tls-server-end-point} channel binding (RFC 5929 section 4.1) that SCRAM-SHA-256-PLUS
 * (RFC 5802, RFC 7677) mixes into the login proof: a hash of the server's certificate, so a proof
 * made over a TLS session with one certificate is worthless over another (a man in the middle
 * that terminates TLS with its own certificate cannot relay it).
 *
 * <p>The hash is the one of the certificate's signature algorithm, except that MD5 and SHA-1
 * become SHA-256 (RFC 5929). For algorithms without one hash (Ed25519, Ed448, RSASSA-PSS whose
 * parameters the JDK does not name) RFC 5929 defines nothing; Ferry uses SHA-256, on both sides.
 *
 * <p>Thread safety: stateless.
 */
public final class ChannelBinding {
    /** The channel binding type name in the GS2 header ({@code p=tls-server-end-point}). */
    public static final String TLS_SERVER_END_POINT = "tls-server-end-point";

    private ChannelBinding() {}

    /** The channel binding data for a server certificate. */
    public static byte[] tlsServerEndPoint(X509Certificate cert) {
        try {
            return MessageDigest.getInstance(hashOf(cert.getSigAlgName())).digest(cert.getEncoded());
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot hash the certificate for channel binding: " + e.getMessage(), e);
        }
    }

    /** The digest for a JDK signature algorithm name such as {@code SHA384withECDSA}. */
    static String hashOf(String sigAlgName) {
        String a = sigAlgName.toUpperCase(Locale.ROOT).replace("-", "");
        int with = a.indexOf("WITH");
        String hash = with > 0 ? a.substring(0, with) : "";
        switch (hash) {
            case "SHA384":
                return "SHA-384";
            case "SHA512":
                return "SHA-512";
            case "SHA3256":
                return "SHA3-256";
            case "SHA3384":
                return "SHA3-384";
            case "SHA3512":
                return "SHA3-512";
            default:
                return "SHA-256"; // SHA-256 itself; MD5 and SHA-1 by the RFC; SHA-224 and no-hash algorithms by choice
        }
    }
}

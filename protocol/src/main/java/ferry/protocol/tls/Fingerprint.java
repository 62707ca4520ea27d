package ferry.protocol.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

/**
 * SHA-256 certificate fingerprints as Ferry shows and pins them: {@code SHA256:} followed by the
 * unpadded base64 of the digest of the DER certificate, as ssh writes key fingerprints. Input may
 * also be hex (with or without colons), as {@code openssl x509 -fingerprint -sha256} prints it.
 *
 * <p>Thread safety: stateless.
 */
public final class Fingerprint {
    public static final String PREFIX = "SHA256:";
    private static final int SHA256_BYTES = 32;

    private Fingerprint() {}

    public static String of(X509Certificate cert) {
        try {
            return format(sha256(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    public static String format(byte[] digest) {
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(digest);
    }

    /**
     * The canonical form of a fingerprint a user typed ({@code SHA256:base64}, or 64 hex digits
     * with or without colons and an optional {@code SHA256:} prefix).
     *
     * @throws IllegalArgumentException with a message for the user when it is neither
     */
    public static String parse(String text) {
        String t = text.trim();
        if (t.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            t = t.substring(PREFIX.length());
        }
        String hex = t.replace(":", "");
        if (hex.length() == 2 * SHA256_BYTES && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return format(HexFormat.of().parseHex(hex.toLowerCase()));
        }
        try {
            byte[] d = Base64.getDecoder().decode(t);
            if (d.length == SHA256_BYTES) {
                return format(d);
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("not a SHA-256 fingerprint: \"" + text
                + "\" (expected SHA256: and 43 base64 characters, or 64 hex digits)");
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}

package ferry.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The digests the file ops speak, by their wire names: {@code sha-256} (the default), {@code md5}
 * (the seed's users compare MD5 sums) and {@code none} (no verification). Digests travel as
 * lowercase hex.
 *
 * <p>Thread safety: immutable; {@link #newDigest()} returns a fresh, unshared instance.
 */
public enum DigestAlgorithm {
    SHA_256("sha-256", "SHA-256", 32),
    MD5("md5", "MD5", 16),
    NONE("none", null, 0);

    public static final DigestAlgorithm DEFAULT = SHA_256;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String wireName;
    private final String jdkName;
    private final int digestBytes;

    DigestAlgorithm(String wireName, String jdkName, int digestBytes) {
        this.wireName = wireName;
        this.jdkName = jdkName;
        this.digestBytes = digestBytes;
    }

    /** The name on the wire: {@code sha-256}, {@code md5}, {@code none}. */
    public String wireName() {
        return wireName;
    }

    /** Length of the digest in hex characters (0 for {@link #NONE}). */
    public int hexLength() {
        return digestBytes * 2;
    }

    public boolean isNone() {
        return this == NONE;
    }

    /** A fresh digest; null for {@link #NONE}. */
    public MessageDigest newDigest() {
        if (jdkName == null) {
            return null;
        }
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jdkName + ", which every Java platform must provide", e);
        }
    }

    /**
     * Parses a wire name (case-insensitive; {@code sha256} is accepted for {@code sha-256}).
     *
     * @throws ProtocolException {@code bad_request} naming the known algorithms
     */
    public static DigestAlgorithm fromWire(String name) throws ProtocolException {
        String n = name.toLowerCase(Locale.ROOT);
        for (DigestAlgorithm a : values()) {
            if (a.wireName.equals(n)) {
                return a;
            }
        }
        if (n.equals("sha256")) {
            return SHA_256;
        }
        throw new ProtocolException(ProtocolException.BAD_REQUEST,
                "unknown digest algorithm \"" + name + "\" (known: sha-256, md5, none)");
    }

    /** Checks that {@code hex} is a digest of this algorithm: right length, lowercase or uppercase hex. */
    public String checkHex(String hex, String field) throws ProtocolException {
        if (this == NONE) {
            throw new ProtocolException(ProtocolException.BAD_REQUEST,
                    "field \"" + field + "\" needs a digest algorithm other than none");
        }
        if (hex.length() != hexLength()) {
            throw new ProtocolException(ProtocolException.BAD_REQUEST, "field \"" + field + "\" must be "
                    + hexLength() + " hex digits of " + wireName + " (got " + hex.length() + " characters)");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            // Character.digit also takes other scripts' digits ('\u0663' is 3): only ASCII hex is a digest
            if (c > 'f' || Character.digit(c, 16) < 0) {
                throw new ProtocolException(ProtocolException.BAD_REQUEST,
                        "field \"" + field + "\" must be hex digits (bad character at " + i + ")");
            }
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    /** Lowercase hex of {@code bytes}. */
    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return wireName;
    }
}

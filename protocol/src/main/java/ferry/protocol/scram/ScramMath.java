package ferry.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arithmetic of SCRAM-SHA-256 (RFC 5802 section 3, RFC 7677), JDK crypto only:
 *
 * <pre>
 * SaltedPassword  = Hi(Normalize(password), salt, i)        ; PBKDF2-HMAC-SHA-256, 32 bytes
 * ClientKey       = HMAC(SaltedPassword, "Client Key")
 * StoredKey       = H(ClientKey)                            ; what the server stores
 * ServerKey       = HMAC(SaltedPassword, "Server Key")      ; what the server stores
 * AuthMessage     = client-first-message-bare "," server-first-message "," client-final-message-without-proof
 * ClientSignature = HMAC(StoredKey, AuthMessage)
 * ClientProof     = ClientKey XOR ClientSignature           ; sent by the client
 * ServerSignature = HMAC(ServerKey, AuthMessage)            ; sent by the server as v=
 * </pre>
 *
 * <p>Thread safety: stateless; every method is safe from any thread.
 */
public final class ScramMath {
    /** The SASL mechanism name. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** With channel binding to the TLS session (tls-server-end-point). */
    public static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    /** SHA-256 output, and so the length of every key, signature and proof. */
    public static final int KEY_BYTES = 32;
    /** RFC 7677 section 4: fewer iterations than this SHOULD be refused. */
    public static final int MIN_ITERATIONS = 4096;
    /**
     * The most iterations a client will run (and a server will store): a hostile server must not be
     * able to make a client spin for minutes. At roughly 1 µs per iteration this is about 10 s.
     */
    public static final int MAX_ITERATIONS = 10_000_000;

    private static final String PBKDF2 = "PBKDF2WithHmacSHA256";
    private static final String HMAC = "HmacSHA256";
    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);

    private ScramMath() {}

    /**
     * Hi(): PBKDF2-HMAC-SHA-256 with a 32-byte output. The JDK's PBKDF2 encodes the password
     * characters as UTF-8, which is exactly what SCRAM specifies for the normalised password.
     *
     * @param normalizedPassword the password after {@link SaslPrep}; not modified
     */
    public static byte[] saltedPassword(char[] normalizedPassword, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive: " + iterations);
        }
        PBEKeySpec spec = new PBEKeySpec(normalizedPassword, salt, iterations, KEY_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(PBKDF2).generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("the JDK lacks " + PBKDF2 + ": " + e.getMessage(), e);
        } finally {
            spec.clearPassword();
        }
    }

    public static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, CLIENT_KEY);
    }

    public static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, SERVER_KEY);
    }

    public static byte[] storedKey(byte[] clientKey) {
        return sha256(clientKey);
    }

    /** The AuthMessage that both signatures cover. */
    public static byte[] authMessage(String clientFirstBare, String serverFirst, String clientFinalWithoutProof) {
        return (clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] clientProof(byte[] clientKey, byte[] storedKey, byte[] authMessage) {
        return xor(clientKey, hmac(storedKey, authMessage));
    }

    public static byte[] serverSignature(byte[] serverKey, byte[] authMessage) {
        return hmac(serverKey, authMessage);
    }

    /**
     * The server's check of a client proof: recovers ClientKey = proof XOR HMAC(StoredKey,
     * AuthMessage) and compares H(ClientKey) with StoredKey in constant time. Does the same work
     * whatever the inputs, so its duration tells nothing about how close a guess was.
     */
    public static boolean verifyClientProof(byte[] storedKey, byte[] authMessage, byte[] proof) {
        byte[] signature = hmac(storedKey, authMessage);
        byte[] candidate = proof.length == signature.length ? proof : new byte[signature.length];
        byte[] clientKey = xor(candidate, signature);
        boolean same = MessageDigest.isEqual(sha256(clientKey), storedKey);
        Arrays.fill(clientKey, (byte) 0);
        return same && proof.length == signature.length;
    }

    public static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + HMAC + ": " + e.getMessage(), e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** a XOR b; both must have the same length. */
    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("xor of " + a.length + " and " + b.length + " bytes");
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }
}

package ferry.services.auth;

import ferry.protocol.scram.SaslPrep;
import ferry.protocol.scram.ScramMath;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Turns a password into what the user store keeps: a random salt, an iteration count and the
 * SCRAM-SHA-256 StoredKey and ServerKey (PBKDF2-HMAC-SHA-256 through the JDK's
 * {@code SecretKeyFactory("PBKDF2WithHmacSHA256")}). The SaltedPassword and the normalised
 * password are zeroed before returning; the password itself is left for the caller to zero.
 *
 * <p>Slow on purpose ({@link #DEFAULT_ITERATIONS} rounds take about half a second): call it from
 * the CLI or a worker, never from an event loop.
 *
 * <p>Thread safety: safe from any thread ({@link SecureRandom} is).
 */
public final class PasswordHasher {
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA-256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Per-user random salt length: 128 bits, as NIST SP 800-132 asks at least. */
    public static final int SALT_BYTES = 16;

    /** The stored form of a password. */
    public record Keys(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {}

    private final SecureRandom random;

    public PasswordHasher(SecureRandom random) {
        this.random = random;
    }

    public PasswordHasher() {
        this(new SecureRandom());
    }

    /**
     * Hashes a password with a fresh salt.
     *
     * @throws IllegalArgumentException if the password is empty or SASLprep refuses it
     */
    public Keys hash(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    /** Derives the keys for a given salt (deterministic: the RFC test vectors use it). */
    public static Keys derive(char[] password, byte[] salt, int iterations) {
        if (iterations < ScramMath.MIN_ITERATIONS || iterations > ScramMath.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in [" + ScramMath.MIN_ITERATIONS + ", "
                    + ScramMath.MAX_ITERATIONS + "]: " + iterations);
        }
        char[] normalized = SaslPrep.prepare(password);
        byte[] salted = null;
        byte[] clientKey = null;
        try {
            salted = ScramMath.saltedPassword(normalized, salt, iterations);
            clientKey = ScramMath.clientKey(salted);
            return new Keys(salt.clone(), iterations, ScramMath.storedKey(clientKey), ScramMath.serverKey(salted));
        } finally {
            Arrays.fill(normalized, '\0');
            if (salted != null) {
                Arrays.fill(salted, (byte) 0);
            }
            if (clientKey != null) {
                Arrays.fill(clientKey, (byte) 0);
            }
        }
    }
}

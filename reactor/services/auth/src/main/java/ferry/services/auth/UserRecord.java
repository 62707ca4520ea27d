package ferry.services.auth;

import ferry.protocol.scram.ScramMath;
import ferry.protocol.scram.ScramSyntax;
import ferry.reactor.Right;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import java.util.Set;

/**
 * One account as the server keeps it: the SCRAM-SHA-256 verifiers, never the password.
 *
 * <p>{@code storedKey} = H(HMAC(SaltedPassword, "Client Key")) lets the server check a client's
 * proof; {@code serverKey} = HMAC(SaltedPassword, "Server Key") lets it prove to the client that
 * it knows the verifier too. Neither lets anyone log in as the user without first guessing the
 * password through {@code iterations} rounds of PBKDF2 per guess.
 *
 * @param name       a valid name (see {@link UserNames})
 * @param iterations PBKDF2 rounds used for this user's keys
 * @param salt       the user's random salt
 * @param storedKey  32 bytes
 * @param serverKey  32 bytes
 * @param rights     what the user may do
 * @param home       the folder, relative to the server root with '/' separators, that the user is
 *                   confined to; "" for the whole root
 * @param quota      the user's own quota on the home ({@link UserQuota#DEFAULTS}: the server's)
 * @param limits     the user's own limits on sessions, uploads and commands at once
 *                   ({@link UserLimits#DEFAULTS}: the server's)
 */
public record UserRecord(String name, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey,
                         Set<Right> rights, String home, UserQuota quota, UserLimits limits) {
    /** A user without limits of their own (the server's defaults apply). */
    public UserRecord(String name, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey,
                      Set<Right> rights, String home, UserQuota quota) {
        this(name, iterations, salt, storedKey, serverKey, rights, home, quota, UserLimits.DEFAULTS);
    }

    /** A user without a quota of their own (the server's default quota applies). */
    public UserRecord(String name, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey,
                      Set<Right> rights, String home) {
        this(name, iterations, salt, storedKey, serverKey, rights, home, UserQuota.DEFAULTS, UserLimits.DEFAULTS);
    }

    public UserRecord {
        UserNames.check(name);
        if (iterations < ScramMath.MIN_ITERATIONS || iterations > ScramMath.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in [" + ScramMath.MIN_ITERATIONS + ", "
                    + ScramMath.MAX_ITERATIONS + "]: " + iterations);
        }
        if (salt.length == 0 || salt.length > ScramSyntax.MAX_SALT_BYTES) {
            throw new IllegalArgumentException("salt must be 1 to " + ScramSyntax.MAX_SALT_BYTES + " bytes: " + salt.length);
        }
        if (storedKey.length != ScramMath.KEY_BYTES || serverKey.length != ScramMath.KEY_BYTES) {
            throw new IllegalArgumentException("stored and server keys must be " + ScramMath.KEY_BYTES + " bytes");
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
        rights = Right.frozen(rights);
        home = normalizeHome(home);
        quota = quota == null ? UserQuota.DEFAULTS : quota;
        limits = limits == null ? UserLimits.DEFAULTS : limits;
    }

    /** A user with new keys (password change), same rights and home. */
    public UserRecord withKeys(PasswordHasher.Keys keys) {
        return new UserRecord(name, keys.iterations(), keys.salt(), keys.storedKey(), keys.serverKey(), rights, home, quota, limits);
    }

    public UserRecord withRights(Set<Right> newRights) {
        return new UserRecord(name, iterations, salt, storedKey, serverKey, newRights, home, quota, limits);
    }

    public UserRecord withHome(String newHome) {
        return new UserRecord(name, iterations, salt, storedKey, serverKey, rights, newHome, quota, limits);
    }

    public UserRecord withQuota(UserQuota newQuota) {
        return new UserRecord(name, iterations, salt, storedKey, serverKey, rights, home, newQuota, limits);
    }

    public UserRecord withLimits(UserLimits newLimits) {
        return new UserRecord(name, iterations, salt, storedKey, serverKey, rights, home, quota, newLimits);
    }

    /** Accessors hand out copies: a record is immutable. */
    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /**
     * Normalises a home folder to the root-relative form the server uses: null, "", "/" mean the
     * root; a leading or trailing '/' is dropped ("/alice/" is "alice"); segments "." and "..",
     * empty segments, backslashes and control characters are refused so a home can never point
     * outside the root.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String normalizeHome(String home) {
        if (home == null) {
            return "";
        }
        String h = home;
        while (h.startsWith("/")) {
            h = h.substring(1);
        }
        while (h.endsWith("/")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty()) {
            return "";
        }
        if (h.length() > 4096) {
            throw new IllegalArgumentException("home folder is longer than 4096 characters");
        }
        for (String seg : h.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("home folder \"" + home + "\" must be a plain path inside the root"
                        + " (no empty, \".\" or \"..\" segments)");
            }
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\\') {
                throw new IllegalArgumentException("home folder contains a control character or backslash");
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "UserRecord[" + name + ", rights=" + Right.toList(rights) + ", home=" + home + ", quota=" + quota.maxBytes() + " bytes/"
                + quota.maxFiles() + " files, limits=" + limits + ", iterations=" + iterations + "]";
    }
}

package ferry.reactor.auth;

import ferry.protocol.scram.ScramMath;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of the user store: the accounts by name plus the store's secret, from which
 * decoy accounts for unknown names are derived (see {@link #lookup}).
 *
 * <p>Thread safety: immutable; share freely.
 */
public final class Users {
    /** Length of the store secret. */
    public static final int SECRET_BYTES = 32;

    /** The result of {@link #lookup}: a record to run the exchange with, and whether it is real. */
    record Lookup(UserRecord record, boolean exists) {}

    private final byte[] secret;
    private final TreeMap<String, UserRecord> byName;
    private final int decoyIterations;

    Users(byte[] secret, Map<String, UserRecord> users) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("store secret must be at least 16 bytes");
        }
        this.secret = secret.clone();
        this.byName = new TreeMap<>(users);
        this.decoyIterations = commonestIterations(byName.values());
    }

    /** No users, with a fresh random secret. */
    public static Users empty(SecureRandom random) {
        byte[] s = new byte[SECRET_BYTES];
        random.nextBytes(s);
        return new Users(s, Collections.emptyMap());
    }

    /** No users, same secret: decoys keep their salts. */
    static Users emptyKeepingSecret(Users previous) {
        return new Users(previous.secret, Collections.emptyMap());
    }

    public int size() {
        return byName.size();
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    public Optional<UserRecord> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Every user, sorted by name. */
    public Collection<UserRecord> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** This snapshot with {@code user} added or replaced. */
    public Users with(UserRecord user) {
        TreeMap<String, UserRecord> m = new TreeMap<>(byName);
        m.put(user.name(), user);
        return new Users(secret, m);
    }

    /** This snapshot without {@code name} (unchanged if absent). */
    public Users without(String name) {
        TreeMap<String, UserRecord> m = new TreeMap<>(byName);
        m.remove(name);
        return new Users(secret, m);
    }

    byte[] secret() {
        return secret.clone();
    }

    /**
     * Finds the record to run a login with. Unknown names get a decoy whose salt and keys are
     * derived from the store secret and the name: stable across attempts and restarts (a salt that
     * changed would give the game away), the same length and iteration count as real ones, and
     * unusable (nobody knows a password whose StoredKey is an HMAC output). The decoy is computed
     * for every name, known or not, so both take the same path and time.
     */
    Lookup lookup(String name) {
        UserRecord decoy = decoy(name);
        UserRecord real = byName.get(name);
        return real != null ? new Lookup(real, true) : new Lookup(decoy, false);
    }

    private UserRecord decoy(String name) {
        byte[] salt = Arrays.copyOf(derive("ferry decoy salt", name), PasswordHasher.SALT_BYTES);
        return new UserRecord(name, decoyIterations, salt, derive("ferry decoy stored key", name),
                derive("ferry decoy server key", name), EnumSet.noneOf(ferry.reactor.Right.class), "");
    }

    private byte[] derive(String label, String name) {
        return ScramMath.hmac(secret, (label + '\0' + name).getBytes(StandardCharsets.UTF_8));
    }

    /** The iteration count most users have, so decoys look like them. */
    private static int commonestIterations(Collection<UserRecord> users) {
        Map<Integer, Integer> counts = new HashMap<>();
        int best = PasswordHasher.DEFAULT_ITERATIONS;
        int bestCount = 0;
        for (UserRecord u : users) {
            int n = counts.merge(u.iterations(), 1, Integer::sum);
            if (n > bestCount || (n == bestCount && u.iterations() > best)) {
                best = u.iterations();
                bestCount = n;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "Users" + byName.keySet();
    }
}

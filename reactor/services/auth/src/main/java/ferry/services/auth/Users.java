package ferry.services.auth;

import ferry.protocol.scram.ScramMath;
import ferry.reactor.Right;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
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

    /** A kind of record decoys can look like: an iteration count and a salt length, and how many users have it. */
    record Shape(int iterations, int saltBytes, int users) {}

    private final byte[] secret;
    private final TreeMap<String, UserRecord> byName;
    private final Shape[] shapes;

    Users(byte[] secret, Map<String, UserRecord> users) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("store secret must be at least 16 bytes");
        }
        this.secret = secret.clone();
        this.byName = new TreeMap<>(users);
        this.shapes = shapes(byName.values());
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
     * changed would give the game away), and unusable (nobody knows a password whose StoredKey is an
     * HMAC output). Its iteration count and salt length are drawn, by the secret and the name, from
     * those the store's users have, in proportion to how many users have each: a real user with a
     * rare count is as likely to be a decoy as anyone with that count (see {@link #decoyShape}). The
     * decoy is computed for every name, known or not, so both take the same path and time.
     */
    Lookup lookup(String name) {
        UserRecord decoy = decoy(name);
        UserRecord real = byName.get(name);
        return real != null ? new Lookup(real, true) : new Lookup(decoy, false);
    }

    private UserRecord decoy(String name) {
        Shape shape = decoyShape(name);
        byte[] salt = derive("ferry decoy salt", name, shape.saltBytes());
        return new UserRecord(name, shape.iterations(), salt, derive("ferry decoy stored key", name),
                derive("ferry decoy server key", name), EnumSet.noneOf(Right.class), "");
    }

    /**
     * Which of the store's record shapes the decoy for {@code name} takes: weighted rendezvous
     * hashing. Each shape draws u in (0, 1) from HMAC(secret, shape, name) and scores
     * users / -ln(u); the highest score wins, which picks a shape with probability users / total.
     * The same name always gets the same shape while the store is unchanged; adding or removing a
     * user moves only the few names whose winner changed (a new count takes its share of names
     * and nothing else moves). An empty store: the default count and salt length.
     */
    Shape decoyShape(String name) {
        if (shapes.length == 0) {
            return new Shape(PasswordHasher.DEFAULT_ITERATIONS, PasswordHasher.SALT_BYTES, 0);
        }
        Shape best = shapes[0];
        double bestScore = -1;
        for (Shape sh : shapes) { // every shape, every name: the same work for all
            byte[] h = derive("ferry decoy shape " + sh.iterations() + " " + sh.saltBytes(), name);
            long bits = ByteBuffer.wrap(h).getLong() >>> 11;       // 53 uniform bits
            double u = (bits + 0.5) / (double) (1L << 53);         // in (0, 1), never 0 or 1
            double score = sh.users() / -Math.log(u);
            if (score > bestScore) {
                best = sh;
                bestScore = score;
            }
        }
        return best;
    }

    /** The iteration count a decoy for {@code name} shows (for tests). */
    int decoyIterations(String name) {
        return decoyShape(name).iterations();
    }

    private byte[] derive(String label, String name) {
        return ScramMath.hmac(secret, (label + '\0' + name).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code length} bytes derived from the secret, {@code label} and {@code name} (HMAC blocks, counted). */
    private byte[] derive(String label, String name, int length) {
        byte[] out = new byte[length];
        for (int block = 0, at = 0; at < length; block++) {
            byte[] h = derive(block == 0 ? label : label + " " + block, name);
            int n = Math.min(h.length, length - at);
            System.arraycopy(h, 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** The distinct (iteration count, salt length) pairs of {@code users}, with how many have each, in a fixed order. */
    private static Shape[] shapes(Collection<UserRecord> users) {
        Map<List<Integer>, Integer> counts = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
        for (UserRecord u : users) {
            counts.merge(List.of(u.iterations(), u.salt().length), 1, Integer::sum);
        }
        List<Shape> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new Shape(k.get(0), k.get(1), n)));
        return out.toArray(new Shape[0]);
    }

    @Override
    public String toString() {
        return "Users" + byName.keySet();
    }
}

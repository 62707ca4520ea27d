package ferry.reactor;

import java.util.HashMap;
import java.util.Map;

/**
 * The bandwidth buckets each user's connections share, so a user's limit holds over all their
 * connections together, on every loop. A user's entry lives while one of their connections holds
 * it and goes with the last; its rates are those of the first connection to take it (a limit
 * changed in the user store applies once the user's connections have all closed).
 *
 * <p>Thread safety: every method synchronizes on this registry; the buckets handed out are
 * themselves thread-safe.
 */
final class UserRates {
    /** One user's buckets; null for a direction without a limit. */
    record Buckets(TokenBucket down, TokenBucket up) {}

    private static final class Entry {
        final Buckets buckets;
        int holders;

        Entry(Buckets buckets) {
            this.buckets = buckets;
        }
    }

    private final Map<String, Entry> byUser = new HashMap<>();
    private final Clock clock;

    UserRates(Clock clock) {
        this.clock = clock;
    }

    /** The buckets of {@code user} (created with these rates if none exist; 0: no limit), held until {@link #release}. */
    synchronized Buckets acquire(String user, long downRate, long upRate) {
        Entry e = byUser.get(user);
        if (e == null) {
            e = new Entry(new Buckets(Bandwidth.bucket(downRate, clock), Bandwidth.bucket(upRate, clock)));
            byUser.put(user, e);
        }
        e.holders++;
        return e.buckets;
    }

    synchronized void release(String user) {
        Entry e = byUser.get(user);
        if (e != null && --e.holders <= 0) {
            byUser.remove(user);
        }
    }

    /** Users with a shared bucket now (0 once their connections all closed: for leak tests). */
    synchronized int users() {
        return byUser.size();
    }
}

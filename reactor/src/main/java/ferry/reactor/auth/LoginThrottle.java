package ferry.reactor.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: counts failed logins per user name and per client address and turns
 * the counts into a time before which the next answer for that user or address may not leave.
 *
 * <pre>
 * delay(failures) = 0                                    for failures &lt;= free
 *                 = min(max, base * 2^(failures-free-1)) after that
 *
 * attempt at now:  slot     = max(now, min(userNext, now + max), addressNext)
 *                  success: forget user and address; answer at slot
 *                  failure: count both; d = max(delay(userFailures), delay(addressFailures))
 *                           answer at slot + d; userNext = addressNext = slot + d
 * </pre>
 *
 * <p>Why a success waits for its slot too: if only failures were slow, a guesser running many
 * attempts in parallel would recognise the right password by its quick answer. Why the user's
 * backlog is capped at {@code max} and the address's is not: many addresses guessing one user must
 * not lock that user out for hours, while one address guessing in parallel only queues itself.
 *
 * <p>Memory is bounded: at most {@code maxTracked} keys, least recently used dropped first; a key
 * with no failure for {@code forgetAfter} starts afresh.
 *
 * <p>Thread safety: all methods are synchronized (event loops of several threads share one
 * throttle); each is a few map operations, so loops never wait long.
 */
public final class LoginThrottle {
    /** What {@link #attempt} decided. */
    public record Verdict(long answerAtNanos, long delayNanos, int userFailures, int addressFailures) {}

    private static final class Entry {
        int failures;
        long nextAllowedNanos;
        long lastFailureNanos;
    }

    private final int freeFailures;
    private final long baseDelayNanos;
    private final long maxDelayNanos;
    private final long forgetAfterNanos;
    private final LinkedHashMap<String, Entry> entries;

    public LoginThrottle(int freeFailures, long baseDelayNanos, long maxDelayNanos, long forgetAfterNanos, int maxTracked) {
        this.freeFailures = freeFailures;
        this.baseDelayNanos = baseDelayNanos;
        this.maxDelayNanos = maxDelayNanos;
        this.forgetAfterNanos = forgetAfterNanos;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /** The delay that the {@code failures}-th consecutive failure costs. */
    public long delayAfter(int failures) {
        if (failures <= freeFailures || baseDelayNanos == 0) {
            return 0;
        }
        int doublings = failures - freeFailures - 1;
        if (doublings >= 62 || baseDelayNanos > (maxDelayNanos >> Math.min(doublings, 62))) {
            return maxDelayNanos;
        }
        return Math.min(maxDelayNanos, baseDelayNanos << doublings);
    }

    /**
     * Records a login attempt whose outcome is known and says when its answer may be sent.
     *
     * @param user    the user name tried (known or not)
     * @param address the client's address without port
     */
    public synchronized Verdict attempt(String user, String address, long nowNanos, boolean success) {
        Entry u = live(userKey(user), nowNanos);
        Entry a = live(addressKey(address), nowNanos);
        long slot = nowNanos;
        if (u != null) {
            slot = later(slot, earlier(u.nextAllowedNanos, nowNanos + maxDelayNanos));
        }
        if (a != null) {
            slot = later(slot, a.nextAllowedNanos);
        }
        if (success) {
            entries.remove(userKey(user));
            entries.remove(addressKey(address));
            return new Verdict(slot, slot - nowNanos, 0, 0);
        }
        u = u != null ? u : create(userKey(user), nowNanos);
        a = a != null ? a : create(addressKey(address), nowNanos);
        u.failures++;
        a.failures++;
        long d = Math.max(delayAfter(u.failures), delayAfter(a.failures));
        long answerAt = slot + d;
        for (Entry e : new Entry[] {u, a}) {
            e.lastFailureNanos = nowNanos;
            e.nextAllowedNanos = later(e.nextAllowedNanos, answerAt);
        }
        return new Verdict(answerAt, answerAt - nowNanos, u.failures, a.failures);
    }

    /** Failures counted now for {@code user} (for logs and tests). */
    public synchronized int userFailures(String user, long nowNanos) {
        Entry e = live(userKey(user), nowNanos);
        return e == null ? 0 : e.failures;
    }

    /** Failures counted now from {@code address}. */
    public synchronized int addressFailures(String address, long nowNanos) {
        Entry e = live(addressKey(address), nowNanos);
        return e == null ? 0 : e.failures;
    }

    /** Users and addresses tracked. */
    public synchronized int tracked() {
        return entries.size();
    }

    private Entry live(String key, long now) {
        Entry e = entries.get(key);
        if (e != null && now - e.lastFailureNanos > forgetAfterNanos && now - e.nextAllowedNanos >= 0) {
            entries.remove(key);
            return null;
        }
        return e;
    }

    private Entry create(String key, long nowNanos) {
        Entry e = new Entry();
        e.nextAllowedNanos = nowNanos; // nanoTime may be negative: never compare against a zero default
        e.lastFailureNanos = nowNanos;
        entries.put(key, e);
        return e;
    }

    // Keys of the two kinds cannot collide: user names never contain a space.
    private static String userKey(String user) {
        return "user " + user;
    }

    private static String addressKey(String address) {
        return "addr " + address;
    }

    /** max and min for nanoTime values, which may wrap. */
    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}

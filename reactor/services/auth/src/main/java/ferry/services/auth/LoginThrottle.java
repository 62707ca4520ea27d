package ferry.services.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: counts login attempts per user name and per client address and turns
 * the counts into the time at which the answer to an attempt may leave. An attempt is counted as
 * a failure <em>before</em> its proof is judged, and its answer time is fixed then; a success only
 * takes back its count when its {@code AUTH_OK} actually leaves ({@link #succeeded}). So nothing
 * an attacker can see before that answer (when any answer leaves, what it says, whether an attempt
 * is admitted) depends on whether a pending guess was right.
 *
 * <pre>
 * delay(failures) = 0                                    for failures &lt;= free
 *                 = min(max, base * 2^(failures-free-1)) after that
 *
 * attempt at now:  userWait    = min(max, (userNext - now)+ + delay(userFailures + 1))
 *                  addressWait = (addressNext - now)+ + delay(addressFailures + 1)
 *                  hold        = max(userWait, addressWait)
 *                  hold &gt; max:  refused, not counted, not judged; retry in addressWait - max
 *                  otherwise:   count a failure for both; answer at now + hold (right or wrong);
 *                               userNext = addressNext = now + hold
 * AUTH_OK sent:    the user's count is forgotten; the address's count goes back down by the one
 *                  this attempt added (its other failures stay)
 * </pre>
 *
 * <p>Why right and wrong answers wait the same: a quicker right answer would tell a parallel
 * guesser which guess was right, and would let a guesser drop a connection as soon as the quick
 * answer did not come. Why a success clears nothing when it is judged: its answer may still be held,
 * and a cleared count would speed up the next guess, telling the right one before its answer. Why a
 * success never clears the address: with an account of his own, a guesser could wipe the backlog
 * of his address between guesses at somebody else.
 *
 * <p>Why the user's backlog is capped at {@code max} and the address's is not: many addresses
 * guessing one user must not lock that user out, while one address guessing in parallel only
 * queues behind itself. Why no answer is held longer than {@code max}: a held answer must arrive
 * before the connection's login timeout closes it; an attempt that would wait longer is refused at
 * once, so one address gets at most one verdict per {@code max} once its delays reach it.
 *
 * <p>Memory is bounded: at most {@code maxTracked} keys, least recently used dropped first; a key
 * with no failure for {@code forgetAfter} starts afresh.
 *
 * <p>Thread safety: all methods are synchronized (event loops of several threads share one
 * throttle); each is a few map operations, so loops never wait long.
 */
public final class LoginThrottle {
    /**
     * What {@link #attempt} decided.
     *
     * @param admitted        judge the proof and answer at {@code answerAtNanos}; if false, answer
     *                        at once that the attempt was refused, without judging it
     * @param answerAtNanos   when the answer may leave (admitted), right or wrong
     * @param holdNanos       {@code answerAtNanos - now}
     * @param retryAfterNanos when refused: how long until an attempt from this address is admitted
     *                        (if no other attempt comes first)
     * @param userFailures    the user's count with this attempt (admitted) or without it (refused)
     * @param addressFailures the address's count, likewise
     */
    public record Verdict(boolean admitted, long answerAtNanos, long holdNanos, long retryAfterNanos,
                          int userFailures, int addressFailures) {}

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

    /**
     * @param maxDelayNanos the longest delay of one failure and the longest any answer is held
     */
    public LoginThrottle(int freeFailures, long baseDelayNanos, long maxDelayNanos, long forgetAfterNanos, int maxTracked) {
        if (baseDelayNanos > maxDelayNanos) {
            throw new IllegalArgumentException("base delay exceeds max delay");
        }
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

    /** The longest one answer is held (and the longest delay of one failure). */
    public long maxDelayNanos() {
        return maxDelayNanos;
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
     * Admits or refuses a login attempt whose proof has not been judged yet. An admitted attempt
     * is counted as a failure at once, whatever its proof turns out to be; call {@link #succeeded}
     * when the answer of one that was right has been sent.
     *
     * @param user    the user name tried (known or not)
     * @param address the client's address without port
     */
    public synchronized Verdict attempt(String user, String address, long nowNanos) {
        Entry u = live(userKey(user), nowNanos);
        Entry a = live(addressKey(address), nowNanos);
        int userFailures = u == null ? 0 : u.failures;
        int addressFailures = a == null ? 0 : a.failures;
        long userWait = Math.min(maxDelayNanos, backlog(u, nowNanos) + delayAfter(userFailures + 1));
        long addressWait = backlog(a, nowNanos) + delayAfter(addressFailures + 1);
        long hold = Math.max(userWait, addressWait);
        if (hold > maxDelayNanos) {
            return new Verdict(false, nowNanos, 0, addressWait - maxDelayNanos, userFailures, addressFailures);
        }
        u = u != null ? u : create(userKey(user), nowNanos);
        a = a != null ? a : create(addressKey(address), nowNanos);
        long answerAt = nowNanos + hold;
        for (Entry e : new Entry[] {u, a}) {
            e.failures++;
            e.lastFailureNanos = nowNanos;
            e.nextAllowedNanos = later(e.nextAllowedNanos, answerAt);
        }
        return new Verdict(true, answerAt, hold, 0, u.failures, a.failures);
    }

    /**
     * An admitted attempt was right and its answer has left: the user starts afresh; the address
     * keeps its other failures and its backlog, losing only the one {@link #attempt} counted.
     */
    public synchronized void succeeded(String user, String address, long nowNanos) {
        entries.remove(userKey(user));
        Entry a = live(addressKey(address), nowNanos);
        if (a != null && a.failures > 0) {
            a.failures--;
            if (a.failures == 0 && nowNanos - a.nextAllowedNanos >= 0) {
                entries.remove(addressKey(address)); // nothing left to remember
            }
        }
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

    /** How long answers already promised for this key still wait (0 if none). */
    private static long backlog(Entry e, long now) {
        return e == null ? 0 : Math.max(0, e.nextAllowedNanos - now);
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

    /** max for nanoTime values, which may wrap. */
    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }
}

package ferry.services.auth;

import static ferry.reactor.ConfigCheck.range;

import java.util.concurrent.TimeUnit;

/**
 * Settings of {@link AuthService}, each with a named default. Immutable; build with
 * {@link #builder()}.
 *
 * <p>The throttle: the first {@link #DEFAULT_FREE_FAILURES} failed logins of a user (or from an
 * address) cost nothing; each further one delays the answer by {@link #DEFAULT_BASE_DELAY_MILLIS}
 * doubling up to {@link #DEFAULT_MAX_DELAY_MILLIS}, and the next attempt for that user or address
 * waits until then; no answer, right or wrong, is held longer than the longest delay (an attempt
 * from an address whose backlog is longer is refused at once). A success resets its user (not the
 * address) when its answer leaves; {@link #DEFAULT_FORGET_AFTER_MILLIS} without failures forgets
 * them. See {@link LoginThrottle}.
 */
public final class AuthSettings {
    /** Failures that cost no delay: typos happen. */
    public static final int DEFAULT_FREE_FAILURES = 3;
    /** The first delay after the free failures; doubles with each further failure. */
    public static final long DEFAULT_BASE_DELAY_MILLIS = 250;
    /**
     * The longest delay of one answer (250 ms doubled 6 times), and the longest any answer is held;
     * under the 30 s login timeout. Once an address's delays reach it, that address gets at most
     * one verdict per this long: 3600 / 16 = 225 an hour.
     */
    public static final long DEFAULT_MAX_DELAY_MILLIS = 16_000;
    /** A user or address with no failure for this long starts afresh. */
    public static final long DEFAULT_FORGET_AFTER_MILLIS = 15 * 60 * 1000;
    /** Users and addresses the throttle remembers; beyond this the least recently seen are dropped. */
    public static final int DEFAULT_MAX_TRACKED = 100_000;
    /** Failed logins one connection may make before it is closed (as sshd's MaxAuthTries). */
    public static final int DEFAULT_MAX_FAILURES_PER_CONNECTION = 5;
    /**
     * Logged-in connections one user may hold at once, unless the user store gives the user a
     * limit of their own (0: no limit). Four times the per-address connection cap: one user on a
     * few machines fits, one leaked password cannot take every connection the server has.
     */
    public static final int DEFAULT_MAX_SESSIONS_PER_USER = 256;
    /** How long an AUTH_START stays valid for its AUTH_FINISH. */
    public static final long DEFAULT_EXCHANGE_TIMEOUT_MILLIS = 60 * 1000;

    private final int freeFailures;
    private final long baseDelayMillis;
    private final long maxDelayMillis;
    private final long forgetAfterMillis;
    private final int maxTracked;
    private final int maxFailuresPerConnection;
    private final long exchangeTimeoutMillis;
    private final int maxSessionsPerUser;

    private AuthSettings(Builder b) {
        freeFailures = b.freeFailures;
        baseDelayMillis = b.baseDelayMillis;
        maxDelayMillis = b.maxDelayMillis;
        forgetAfterMillis = b.forgetAfterMillis;
        maxTracked = b.maxTracked;
        maxFailuresPerConnection = b.maxFailuresPerConnection;
        exchangeTimeoutMillis = b.exchangeTimeoutMillis;
        maxSessionsPerUser = b.maxSessionsPerUser;
    }

    public static AuthSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int freeFailures() { return freeFailures; }
    public long baseDelayMillis() { return baseDelayMillis; }
    public long maxDelayMillis() { return maxDelayMillis; }
    public long forgetAfterMillis() { return forgetAfterMillis; }
    public int maxTracked() { return maxTracked; }
    public int maxFailuresPerConnection() { return maxFailuresPerConnection; }
    public long exchangeTimeoutMillis() { return exchangeTimeoutMillis; }
    /** Logged-in connections per user for users without a limit of their own; 0: no limit. */
    public int maxSessionsPerUser() { return maxSessionsPerUser; }

    long exchangeTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(exchangeTimeoutMillis);
    }

    /**
     * The longest a login answer may be held on a server whose handshake (login) timeout is
     * {@code handshakeTimeoutMillis}: {@link #maxDelayMillis()}, but never more than three quarters
     * of that timeout, so that a held answer reaches a client that logs in promptly before the
     * server closes its connection for not having logged in.
     */
    public long holdLimitMillis(long handshakeTimeoutMillis) {
        return Math.min(maxDelayMillis, handshakeTimeoutMillis / 4 * 3);
    }

    /** A throttle with these settings whose delays and holds stop at {@code holdLimitMillis}. */
    LoginThrottle newThrottle(long holdLimitMillis) {
        long max = Math.min(maxDelayMillis, holdLimitMillis);
        return new LoginThrottle(freeFailures, TimeUnit.MILLISECONDS.toNanos(Math.min(baseDelayMillis, max)),
                TimeUnit.MILLISECONDS.toNanos(max), TimeUnit.MILLISECONDS.toNanos(forgetAfterMillis), maxTracked);
    }

    /** Builder; every setter validates its argument. */
    public static final class Builder {
        private int freeFailures = DEFAULT_FREE_FAILURES;
        private long baseDelayMillis = DEFAULT_BASE_DELAY_MILLIS;
        private long maxDelayMillis = DEFAULT_MAX_DELAY_MILLIS;
        private long forgetAfterMillis = DEFAULT_FORGET_AFTER_MILLIS;
        private int maxTracked = DEFAULT_MAX_TRACKED;
        private int maxFailuresPerConnection = DEFAULT_MAX_FAILURES_PER_CONNECTION;
        private long exchangeTimeoutMillis = DEFAULT_EXCHANGE_TIMEOUT_MILLIS;
        private int maxSessionsPerUser = DEFAULT_MAX_SESSIONS_PER_USER;

        private Builder() {}

        public Builder freeFailures(int v) { freeFailures = range(v, 0, 1_000_000, "freeFailures"); return this; }
        public Builder baseDelayMillis(long v) { baseDelayMillis = range(v, 0, 3_600_000, "baseDelayMillis"); return this; }
        public Builder maxDelayMillis(long v) { maxDelayMillis = range(v, 0, 3_600_000, "maxDelayMillis"); return this; }
        public Builder forgetAfterMillis(long v) { forgetAfterMillis = range(v, 1, 7L * 24 * 3_600_000, "forgetAfterMillis"); return this; }
        public Builder maxTracked(int v) { maxTracked = range(v, 2, 100_000_000, "maxTracked"); return this; }
        public Builder maxFailuresPerConnection(int v) { maxFailuresPerConnection = range(v, 1, 1_000_000, "maxFailuresPerConnection"); return this; }
        public Builder exchangeTimeoutMillis(long v) { exchangeTimeoutMillis = range(v, 1, 3_600_000, "exchangeTimeoutMillis"); return this; }

        public Builder maxSessionsPerUser(int v) { maxSessionsPerUser = range(v, 0, 100_000_000, "maxSessionsPerUser"); return this; }

        public AuthSettings build() {
            if (baseDelayMillis > maxDelayMillis) {
                throw new IllegalArgumentException("baseDelayMillis " + baseDelayMillis + " exceeds maxDelayMillis " + maxDelayMillis);
            }
            return new AuthSettings(this);
        }
    }
}

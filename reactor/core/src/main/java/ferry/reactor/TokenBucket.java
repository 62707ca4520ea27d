package ferry.reactor;

/**
 * A token bucket of bytes: it fills at {@code bytesPerSecond} up to {@code burstBytes}, and a
 * transfer takes what it moved. A transfer may take more than is there (a write moves what the
 * socket takes, not exactly the allowance): the bucket then goes into debt, which the rate pays
 * back before anything more is allowed, so the average over any long window stays at the rate.
 * Time comes from a {@link Clock}, so tests drive it with a fake one.
 *
 * <p>Thread safety: every method is synchronized: one bucket may be shared by a user's connections
 * on several loops. Calls are per read or write event, never per small frame, and never block for
 * long (a few arithmetic operations under the lock).
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The largest burst: keeps (burst + one write's debt) x 1e9 inside a long. */
    public static final long MAX_BURST_BYTES = 1L << 32;

    private final long bytesPerSecond;
    private final long burstBytes;
    private final Clock clock;
    private long tokens;
    private long lastNanos;
    /** Sub-byte remainder of the last refill, in byte-nanoseconds, so slow rates do not round to 0. */
    private long remainder;

    /**
     * @param bytesPerSecond the rate, > 0
     * @param burstBytes     the most the bucket holds, > 0: what a transfer may move at once after a pause
     */
    public TokenBucket(long bytesPerSecond, long burstBytes, Clock clock) {
        if (bytesPerSecond <= 0 || burstBytes <= 0 || burstBytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("a rate is > 0 and a burst in [1, " + MAX_BURST_BYTES + "]: "
                    + bytesPerSecond + ", " + burstBytes);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.clock = clock;
        this.tokens = burstBytes;
        this.lastNanos = clock.nanoTime();
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Bytes that may move now (0 while in debt). */
    public synchronized long available() {
        refill();
        return Math.max(0, tokens);
    }

    /** A transfer moved {@code bytes}: takes them, into debt if need be. */
    public synchronized void take(long bytes) {
        refill();
        tokens -= bytes;
    }

    /** How long until at least {@code bytes} (capped at the burst) may move; 0 when they may now. */
    public synchronized long nanosUntil(long bytes) {
        refill();
        long need = Math.min(bytes, burstBytes) - tokens;
        if (need <= 0) {
            return 0;
        }
        // need is at most the burst plus one write's debt (a few GiB): need x 1e9 fits in a long.
        long nanos = need * NANOS_PER_SECOND - remainder; // less the fraction of a byte already earned
        return Math.max(1, (nanos + bytesPerSecond - 1) / bytesPerSecond);
    }

    private void refill() {
        long now = clock.nanoTime();
        long elapsed = now - lastNanos;
        if (elapsed <= 0) {
            return;
        }
        lastNanos = now;
        if (tokens >= burstBytes) {
            remainder = 0;
            return;
        }
        // elapsed x rate may overflow for long idle periods: cap elapsed at what fills the bucket.
        long fillNanos = (burstBytes - tokens) / bytesPerSecond * NANOS_PER_SECOND + NANOS_PER_SECOND;
        long e = Math.min(elapsed, fillNanos);
        long earned = Math.multiplyExact(e, bytesPerSecond) + remainder; // e x rate ~ (burst - tokens) x 1e9: fits
        tokens += earned / NANOS_PER_SECOND;
        remainder = earned % NANOS_PER_SECOND;
        if (tokens >= burstBytes) {
            tokens = burstBytes;
            remainder = 0;
        }
    }
}

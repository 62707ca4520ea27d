package ferry.loadtest;

import java.util.Arrays;

/**
 * A log-bucketed latency histogram of fixed memory, in the manner of HdrHistogram with two
 * significant digits: values below {@value #SUB_BUCKETS} are counted exactly; above, each power of
 * two is split into {@value #HALF_BUCKETS} equal buckets, so a reported value is at most
 * 1/{@value #HALF_BUCKETS} (0.79 %) above the true one. Values are non-negative longs (the harness
 * records nanoseconds); values above {@link #highestTrackable()} are counted in the top bucket and
 * flagged by {@link #overflows()}; the exact {@link #max()} is always kept.
 *
 * <p>Memory: {@code (SUB_BUCKETS + HALF_BUCKETS * shifts)} longs, about 37 KB for the default
 * range of one hour in nanoseconds, whatever is recorded.
 *
 * <p>Thread safety: none. Each I/O thread records into its own histogram; they are
 * {@link #add added} together after the run.
 */
public final class Histogram {
    /** Values below this are their own bucket. A power of two. */
    static final int SUB_BUCKETS = 256;
    /** Buckets per power of two above {@link #SUB_BUCKETS}: the relative precision. */
    static final int HALF_BUCKETS = SUB_BUCKETS / 2;
    private static final int HALF_BITS = Integer.numberOfTrailingZeros(HALF_BUCKETS); // 7
    /** Default range: one hour in nanoseconds, far past any harness timeout. */
    public static final long DEFAULT_HIGHEST_TRACKABLE = 3_600L * 1_000_000_000L;

    private final long highestTrackable;
    private final long[] counts;
    private long total;
    private long overflows;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;

    public Histogram() {
        this(DEFAULT_HIGHEST_TRACKABLE);
    }

    public Histogram(long highestTrackable) {
        if (highestTrackable < SUB_BUCKETS) {
            throw new IllegalArgumentException("highestTrackable must be >= " + SUB_BUCKETS + ": " + highestTrackable);
        }
        this.highestTrackable = highestTrackable;
        this.counts = new long[indexOf(highestTrackable) + 1];
    }

    /** Bucket index of a value in [0, highestTrackable]. */
    static int indexOf(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - HALF_BITS; // >= 1 here; (v >>> shift) is in [HALF_BUCKETS, SUB_BUCKETS)
        return SUB_BUCKETS + (shift - 1) * HALF_BUCKETS + (int) ((v >>> shift) - HALF_BUCKETS);
    }

    /** Smallest value that falls in bucket {@code index}. */
    static long lowestOf(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = (index - SUB_BUCKETS) / HALF_BUCKETS + 1;
        long sub = (index - SUB_BUCKETS) % HALF_BUCKETS + HALF_BUCKETS;
        return sub << shift;
    }

    /** Largest value that falls in bucket {@code index}. */
    static long highestOf(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = (index - SUB_BUCKETS) / HALF_BUCKETS + 1;
        return lowestOf(index) + (1L << shift) - 1;
    }

    public void record(long value) {
        long v = Math.max(0, value);
        if (v > highestTrackable) {
            overflows++;
            counts[counts.length - 1]++;
        } else {
            counts[indexOf(v)]++;
        }
        total++;
        sum += v;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    /** Adds every count of {@code other} to this histogram (same range required). */
    public void add(Histogram other) {
        if (other.counts.length != counts.length) {
            throw new IllegalArgumentException("histograms of different ranges");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        overflows += other.overflows;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public void reset() {
        Arrays.fill(counts, 0);
        total = 0;
        overflows = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = 0;
    }

    public long count() {
        return total;
    }

    /** Values recorded above {@link #highestTrackable()} (counted in the top bucket). */
    public long overflows() {
        return overflows;
    }

    public long highestTrackable() {
        return highestTrackable;
    }

    /** Exact smallest recorded value, 0 when empty. */
    public long min() {
        return total == 0 ? 0 : min;
    }

    /** Exact largest recorded value, 0 when empty. */
    public long max() {
        return max;
    }

    public double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /** Buckets held, whatever was recorded: the fixed memory footprint in longs. */
    int bucketCount() {
        return counts.length;
    }

    /**
     * The value at {@code percentile} (0..100]: the highest value of the bucket holding the
     * ceil(p% x count)-th smallest value, never above the exact max. It is at most 0.79 % above
     * the true percentile (exact below {@value #SUB_BUCKETS}). 0 when empty.
     */
    public long valueAt(double percentile) {
        if (total == 0) {
            return 0;
        }
        if (percentile >= 100) {
            return max;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highestOf(i), max);
            }
        }
        return max;
    }
}

package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HistogramTest {
    private static final double[] PERCENTILES = {1, 10, 50, 90, 99, 99.9, 99.99};

    /** The exact percentile by the same rank rule: the ceil(p% * n)-th smallest value. */
    private static long exact(long[] sorted, double p) {
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * sorted.length));
        return sorted[(int) rank - 1];
    }

    @Test
    void valuesBelowTheSubBucketCountAreExact() {
        Histogram h = new Histogram();
        for (long v = 0; v < Histogram.SUB_BUCKETS; v++) {
            h.record(v);
        }
        assertEquals(0, h.valueAt(0.1));
        assertEquals(127, h.valueAt(50));
        assertEquals(255, h.valueAt(100));
        assertEquals(0, h.min());
        assertEquals(255, h.max());
        assertEquals(127.5, h.mean(), 1e-9);
    }

    @Test
    void bucketBoundsTileTheRangeWithoutGapsOrOverlap() {
        long expectedLow = 0;
        for (int i = 0; i < Histogram.indexOf(Histogram.DEFAULT_HIGHEST_TRACKABLE); i++) {
            assertEquals(expectedLow, Histogram.lowestOf(i), "bucket " + i);
            assertEquals(i, Histogram.indexOf(Histogram.lowestOf(i)));
            assertEquals(i, Histogram.indexOf(Histogram.highestOf(i)));
            long width = Histogram.highestOf(i) - Histogram.lowestOf(i) + 1;
            // relative width never above 1/128 of the bucket's lowest value (exact below 256)
            assertTrue(i < Histogram.SUB_BUCKETS ? width == 1 : width * Histogram.HALF_BUCKETS <= Histogram.lowestOf(i),
                    "bucket " + i + " width " + width);
            expectedLow = Histogram.highestOf(i) + 1;
        }
    }

    @Test
    void percentilesOfLogUniformValuesAreWithinTheRelativeErrorBound() {
        SplittableRandom rnd = new SplittableRandom(42);
        int n = 200_000;
        long[] values = new long[n];
        Histogram h = new Histogram();
        for (int i = 0; i < n; i++) {
            // 100 ns .. 10 s, log-uniform: every bucket size is exercised
            long v = (long) Math.pow(10, 2 + 8 * rnd.nextDouble());
            values[i] = v;
            h.record(v);
        }
        Arrays.sort(values);
        for (double p : PERCENTILES) {
            long truth = exact(values, p);
            long got = h.valueAt(p);
            assertTrue(got >= truth, "p" + p + ": " + got + " below the true " + truth);
            assertTrue(got <= truth + truth / Histogram.HALF_BUCKETS, "p" + p + ": " + got + " more than 1/128 above " + truth);
        }
        assertEquals(values[n - 1], h.valueAt(100));
        assertEquals(values[n - 1], h.max());
        assertEquals(values[0], h.min());
        assertEquals(n, h.count());
    }

    @Test
    void memoryIsFixedWhateverIsRecorded() {
        Histogram h = new Histogram();
        int buckets = h.bucketCount();
        assertTrue(buckets * 8L < 64 * 1024, "footprint " + buckets * 8 + " bytes");
        h.record(1);
        h.record(Long.MAX_VALUE);
        h.record(Histogram.DEFAULT_HIGHEST_TRACKABLE);
        assertEquals(buckets, h.bucketCount());
        assertEquals(1, h.overflows());
        assertEquals(Long.MAX_VALUE, h.max(), "max stays exact even past the range");
        assertEquals(Long.MAX_VALUE, h.valueAt(100));
    }

    @Test
    void addMergesCountsMinMaxAndMean() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(10);
        a.record(20);
        b.record(1_000_000);
        b.record(5);
        a.add(b);
        assertEquals(4, a.count());
        assertEquals(5, a.min());
        assertEquals(1_000_000, a.max());
        assertEquals((10 + 20 + 1_000_000 + 5) / 4.0, a.mean(), 1e-9);
        assertEquals(10, a.valueAt(50));
        assertThrows(IllegalArgumentException.class, () -> a.add(new Histogram(1000)));
    }

    @Test
    void emptyAndNegativeValues() {
        Histogram h = new Histogram();
        assertEquals(0, h.valueAt(50));
        assertEquals(0, h.min());
        assertEquals(0, h.max());
        h.record(-5); // a clock that stepped back counts as 0, not as a crash
        assertEquals(0, h.valueAt(50));
        h.reset();
        assertEquals(0, h.count());
    }
}

package ferry.services.metrics;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request durations in fixed buckets, from 100 µs (a PING on loopback) to 5 minutes (a large
 * upload): fixed so every server's series line up and a scrape's size is known in advance.
 *
 * <p>Each bucket counts only its own range; {@link #writeTo} adds them up into Prometheus'
 * cumulative {@code le} buckets, and takes {@code _count} from that same sum, so the {@code +Inf}
 * bucket always equals {@code _count} even while loops are recording during the scrape.
 *
 * <p>Threading contract: {@link #record} from any thread (LongAdders: loops do not contend on one
 * cache line); {@link #writeTo} from the scraping thread.
 */
final class DurationHistogram {
    /** Upper bounds in seconds, as the {@code le} labels print them. */
    static final String[] BOUNDS_SECONDS = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
            "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "300"};
    private static final long[] BOUNDS_NANOS = Arrays.stream(BOUNDS_SECONDS)
            .mapToLong(s -> new BigDecimal(s).movePointRight(9).longValueExact()).toArray();
    private static final double NANOS_PER_SECOND = 1e9;

    private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1]; // the last one: above every bound
    private final LongAdder sumNanos = new LongAdder();

    DurationHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        int i = Arrays.binarySearch(BOUNDS_NANOS, nanos);
        buckets[i >= 0 ? i : -i - 1].increment(); // the first bound >= nanos: le means "at most"
        sumNanos.add(nanos);
    }

    /** Observations so far (for choosing whether to print this histogram). */
    long count() {
        long n = 0;
        for (LongAdder b : buckets) {
            n += b.sum();
        }
        return n;
    }

    /** The {@code _bucket}, {@code _sum} and {@code _count} samples of family {@code name}, with {@code labels} first. */
    void writeTo(PrometheusText out, String name, String... labels) {
        String[] withLe = Arrays.copyOf(labels, labels.length + 2);
        withLe[labels.length] = "le";
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i].sum();
            withLe[labels.length + 1] = i < BOUNDS_SECONDS.length ? BOUNDS_SECONDS[i] : "+Inf";
            out.sample(name + "_bucket", cumulative, withLe);
        }
        out.sample(name + "_sum", sumNanos.sum() / NANOS_PER_SECOND, labels);
        out.sample(name + "_count", cumulative, labels);
    }
}

package ferry.loadtest;

import java.util.Map;
import java.util.TreeMap;

/**
 * Errors of a run counted by kind: {@code connect_refused}, {@code connect_timeout},
 * {@code reset}, {@code closed_by_server}, {@code timeout}, {@code bad_frame},
 * {@code unexpected_answer}, {@code server:CODE} for an ERROR frame, {@code deadline}, ...
 *
 * <p>Thread safety: none; one per I/O thread, {@link #add added} together after the run.
 */
public final class ErrorCounts {
    private final TreeMap<String, Long> counts = new TreeMap<>();
    private final TreeMap<String, String> firstDetail = new TreeMap<>();

    public void count(String kind) {
        counts.merge(kind, 1L, Long::sum);
    }

    /** Counts one error and keeps the first detail message seen for its kind. */
    public void count(String kind, String detail) {
        count(kind);
        if (detail != null) {
            firstDetail.putIfAbsent(kind, detail);
        }
    }

    /** The first detail message per kind (e.g. the exception text), for the JSON report. */
    public Map<String, String> details() {
        return new TreeMap<>(firstDetail);
    }

    public void count(String kind, long n) {
        if (n > 0) {
            counts.merge(kind, n, Long::sum);
        }
    }

    public void add(ErrorCounts other) {
        other.counts.forEach(this::count);
        other.firstDetail.forEach(firstDetail::putIfAbsent);
    }

    public long total() {
        long n = 0;
        for (long v : counts.values()) {
            n += v;
        }
        return n;
    }

    /** Kinds in name order with their counts. */
    public Map<String, Long> asMap() {
        return new TreeMap<>(counts);
    }

    /** {@code none}, or {@code kind=n kind=n} in name order. */
    @Override
    public String toString() {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }
}

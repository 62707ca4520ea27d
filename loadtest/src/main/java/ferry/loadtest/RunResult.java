package ferry.loadtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one run (or the medians of several), as ordered named fields so every writer
 * (Markdown, CSV, JSON, SVG) sees the same set. Values are String, Boolean, Long or Double;
 * fields that do not apply to a run are absent. Latencies are in microseconds, sizes in bytes,
 * rates per second.
 */
public final class RunResult {
    public static final String SCENARIO = "scenario";
    public static final String SETTING = "setting";
    public static final String RUN = "run";
    public static final String RUNS = "runs";
    public static final String TARGET = "target";
    public static final String CONNECTIONS = "connections";
    public static final String OPENED = "connectionsOpened";
    public static final String DEPTH = "depth";
    public static final String BODY_BYTES = "bodyBytes";
    public static final String FILE_BYTES = "fileBytes";
    public static final String THREADS = "clientThreads";
    public static final String NODELAY = "noDelay";
    public static final String SERVER_NODELAY = "serverNoDelay";
    public static final String WRITE_PATTERN = "writePattern";
    public static final String WARMUP_SECONDS = "warmupSeconds";
    public static final String SECONDS = "seconds";
    public static final String REQUESTS = "requests";
    public static final String REQ_PER_SEC = "requestsPerSecond";
    public static final String MB_PER_SEC = "megabytesPerSecond";
    public static final String PAYLOAD_MB_PER_SEC = "payloadMegabytesPerSecond";
    /** Body bytes moved (both ways) by the requests measured: {@code requests × file size} for get and put. */
    public static final String PAYLOAD_BYTES = "payloadBytes";
    public static final String BYTES_OUT = "wireBytesOut";
    public static final String BYTES_IN = "wireBytesIn";
    public static final String P50 = "p50Micros";
    public static final String P90 = "p90Micros";
    public static final String P99 = "p99Micros";
    public static final String P999 = "p999Micros";
    public static final String MAX = "maxMicros";
    public static final String MEAN = "meanMicros";
    public static final String ERRORS = "errors";
    public static final String ERROR_KINDS = "errorKinds";
    public static final String WRITES_PER_REQ = "clientWritesPerRequest";
    public static final String READS_PER_REQ = "clientReadsPerRequest";
    public static final String SERVER_REQUESTS = "serverRequests";
    public static final String SERVER_ERRORS = "serverErrors";
    public static final String SERVER_ALLOC_PER_REQ = "serverLoopAllocBytesPerRequest";
    public static final String SERVER_GCS = "serverGcs";
    public static final String SERVER_CPU_PER_REQ = "serverLoopCpuMicrosPerRequest";
    public static final String SERVER_LOOP_BUSY = "serverLoopBusyPercent";
    public static final String SERVER_PROCESS_CPU = "serverProcessCpuPercent";
    public static final String CLIENT_CPU_PER_REQ = "clientCpuMicrosPerRequest";
    public static final String CLIENT_BUSY = "clientBusyPercent";
    public static final String MEMORY_SCOPE = "memoryScope";
    public static final String RSS = "serverRssBytes";
    public static final String RSS_BASELINE = "rssBaselineBytes";
    public static final String RSS_IDLE = "rssIdleBytes";
    public static final String RSS_AFTER_PING = "rssAfterPingBytes";
    public static final String RSS_PER_CONN_IDLE = "rssPerConnectionIdleBytes";
    public static final String RSS_PER_CONN_PING = "rssPerConnectionAfterPingBytes";
    public static final String HEAP_PER_CONN_IDLE = "heapPerConnectionIdleBytes";
    public static final String HEAP_PER_CONN_PING = "heapPerConnectionAfterPingBytes";
    public static final String DIRECT_PER_CONN_PING = "directPerConnectionAfterPingBytes";
    public static final String ABORTED = "aborted";

    /** The field {@code key} for one kind of request of a mixed run, e.g. {@code p50Micros.get}. */
    public static String perKind(String key, OpKind kind) {
        return key + "." + kind.label();
    }

    private final LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
    private final ErrorCounts errors;

    public RunResult(ErrorCounts errors) {
        this.errors = errors;
    }

    public RunResult put(String key, Object value) {
        if (value instanceof Integer) {
            value = ((Integer) value).longValue();
        }
        if (value != null) {
            fields.put(key, value);
        }
        return this;
    }

    /** Puts {@code value} only when it is known (not negative). */
    public RunResult putKnown(String key, long value) {
        return value >= 0 ? put(key, value) : this;
    }

    public RunResult putKnown(String key, double value) {
        return value >= 0 && !Double.isNaN(value) && !Double.isInfinite(value) ? put(key, value) : this;
    }

    public Object get(String key) {
        return fields.get(key);
    }

    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** A numeric field as a double, NaN when absent. */
    public double num(String key) {
        Object v = fields.get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }

    public String str(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    public ErrorCounts errors() {
        return errors;
    }

    /**
     * One result from several runs of the same setting: numeric fields are medians (the mean of
     * the middle two for an even count), errors are summed over all runs, other fields are the
     * first run's. {@link #RUNS} says how many runs it summarises.
     */
    public static RunResult median(List<RunResult> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        ErrorCounts errs = new ErrorCounts();
        for (RunResult r : runs) {
            errs.add(r.errors);
        }
        RunResult m = new RunResult(errs);
        for (Map.Entry<String, Object> e : runs.get(0).fields.entrySet()) {
            String k = e.getKey();
            if (k.equals(RUN)) {
                continue;
            }
            if (k.equals(ERRORS)) {
                m.put(k, errs.total());
            } else if (k.equals(ERROR_KINDS)) {
                m.put(k, errs.toString());
            } else if (e.getValue() instanceof Number) {
                List<Double> xs = new ArrayList<>();
                boolean integral = true;
                for (RunResult r : runs) {
                    Object v = r.fields.get(k);
                    if (v instanceof Number) {
                        xs.add(((Number) v).doubleValue());
                        integral &= v instanceof Long;
                    }
                }
                double med = medianOf(xs);
                m.put(k, integral ? (Object) Math.round(med) : (Object) med);
            } else {
                m.put(k, e.getValue());
            }
        }
        m.put(RUNS, (long) runs.size());
        return m;
    }

    static double medianOf(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int n = a.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }
}

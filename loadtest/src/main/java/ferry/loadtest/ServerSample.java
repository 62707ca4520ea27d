package ferry.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the harness can read of a server at one moment; -1 means unknown (an external server
 * without {@code --server-pid} knows nothing but its address).
 *
 * @param rssBytes            resident set size of the server's process (VmRSS)
 * @param heapUsedBytes       Java heap in use (after a GC when the sample forced one)
 * @param directBytes         direct ByteBuffer memory in use
 * @param loopAllocatedBytes  bytes allocated so far by the server's event-loop threads
 * @param requests            requests the server has decoded so far
 * @param serverErrors        protocol + handler errors + timeouts the server counted
 * @param connectionsOpen     connections the server holds now
 * @param gcCount             garbage collections so far
 * @param loopCpuNanos        CPU time the server's event-loop threads used so far
 * @param processCpuNanos     CPU time the server's process used so far (all threads: loops, GC, JIT)
 */
public record ServerSample(long rssBytes, long heapUsedBytes, long directBytes, long loopAllocatedBytes,
                           long requests, long serverErrors, long connectionsOpen, long gcCount,
                           long loopCpuNanos, long processCpuNanos) {
    public static final ServerSample UNKNOWN = new ServerSample(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1);

    /** What /proc tells about another process: its RSS and CPU time. */
    public static ServerSample processOnly(long rss, long processCpuNanos) {
        return new ServerSample(rss, -1, -1, -1, -1, -1, -1, -1, -1, processCpuNanos);
    }

    /** As a flat map of integers (the spawned server's control line). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rss", rssBytes);
        m.put("heapUsed", heapUsedBytes);
        m.put("direct", directBytes);
        m.put("loopAllocated", loopAllocatedBytes);
        m.put("requests", requests);
        m.put("serverErrors", serverErrors);
        m.put("connectionsOpen", connectionsOpen);
        m.put("gcCount", gcCount);
        m.put("loopCpuNanos", loopCpuNanos);
        m.put("processCpuNanos", processCpuNanos);
        return m;
    }

    public static ServerSample fromMap(Map<?, ?> m) {
        return new ServerSample(get(m, "rss"), get(m, "heapUsed"), get(m, "direct"), get(m, "loopAllocated"),
                get(m, "requests"), get(m, "serverErrors"), get(m, "connectionsOpen"), get(m, "gcCount"),
                get(m, "loopCpuNanos"), get(m, "processCpuNanos"));
    }

    private static long get(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v instanceof Number ? ((Number) v).longValue() : -1;
    }

    /** {@code after - before} when both are known, else -1. */
    static long delta(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }
}

package ferry.services.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The JVM's side in a scrape: garbage collections (count and time, per collector) and the heap.
 * A loop paused by the collector looks like a slow server from outside; these tell the two apart.
 *
 * <p>Threading contract: {@link #writeTo} from any thread (MXBeans are thread-safe).
 */
public final class JvmMetrics implements MetricsSource {
    private static final double MILLIS_PER_SECOND = 1e3;

    @Override
    public void writeTo(PrometheusText out) {
        out.family("ferry_jvm_gc_collections_total", "counter", "Garbage collections, by collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getCollectionCount() >= 0) { // -1: this collector does not tell
                out.sample("ferry_jvm_gc_collections_total", gc.getCollectionCount(), "gc", gc.getName());
            }
        }
        out.family("ferry_jvm_gc_seconds_total", "counter",
                "Time spent collecting, by collector (for concurrent collectors not all of it stops the loops).");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getCollectionTime() >= 0) {
                out.sample("ferry_jvm_gc_seconds_total", gc.getCollectionTime() / MILLIS_PER_SECOND, "gc", gc.getName());
            }
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.family("ferry_jvm_heap_bytes", "gauge", "Heap in use, committed, and the most it may grow to (-Xmx).");
        out.sample("ferry_jvm_heap_bytes", heap.getUsed(), "area", "used");
        out.sample("ferry_jvm_heap_bytes", heap.getCommitted(), "area", "committed");
        if (heap.getMax() >= 0) {
            out.sample("ferry_jvm_heap_bytes", heap.getMax(), "area", "max");
        }
    }
}

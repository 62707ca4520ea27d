package ferry.loadtest;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerStats;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples a {@link FerryServer} running in this JVM: RSS, heap, direct memory, what its loop
 * threads allocated, and its counters. Used by the in-process target and by {@link BenchServer}.
 *
 * <p>Thread safety: any thread (it only reads JVM-wide counters).
 */
final class ServerProbe {
    /** The server names its loop threads {@code ferry-loop-N}. */
    static final String LOOP_THREAD_PREFIX = "ferry-loop-";

    private ServerProbe() {}

    /** Samples now; with {@code gc}, after two full collections so heap and RSS are settled. */
    static ServerSample sample(FerryServer server, boolean gc) {
        if (gc) {
            settle();
        }
        ServerStats s = server.stats();
        long errors = s.protocolErrors.sum() + s.handlerErrors.sum() + s.timeouts.sum();
        return new ServerSample(ProcStatus.rssBytes(ProcessHandle.current().pid()), heapUsed(), directUsed(),
                loopAllocatedBytes(), s.requests.sum(), errors, s.connectionsOpen.get(), gcCount(),
                threadCpuNanos(loopThreadIds()), processCpuNanos());
    }

    /** Time for the Reference Handler to run the cleaners of dropped direct buffers after a GC. */
    static final long CLEANER_SETTLE_MILLIS = 100;

    /**
     * Full GCs, then a pause so cleaners free the direct buffers the GC found unreachable, then
     * a last GC: direct memory and heap are then what is really held.
     */
    static void settle() {
        System.gc();
        System.gc();
        try {
            Thread.sleep(CLEANER_SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.gc();
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long directUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }

    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, g.getCollectionCount());
        }
        return n;
    }

    static List<Long> loopThreadIds() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(LOOP_THREAD_PREFIX)) {
                ids.add(t.getId());
            }
        }
        return ids;
    }

    /** CPU time of the given threads of this JVM so far, or -1 when the JVM cannot tell. */
    static long threadCpuNanos(List<Long> ids) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported() || !mx.isThreadCpuTimeEnabled()) {
            return -1;
        }
        long total = 0;
        for (long id : ids) {
            long n = mx.getThreadCpuTime(id);
            if (n > 0) {
                total += n;
            }
        }
        return total;
    }

    /** CPU time of this whole process so far, or -1. */
    static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /** Bytes allocated by the server's loop threads so far, or -1 when the JVM cannot tell. */
    static long loopAllocatedBytes() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean)) {
            return -1;
        }
        com.sun.management.ThreadMXBean hot = (com.sun.management.ThreadMXBean) mx;
        if (!hot.isThreadAllocatedMemorySupported() || !hot.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long total = 0;
        List<Long> ids = loopThreadIds();
        for (long id : ids) {
            long n = hot.getThreadAllocatedBytes(id);
            if (n > 0) {
                total += n;
            }
        }
        return total;
    }
}

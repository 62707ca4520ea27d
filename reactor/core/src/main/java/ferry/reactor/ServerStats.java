package ferry.reactor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a running server. Written by loops and workers, readable from any thread. */
public final class ServerStats {
    public final LongAdder connectionsAccepted = new LongAdder();
    public final LongAdder connectionsRefused = new LongAdder();
    public final LongAdder connectionsClosed = new LongAdder();
    public final AtomicInteger connectionsOpen = new AtomicInteger();
    public final LongAdder requests = new LongAdder();
    public final LongAdder protocolErrors = new LongAdder();
    public final LongAdder handlerErrors = new LongAdder();
    public final LongAdder acceptErrors = new LongAdder();
    public final LongAdder timeouts = new LongAdder();
    /** Connections closed because a producer buffered more than maxBufferedOutputBytes. */
    public final LongAdder outputOverflows = new LongAdder();
    public final LongAdder bytesRead = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    /**
     * Times a connection stopped being read because answers buffered by all connections together
     * passed maxTotalBufferedOutputBytes (it resumes once its own answers drain).
     */
    public final LongAdder budgetPauses = new LongAdder();
    /** Answers buffered in memory, all connections together (file bodies not counted: they hold no memory). */
    public final AtomicLong bufferedOutputBytes = new AtomicLong();

    /** A snapshot for logs, tests and the load-test report. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("connectionsAccepted", connectionsAccepted.sum());
        m.put("connectionsRefused", connectionsRefused.sum());
        m.put("connectionsClosed", connectionsClosed.sum());
        m.put("connectionsOpen", (long) connectionsOpen.get());
        m.put("requests", requests.sum());
        m.put("protocolErrors", protocolErrors.sum());
        m.put("handlerErrors", handlerErrors.sum());
        m.put("acceptErrors", acceptErrors.sum());
        m.put("timeouts", timeouts.sum());
        m.put("outputOverflows", outputOverflows.sum());
        m.put("budgetPauses", budgetPauses.sum());
        m.put("bytesRead", bytesRead.sum());
        m.put("bytesWritten", bytesWritten.sum());
        m.put("bufferedOutputBytes", bufferedOutputBytes.get());
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}

package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The harness itself on tiny, bounded runs against real servers on 127.0.0.1 port 0. Nothing
 * here asserts a timing: only that reports have sane, consistent fields and no errors.
 */
class HarnessRunTest {
    private static Report run(String... args) throws Exception {
        Options o = CommandLine.parse(args);
        return Main.runAll(o, Scenarios.byName(o.scenario), null);
    }

    private static void assertSaneTimedRun(RunResult r, long connections) {
        assertEquals(0L, r.get(RunResult.ERRORS), () -> "errors: " + r.errors() + " " + r.errors().details());
        assertEquals(connections, r.get(RunResult.OPENED));
        assertTrue(r.num(RunResult.REQUESTS) > 0, "no requests measured");
        assertTrue(r.num(RunResult.SECONDS) > 0);
        assertEquals(r.num(RunResult.REQUESTS) / r.num(RunResult.SECONDS), r.num(RunResult.REQ_PER_SEC), 1e-6);
        assertTrue(r.num(RunResult.MB_PER_SEC) > 0);
        double p50 = r.num(RunResult.P50);
        assertTrue(p50 > 0);
        assertTrue(p50 <= r.num(RunResult.P90) && r.num(RunResult.P90) <= r.num(RunResult.P99)
                && r.num(RunResult.P99) <= r.num(RunResult.P999) && r.num(RunResult.P999) <= r.num(RunResult.MAX),
                "percentiles out of order: " + r.fields());
        // the server decoded at least every request the client counted in the window
        assertTrue(r.num(RunResult.SERVER_REQUESTS) >= r.num(RunResult.REQUESTS) - connections * r.num(RunResult.DEPTH),
                r.fields().toString());
        assertEquals(0L, r.get(RunResult.SERVER_ERRORS));
        assertFalse(r.has(RunResult.ABORTED));
        // CPU accounting of both ends (HotSpot's per-thread CPU time)
        assertTrue(r.num(RunResult.SERVER_CPU_PER_REQ) > 0, r.fields().toString());
        assertTrue(r.num(RunResult.CLIENT_CPU_PER_REQ) > 0, r.fields().toString());
    }

    /**
     * Writes are counted in the measured window and requests when answered, so with one request
     * in flight each edge of the window can shift the ratio by one request's writes.
     */
    private static double boundarySlack(RunResult r, int writesPerRequest) {
        return (double) writesPerRequest / r.num(RunResult.REQUESTS) + 0.01;
    }

    @Test
    void pingRunProducesASaneReport() throws Exception {
        Report rep = run("ping", "--warmup", "100ms", "--duration", "500ms", "-s", "16");
        assertEquals(1, rep.columns().size());
        RunResult r = rep.columns().get(0).summary();
        assertSaneTimedRun(r, 1);
        assertEquals("ping", r.get(RunResult.SCENARIO));
        // one coalesced write per request: prefix, header and body together
        assertEquals(1.0, r.num(RunResult.WRITES_PER_REQ), boundarySlack(r, 1));
        assertTrue(r.num(RunResult.SERVER_ALLOC_PER_REQ) > 0, "server allocation per request is measured in-process");
        assertTrue(r.num(RunResult.RSS) > 0);
    }

    @Test
    void pipelineRunKeepsDepthRequestsInFlightOnEveryConnection() throws Exception {
        Report rep = run("pipeline", "-c", "8", "-d", "4", "--warmup", "100ms", "--duration", "500ms", "-t", "2");
        RunResult r = rep.columns().get(0).summary();
        assertSaneTimedRun(r, 8);
        assertEquals(2L, r.get(RunResult.THREADS));
        // pipelined requests coalesce: fewer writes than requests
        assertTrue(r.num(RunResult.WRITES_PER_REQ) < 1, r.fields().toString());
        assertTrue(r.num(RunResult.PAYLOAD_MB_PER_SEC) > 0);
    }

    @Test
    void requestCountModeStopsAtTheCount() throws Exception {
        RunResult r = run("pipeline", "-c", "4", "-d", "2", "--warmup", "0", "--requests", "500").columns().get(0).summary();
        assertEquals(500L, r.get(RunResult.REQUESTS));
        assertEquals(0L, r.get(RunResult.ERRORS), () -> r.errors().toString());
    }

    @Test
    void idleRunHoldsConnectionsAndReportsMemoryPerConnection() throws Exception {
        RunResult r = run("idle", "-c", "40", "--duration", "200ms").columns().get(0).summary();
        assertEquals(0L, r.get(RunResult.ERRORS), () -> r.errors().toString());
        assertEquals(40L, r.get(RunResult.OPENED));
        assertEquals(40L, r.get(RunResult.REQUESTS), "one PING per connection");
        assertEquals(40L, r.get(RunResult.SERVER_REQUESTS));
        for (String k : List.of(RunResult.RSS_BASELINE, RunResult.RSS_IDLE, RunResult.RSS_AFTER_PING,
                RunResult.RSS_PER_CONN_IDLE, RunResult.RSS_PER_CONN_PING, RunResult.HEAP_PER_CONN_IDLE)) {
            assertTrue(r.has(k), k + " missing: " + r.fields());
        }
        assertTrue(r.num(RunResult.RSS_BASELINE) > 0);
    }

    @Test
    void compareNodelayRunsBothSettingsWithTheSplitPattern() throws Exception {
        Report rep = run("ping", "--compare", "nodelay", "--write-pattern", "split", "-s", "8",
                "--warmup", "0", "--duration", "300ms");
        assertEquals(2, rep.columns().size());
        RunResult on = rep.columns().get(0).summary();
        RunResult off = rep.columns().get(1).summary();
        assertEquals("nodelay on", on.get(RunResult.SETTING));
        assertEquals("nodelay off", off.get(RunResult.SETTING));
        assertEquals(Boolean.TRUE, on.get(RunResult.SERVER_NODELAY));
        assertEquals(Boolean.FALSE, off.get(RunResult.SERVER_NODELAY));
        for (RunResult r : List.of(on, off)) {
            assertEquals(0L, r.get(RunResult.ERRORS), () -> r.errors().toString());
            assertTrue(r.num(RunResult.REQUESTS) > 0);
            // the seed's pattern: prefix, header and body are three write() calls
            assertEquals(3.0, r.num(RunResult.WRITES_PER_REQ), boundarySlack(r, 3));
        }
        String md = MarkdownReport.render(rep);
        assertTrue(md.contains("| | nodelay on | nodelay off |"), md);
    }

    @Test
    void repeatAlternatesSettingsAndSummarisesWithMedians() throws Exception {
        Report rep = run("ping", "--compare", "write-pattern", "--repeat", "2", "--warmup", "0", "--duration", "150ms");
        assertEquals(2, rep.columns().size());
        for (Report.Column c : rep.columns()) {
            assertEquals(2, c.runs().size());
            assertEquals(2L, c.summary().get(RunResult.RUNS));
            assertEquals(List.of(1L, 2L), c.runs().stream().map(r -> r.get(RunResult.RUN)).toList());
        }
    }

    @Test
    void aServerThatIsNotThereIsReportedAsErrorsNotAHang() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        Report rep = run("ping", "-c", "3", "--target", "127.0.0.1:" + port, "--connect-timeout", "2s");
        RunResult r = rep.columns().get(0).summary();
        assertEquals(3L, r.errors().asMap().get("connect_refused"));
        assertEquals(0L, r.get(RunResult.OPENED));
        assertEquals("no connection opened", r.get(RunResult.ABORTED));
    }

    /** Also with the server JVM logging its GCs to stdout, between the answers to the harness. */
    @Test
    void spawnedServerReportsItsOwnMemory() throws Exception {
        RunResult r = run("idle", "-c", "20", "--duration", "100ms", "--target", "spawn",
                "--server-jvm-opts", "-Xlog:gc").columns().get(0).summary();
        assertEquals(0L, r.get(RunResult.ERRORS), () -> r.errors().toString());
        assertEquals("server process only", r.get(RunResult.MEMORY_SCOPE));
        assertTrue(r.str(RunResult.TARGET).startsWith("spawned JVM (pid "), r.str(RunResult.TARGET));
        assertTrue(r.num(RunResult.RSS_BASELINE) > 0);
        assertEquals(20L, r.get(RunResult.SERVER_REQUESTS));
    }

    @Test
    void spawnedServerReportsItsCpuTime() throws Exception {
        RunResult r = run("ping", "--warmup", "0", "--duration", "300ms", "--target", "spawn").columns().get(0).summary();
        assertEquals(0L, r.get(RunResult.ERRORS), () -> r.errors().toString());
        assertTrue(r.num(RunResult.SERVER_CPU_PER_REQ) > 0, r.fields().toString());
        assertTrue(r.has(RunResult.SERVER_PROCESS_CPU), "a spawned server's whole-process CPU is its own");
    }

    @Test
    void tooManyConnectionsForTheDescriptorLimitIsRefusedUpFront() {
        long limit = ProcStatus.maxOpenFiles();
        org.junit.jupiter.api.Assumptions.assumeTrue(limit > 0 && limit < 400_000, "descriptor limit unknown or huge");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run("idle", "-c", Long.toString(limit / 2 + 1)));
        assertTrue(e.getMessage().contains("--target spawn"), e.getMessage());
    }

}

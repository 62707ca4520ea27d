package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.FakeClock;
import ferry.reactor.RawPeer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure both ways: a client that does not read output blocks the process on its pipe, and
 * a command that does not read stdin stops the server reading the request body; in neither case
 * does the server buffer more than its water marks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecFlowControlTest {
    /** The raw peer's receive buffer and the server's send buffer: little held in the kernel. */
    static final int SMALL_SOCKET_BUFFER = 16 * 1024;
    static final long HIGH_WATER = ServerConfig.DEFAULT_HIGH_WATER_BYTES;
    /** Two streams' credits, each a chunk plus its frame header. */
    static final long CREDIT_BYTES = 2L * ExecConfig.DEFAULT_CHUNKS_IN_FLIGHT * (ExecConfig.DEFAULT_CHUNK_BYTES + 64);

    @TempDir
    Path root;

    /**
     * Waits until the one running {@code head} is stuck: every stdout credit is parked until the
     * connection drains (with both socket buffers small and fixed, and the client not reading, it
     * never will), and the process itself sleeps in write(2) on its full pipe (seen in
     * /proc/PID/wchan where the kernel shows it; polled without sleeping). Fails if the process
     * instead finishes.
     */
    private static ProcessHandle awaitStalled(ExecStats stats) throws Exception {
        assertTrue(stats.await(stats::parkedCredits, ExecConfig.DEFAULT_CHUNKS_IN_FLIGHT, 20, TimeUnit.SECONDS),
                "output credits never waited for the connection: " + stats);
        ProcessHandle head = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/head")).findFirst().orElseThrow();
        Path wchan = Path.of("/proc/" + head.pid() + "/wchan");
        if (Files.exists(wchan)) {
            // Best-effort extra evidence: kernels that hide wait channels show only "0".
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String symbolic = "";
            while (true) {
                String w = Files.readString(wchan).trim();
                if (w.contains("pipe")) {
                    break;
                }
                if (!w.isEmpty() && !w.equals("0")) {
                    symbolic = w;
                }
                assertTrue(head.isAlive(), "the process wrote all its output: nothing held it back");
                if (System.nanoTime() > deadline) {
                    assertEquals("", symbolic, "the process sleeps somewhere other than a pipe write");
                    break;
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        return head;
    }

    @Test
    void aClientThatDoesNotReadBlocksTheProcessInsteadOfGrowingServerMemory() throws Exception {
        long total = 32L << 20;
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> {},
                s -> s.socketSendBufferBytes(SMALL_SOCKET_BUFFER), Clock.SYSTEM, EnumSet.allOf(Right.class));
             RawPeer c = RawPeer.withReceiveBuffer(h.server.port(), SMALL_SOCKET_BUFFER)) {
            c.send(Header.op("EXEC").put(Header.ID, 1L)
                    .put("argv", List.<Object>of("head", "-c", Long.toString(total), "/dev/zero")));

            ExecStats stats = h.exec.stats();
            ProcessHandle head = awaitStalled(stats);
            long read = stats.pipeBytesRead();
            assertTrue(read < (1 << 20), "server read " + read + " bytes from the pipe for a client that reads nothing");
            assertTrue(stats.peakPendingOutputBytes() <= HIGH_WATER + CREDIT_BYTES, stats.toString());
            assertTrue(head.isAlive());

            // Now read: everything arrives, byte-exact, and the process ends normally.
            long[] got = new long[1];
            Header exit = c.readUntilExit(chunk -> {
                while (chunk.hasRemaining()) {
                    assertEquals(0, chunk.get());
                    got[0]++;
                }
            });
            assertEquals(total, got[0]);
            assertEquals(0L, exit.get("exitCode"));
            assertTrue(stats.peakPendingOutputBytes() <= HIGH_WATER + CREDIT_BYTES, stats.toString());
        }
    }

    @Test
    void aTimedOutCommandWhoseClientIsNotReadingEndsWithoutWaitingForIt() throws Exception {
        FakeClock clock = new FakeClock();
        // Low water 0: a credit only comes back once everything buffered went out, which a client
        // that reads nothing never allows (the kernel may still trickle a little into its buffers).
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> {},
                s -> s.socketSendBufferBytes(SMALL_SOCKET_BUFFER).lowWaterBytes(0), clock, EnumSet.allOf(Right.class));
             RawPeer c = RawPeer.withReceiveBuffer(h.server.port(), SMALL_SOCKET_BUFFER);
             FerryClient waker = h.connect()) {
            c.send(Header.op("EXEC").put(Header.ID, 1L).put("timeoutMs", 1000L)
                    .put("argv", List.<Object>of("head", "-c", Long.toString(256L << 20), "/dev/zero")));
            ExecStats stats = h.exec.stats();
            awaitStalled(stats); // every credit is parked until the client reads
            clock.advanceMillis(1001);
            ExecHarness.syncTimers(waker); // the loop ran the timeout; no kill grace passes from here on
            assertTrue(stats.await(stats::finished, 1, 20, TimeUnit.SECONDS),
                    "the killed run waits for a client that is not reading");
            assertEquals(0, stats.abandonedRuns());
            Header exit = c.readUntilExit(chunk -> { });
            assertEquals("timeout", exit.get("reason"));
            assertEquals(Boolean.TRUE, exit.get("killed"));
        }
    }

    @Test
    void aCommandThatDoesNotReadStdinStopsTheServerReadingTheBody() throws Exception {
        FakeClock clock = new FakeClock();
        long size = 32L << 20;
        long highWater = 128 * 1024;
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false),
                b -> b.stdinHighWaterBytes(highWater).stdinLowWaterBytes(highWater / 2), s -> {}, clock,
                EnumSet.allOf(Right.class))) {
            FerryClient waker = h.connect();
            FerryClient c = h.connect();
            c.send(Header.op("EXEC").put(Header.ID, 1L).put("argv", List.<Object>of("sh", "-c", "echo ready; exec sleep 1000"))
                    .put("timeoutMs", 1000L).put(Header.SIZE, size));
            Thread sender = new Thread(() -> {
                ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                try {
                    for (long left = size; left > 0; left -= zeros.capacity()) {
                        c.sendBody(zeros.clear());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "test-stdin");
            sender.start();
            Header first = c.expect(c.readHeader(), "STDOUT", 1);
            ByteBuffer ready = ByteBuffer.allocate((int) first.size());
            while (ready.hasRemaining() && c.readBody(ready) >= 0) {
                // whole body
            }
            assertEquals("ready\n", new String(ready.array(), StandardCharsets.UTF_8));

            ExecStats stats = h.exec.stats();
            assertTrue(stats.await(stats::stdinPaused, 1, 20, TimeUnit.SECONDS), "the server never stopped reading stdin");
            long bodyRead = h.server.stats().bytesRead.sum();
            assertTrue(bodyRead < (1 << 20), "server took " + bodyRead + " bytes of a body nobody reads");
            assertTrue(stats.peakStdinQueuedBytes() <= highWater + ServerConfig.DEFAULT_READ_BUFFER_BYTES, stats.toString());
            assertTrue(sender.isAlive(), "the client could send everything: nothing held it back");

            clock.advanceMillis(1001);
            ExecHarness.syncTimers(waker);
            Header exit;
            while (!"EXIT".equals((exit = c.expect(c.readHeader(), null, 1)).op())) {
                c.skipBody();
            }
            assertEquals("timeout", exit.get("reason"));
            sender.join(); // the rest of the body is accepted (and dropped) once the run ended
            assertTrue(c.ping() > 0, "the connection is usable after the whole body went through");
            assertEquals(0, stats.stdinPaused());
        }
    }

    @Test
    void pipelinedCommandsRunInOrderAndBothFinish() throws Exception {
        // A command may change files, so B, pipelined behind A, starts only once A has ended
        // (PROTOCOL.md 3): it sees what A wrote. Both produce more than the high-water mark.
        Path gate = root.resolve("gate");
        assertEquals(0, new ProcessBuilder("mkfifo", gate.toString()).start().waitFor());
        long size = 1 << 20;
        try (ExecHarness h = ExecHarness.allowAll(root); FerryClient c = h.connect()) {
            c.send(Header.op("EXEC").put(Header.ID, 1L).put("timeoutMs", 20_000L)
                    .put("argv", List.<Object>of("sh", "-c", "cat gate >/dev/null; printf from-A > marker; head -c "
                            + size + " /dev/zero")));
            c.send(Header.op("EXEC").put(Header.ID, 2L).put("argv", List.<Object>of("sh", "-c",
                    "cat marker; head -c " + (size - 6) + " /dev/zero"))); // 6 bytes from A's marker, or short
            Files.newOutputStream(gate).close(); // let A go
            for (long id = 1; id <= 2; id++) {
                long got = 0;
                Header f;
                while (!"EXIT".equals((f = c.expect(c.readHeader(), null, id)).op())) {
                    assertEquals("STDOUT", f.op());
                    got += f.size();
                    c.skipBody();
                }
                assertNull(f.get("reason"), "command " + id + " was stopped: " + f);
                assertEquals(size, got, "command " + id);
            }
        }
    }
}

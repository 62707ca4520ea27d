package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import ferry.reactor.Right;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timeouts, cancellation and the output cap stop the whole process tree, and EXIT says why. Time
 * is a fake clock: the test moves it, then wakes the loop with a PING on another connection (the
 * PONG leaves after the loop ran its due timers).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecKillTest {
    static final long TIMEOUT_MS = 5_000;
    static final long GRACE_MS = 2_000;
    static final long CAP_BYTES = 100_000;

    @TempDir
    Path root;
    FakeClock clock = new FakeClock();
    ExecHarness h;
    FerryClient waker;

    @BeforeEach
    void start() throws Exception {
        h = new ExecHarness(root, ExecPolicy.allowAll(false),
                b -> b.killGraceMillis(GRACE_MS).maxOutputBytes(CAP_BYTES), s -> {}, clock, EnumSet.allOf(Right.class));
        waker = h.connect();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** Moves the fake clock and makes sure the loop has run every timer now due. */
    private void advance(long millis) throws IOException {
        clock.advanceMillis(millis);
        ExecHarness.syncTimers(waker);
    }

    @Test
    void timeoutKillsTheCommandAndItsChildren() throws Exception {
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "sleep 1000 & echo $$ $!; wait");
            long[] p = ExecHarness.pids(ExecHarness.readLine(c, id));
            assertTrue(Procs.running(p[0]) && Procs.running(p[1]));
            advance(TIMEOUT_MS - 1);
            assertTrue(Procs.running(p[0]) && Procs.running(p[1]), "killed before its time");
            advance(2);
            Header exit = ExecHarness.readExit(c, id);
            assertEquals(Boolean.TRUE, exit.get("killed"));
            assertEquals("timeout", exit.get("reason"));
            assertNotEquals(0L, exit.get("exitCode"));
            assertTrue((Long) exit.get("durationMs") >= TIMEOUT_MS, exit.toString());
            assertFalse(Procs.running(p[0]), "the shell survived");
            assertFalse(Procs.running(p[1]), "its child survived");
            assertTrue(c.ping() > 0, "the connection goes on");
        }
    }

    @Test
    void timeoutKillsADoubleForkedOrphanThroughTheProcessGroup() throws Exception {
        Assumptions.assumeTrue(Procs.groupsAvailable(h.exec), "setsid and kill are needed for process groups");
        try (FerryClient c = h.connect()) {
            // $(...) waits for the inner shell to exit, so the sleep is an orphan by the time we read its pid.
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "p=$(sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'); echo $p; exec sleep 1000");
            long orphan = ExecHarness.pids(ExecHarness.readLine(c, id))[0];
            assertTrue(Procs.running(orphan));
            assertTrue(ProcessHandle.current().descendants().noneMatch(ph -> ph.pid() == orphan),
                    "the orphan must be out of reach of descendants() for this test to mean anything");
            advance(TIMEOUT_MS + 1);
            Header exit = ExecHarness.readExit(c, id);
            assertEquals("timeout", exit.get("reason"));
            assertFalse(Procs.running(orphan), "the orphan survived the kill");
        }
    }

    @Test
    void aCommandIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "trap '' TERM; echo ready; exec sleep 1000");
            assertEquals("ready", ExecHarness.readLine(c, id));
            advance(TIMEOUT_MS + 1); // SIGTERM, ignored
            advance(GRACE_MS + 1); // SIGKILL
            Header exit = ExecHarness.readExit(c, id);
            assertEquals(Boolean.TRUE, exit.get("killed"));
            assertEquals(128L + 9, exit.get("exitCode"), "only SIGKILL could end it");
        }
    }

    @Test
    void disconnectCancelsTheRunAndKillsItsProcesses() throws Exception {
        long[] p;
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "sleep 1000 & echo $$ $!; wait");
            p = ExecHarness.pids(ExecHarness.readLine(c, id));
        }
        assertTrue(h.exec.stats().await(h.exec.stats()::killed, 1, 20, TimeUnit.SECONDS), "the run did not end");
        assertEquals(0, h.exec.stats().running());
        assertFalse(Procs.running(p[0]), "the shell survived the disconnect");
        assertFalse(Procs.running(p[1]), "its child survived the disconnect");
    }

    @Test
    void outputCapStopsTheProcessAndExitSaysSo() throws Exception {
        byte[] head = h.seededFile("head.bin", 64 * 1024, 11);
        try (FerryClient c = h.connect()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long id = ExecHarness.send(c, TIMEOUT_MS, "cat", "head.bin", "/dev/zero"); // endless
            Header exit;
            while (true) {
                Header f = c.expect(c.readHeader(), null, id);
                if ("EXIT".equals(f.op())) {
                    exit = f;
                    break;
                }
                assertEquals("STDOUT", f.op());
                c.readBodyChunk(b -> {
                    byte[] x = new byte[b.remaining()];
                    b.get(x);
                    out.write(x, 0, x.length);
                });
                while (c.readBodyChunk(b -> {
                    byte[] x = new byte[b.remaining()];
                    b.get(x);
                    out.write(x, 0, x.length);
                })) {
                    // rest of the body
                }
            }
            assertEquals("output_cap", exit.get("reason"));
            assertEquals(Boolean.TRUE, exit.get("killed"));
            byte[] got = out.toByteArray();
            assertEquals(CAP_BYTES, got.length, "exactly the cap, never more");
            assertArrayEquals(head, Arrays.copyOf(got, head.length));
            for (int i = head.length; i < got.length; i++) {
                assertEquals(0, got[i]);
            }
        }
        assertEquals(0, h.exec.stats().running());
    }


    @Test
    void stoppingTheServerKillsRunningCommands() throws Exception {
        FerryClient c = h.connect();
        long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "sleep 1000 & echo $$ $!; wait");
        long[] p = ExecHarness.pids(ExecHarness.readLine(c, id));
        h.server.stop(0, TimeUnit.MILLISECONDS); // the client stays connected: the stop hook must do it
        assertFalse(Procs.running(p[0]), "the shell outlived the server");
        assertFalse(Procs.running(p[1]), "its child outlived the server");
    }
}

package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import ferry.reactor.Right;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What EXIT carries in each way a run can end (docs/PROTOCOL.md, "Exec", the EXIT table):
 * {@code killed} is true exactly when the server signalled the command while it was still running,
 * and {@code exitCode} is then what that signal made of it.
 *
 * <p>Time is a fake clock. Races between the command's own exit and the server's stop are made
 * deterministic by holding the event loop on a latch ({@link #BLOCK_OP}) while the command
 * finishes, so the loop learns of output and exit only afterwards, in the order they were posted.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecExitTest {
    static final long TIMEOUT_MS = 5_000;
    static final long GRACE_MS = 2_000;
    /** Room for one pid line and not much more. */
    static final long CAP_BYTES = 64;
    static final long SIGTERM_STATUS = 128 + 15;
    static final long SIGKILL_STATUS = 128 + 9;
    /** Holds the event loop until {@link #releaseLoop} counts down: the test's way to queue up loop events. */
    static final String BLOCK_OP = "TEST_BLOCK_LOOP";
    /** Generous bound for real process events (exits, reads); never a timing assertion. */
    static final long EVENT_WAIT_SECONDS = 20;

    @TempDir
    Path root;
    final FakeClock clock = new FakeClock();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch loopBlocked = new CountDownLatch(1);
    final CountDownLatch releaseLoop = new CountDownLatch(1);
    ExecHarness h;
    FerryClient waker;

    @BeforeEach
    void start() throws Exception {
        ServerLog lines = RecordingLog.messages(log, ServerLog.Level.INFO);
        // One credit per stream: once a reader posted a chunk it waits, visibly in ExecStats.
        h = new ExecHarness(root, ExecPolicy.allowAll(false),
                b -> b.killGraceMillis(GRACE_MS).maxOutputBytes(CAP_BYTES).chunksInFlight(1), s -> {}, clock,
                EnumSet.allOf(Right.class),
                server -> server.registerPublic(BLOCK_OP, call -> {
                    loopBlocked.countDown();
                    try {
                        assertTrue(releaseLoop.await(EVENT_WAIT_SECONDS, TimeUnit.SECONDS), "the test never released the loop");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    call.reply(Header.reply("UNBLOCKED", call.id()));
                    return null;
                }), lines);
        waker = h.connect();
    }

    @AfterEach
    void stop() {
        releaseLoop.countDown();
        h.close();
    }

    @Test
    void normalExitCarriesTheStatusAndNoReason() throws Exception {
        try (FerryClient c = h.connect()) {
            Header exit = ExecHarness.readExit(c, ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "exit 7"));
            assertExit(exit, 7, false, null);
        }
    }

    @Test
    void aSignalFromOutsideIs128PlusTheSignalAndNotKilled() throws Exception {
        try (FerryClient c = h.connect()) {
            Header exit = ExecHarness.readExit(c, ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "kill -9 $$"));
            assertExit(exit, SIGKILL_STATUS, false, null);
        }
    }

    @Test
    void timeoutSignalsTheRunningCommand() throws Exception {
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "echo $$; exec sleep 1000");
            ExecHarness.readLine(c, id);
            advance(TIMEOUT_MS + 1);
            assertExit(ExecHarness.readExit(c, id), SIGTERM_STATUS, true, ExecRun.TIMEOUT);
        }
    }

    @Test
    void timeoutAfterTheCommandExitedStopsItsChildrenButDoesNotClaimToHaveKilledIt() throws Exception {
        try (FerryClient c = h.connect()) {
            // The shell exits 0 at once; its background sleep keeps stdout open, so the run goes on.
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "sleep 1000 & echo $$ $!");
            long[] p = ExecHarness.pids(ExecHarness.readLine(c, id));
            ExecHarness.awaitGone(p[0], EVENT_WAIT_SECONDS);
            advance(TIMEOUT_MS + 1);
            assertExit(ExecHarness.readExit(c, id), 0, false, ExecRun.TIMEOUT);
            assertFalse(Procs.running(p[1]), "the background child survived");
        }
    }

    @Test
    void outputCapSignalsTheRunningCommand() throws Exception {
        try (FerryClient c = h.connect()) {
            Header exit = ExecHarness.readExit(c, ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "exec cat /dev/zero"));
            assertExit(exit, SIGTERM_STATUS, true, ExecRun.OUTPUT_CAP);
        }
    }

    /**
     * The reported bug: the command printed past the cap and exited 0 before the loop read that
     * output. EXIT said {@code killed: true} with {@code exitCode: 0}, since the loop had not heard
     * of the exit yet when it stopped the run.
     */
    @Test
    void outputCapAfterTheCommandExitedReportsItsOwnStatusAndNotKilled() throws Exception {
        Path go = fifo("go");
        Path done = fifo("done");
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "echo $$; read x < go; head -c 1000 /dev/zero; read y < done; exit 0");
            String line = ExecHarness.readLine(c, id);
            long pid = ExecHarness.pids(line)[0];
            ExecStats stats = h.exec.stats();
            blockLoop();
            Files.writeString(go, "\n"); // the command prints past the cap...
            // Read, posted to the loop, and the reader waits for its only credit: the output is queued.
            assertTrue(stats.await(stats::pipeBytesRead, line.length() + 1 + 1000, EVENT_WAIT_SECONDS, TimeUnit.SECONDS)
                    && stats.await(stats::readersWaiting, 1, EVENT_WAIT_SECONDS, TimeUnit.SECONDS),
                    "the stdout reader never posted the output");
            Files.writeString(done, "\n"); // ...and only then exits, by itself, with 0
            ExecHarness.awaitGone(pid, EVENT_WAIT_SECONDS);
            releaseLoop.countDown(); // the loop now sees the output (cap: stop), then the exit
            assertExit(ExecHarness.readExit(c, id), 0, false, ExecRun.OUTPUT_CAP);
        }
    }

    @Test
    void aClientThatLeftGetsNoExitAndTheLogSaysCancelled() throws Exception {
        ExecStats stats = h.exec.stats();
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", "echo $$; exec sleep 1000");
            ExecHarness.readLine(c, id);
        }
        assertTrue(stats.await(stats::finished, 1, EVENT_WAIT_SECONDS, TimeUnit.SECONDS), "the run did not end");
        String end = log.stream().filter(l -> l.startsWith("exec end")).findFirst().orElseThrow(() -> new AssertionError(log));
        assertTrue(end.contains(" exit=" + SIGTERM_STATUS + " ") && end.contains(" killed reason=cancelled"), end);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void assertExit(Header exit, long exitCode, boolean killed, String reason) {
        assertEquals("EXIT", exit.op(), exit.toString());
        assertEquals(exitCode, exit.get("exitCode"), exit.toString());
        assertEquals(killed, exit.get("killed"), exit.toString());
        assertEquals(reason, exit.get("reason"), exit.toString());
    }

    private Path fifo(String name) throws Exception {
        Path p = root.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertTrue(mk.waitFor(EVENT_WAIT_SECONDS, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo failed");
        return p;
    }

    /** Sends the BLOCK op on its own connection and returns once the loop is held in it. */
    private void blockLoop() throws Exception {
        FerryClient blocker = h.connect();
        blocker.send(Header.op(BLOCK_OP).put(Header.ID, blocker.nextId()));
        assertTrue(loopBlocked.await(EVENT_WAIT_SECONDS, TimeUnit.SECONDS), "the loop did not take the block op");
    }

    private void advance(long millis) throws IOException {
        clock.advanceMillis(millis);
        ExecHarness.syncTimers(waker);
    }
}

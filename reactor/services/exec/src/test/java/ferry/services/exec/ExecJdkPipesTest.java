package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ExecRequest;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import ferry.reactor.Right;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback where {@code mkfifo} is missing: runs use the JDK's process pipes, which the server
 * cannot close under a blocked reader. Commands work as usual; a run given up while an escaped
 * process holds its pipes keeps its exec slot until that process lets go, so stuck threads stay
 * bounded by the slots (the next EXEC is {@code busy}, not one more stuck thread).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecJdkPipesTest {
    static final long TIMEOUT_MS = 5_000;
    static final long GRACE_MS = 2_000;
    static final long EVENT_WAIT_SECONDS = 20;

    @TempDir
    Path root;
    final FakeClock clock = new FakeClock();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<Long> escapees = new ArrayList<>();
    ExecHarness h;
    FerryClient waker;

    @BeforeEach
    void start() throws Exception {
        ServerLog lines = RecordingLog.lines(log, ServerLog.Level.INFO);
        h = new ExecHarness(root, ExecPolicy.allowAll(false),
                b -> b.namedPipes(false).killGraceMillis(GRACE_MS).maxRunning(1), s -> {}, clock,
                EnumSet.allOf(Right.class), s -> {}, lines);
        assertNull(h.exec.fifos());
        waker = h.connect();
    }

    @AfterEach
    void stop() {
        for (long pid : escapees) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        h.close();
    }

    @Test
    void stdinStdoutStderrAndTheExitCodeWork() throws Exception {
        byte[] in = new byte[1 << 20];
        new Random(5).nextBytes(in);
        ExecHarness.Result r = h.run(ExecRequest.argv("sh", "-c", "cat; echo err >&2; exit 3").stdin(in));
        assertArrayEquals(in, r.out());
        assertEquals("err\n", r.errText());
        assertEquals(3, r.exit().exitCode());
    }

    @Test
    void aRunGivenUpWhileAnEscapeeHoldsItsPipesKeepsItsSlotUntilTheEscapeeEnds() throws Exception {
        ExecStats stats = h.exec.stats();
        try (FerryClient c = h.connect()) {
            // The command keeps running (so the JDK's reaper cannot close its pipes early) until the
            // time limit. The escapee leaves its session and, through the subshell, the command's
            // tree: "left" is printed once the subshell has exited, so the escapee is an orphan.
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c",
                    "(setsid sh -c 'echo $$; exec sleep 1000' &); echo left; exec sleep 1000");
            List<String> lines = new ArrayList<>(ExecHarness.readLines(c, id, 2));
            assertTrue(lines.remove("left"), lines.toString());
            long escapee = Long.parseLong(lines.get(0));
            escapees.add(escapee);
            advance(TIMEOUT_MS + 1); // SIGTERM: the command dies, the escapee is out of reach
            // SIGKILL, and the run is given up then or a grace later. (Not waiting for the command's
            // exit here: with JDK pipes the JDK's own exit handling is stuck behind the blocked reader.)
            advance(GRACE_MS + 1);
            advance(GRACE_MS + 1);
            Header exit = ExecHarness.readExit(c, id);
            assertEquals(ExecRun.TIMEOUT, exit.get("reason"));
            String warn = log.stream().filter(l -> l.startsWith("WARN exec")).findFirst()
                    .orElseThrow(() -> new AssertionError(log));
            assertTrue(warn.contains(escapee + " \"sleep 1000\" (escaped its tree, holds its pipes)")
                    && warn.contains("keeps its exec slot"), warn);

            RemoteException busy = assertThrows(RemoteException.class,
                    () -> c.call(Header.op("EXEC").put("argv", List.<Object>of("true"))));
            assertEquals("busy", busy.code(), busy.getMessage());

            ProcessHandle.of(escapee).orElseThrow().destroyForcibly(); // lets go of the pipes
            assertTrue(stats.await(stats::finished, 1, EVENT_WAIT_SECONDS, TimeUnit.SECONDS), "the slot never came back");
            assertTrue(stats.await(() -> -stats.pipeReaders(), 0, EVENT_WAIT_SECONDS, TimeUnit.SECONDS), stats.toString());
            assertEquals("ok\n", ExecHarness.run(c, ExecRequest.argv("echo", "ok")).outText());
        }
    }

    private void advance(long millis) throws Exception {
        clock.advanceMillis(millis);
        ExecHarness.syncTimers(waker);
    }
}

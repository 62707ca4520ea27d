package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import ferry.reactor.Right;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that leaves the run's session ({@code setsid cmd &}) and keeps its output open is out
 * of the server's reach: it is not killed, but once the run is given up (at the SIGKILL)
 * the server closes its ends of the pipes, its reader threads end, and the WARN line names the
 * escapee. Before, every such run left two reader threads and their descriptors behind for as
 * long as the escapee lived (issue 13, D8: threads 44 to 387 and fds 16 to 256 in a minute).
 *
 * <p>Time is a fake clock; the escapees are killed by pid after each test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecEscapeTest {
    static final long TIMEOUT_MS = 5_000;
    static final long GRACE_MS = 2_000;
    /** Generous bound for real thread and process events; never a timing assertion. */
    static final long EVENT_WAIT_SECONDS = 20;
    /**
     * Prints the command's pid and the escapee's, which then becomes {@code sleep 1000} in its own
     * session, holding stdout and stderr. The command itself exits at once.
     */
    static final String ESCAPE = "echo $$; setsid sh -c 'echo $$; exec sleep 1000' &";

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
        h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> b.killGraceMillis(GRACE_MS).maxRunning(1), s -> {},
                clock, EnumSet.allOf(Right.class), s -> {}, lines);
        Assumptions.assumeTrue(h.exec.fifos() != null, "mkfifo is needed for pipes the server can close");
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
    void anAbandonedRunsReadersEndAndItsPipesCloseWhileTheEscapeeLivesOn() throws Exception {
        try (FerryClient c = h.connect()) {
            long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", ESCAPE);
            List<String> pids = ExecHarness.readLines(c, id, 2);
            long command = Long.parseLong(pids.get(0));
            long escapee = Long.parseLong(pids.get(1));
            escapees.add(escapee);
            ExecHarness.awaitGone(command, EVENT_WAIT_SECONDS);
            ExecHarness.awaitExec(escapee, "sleep", EVENT_WAIT_SECONDS); // the warning names what it runs
            Object stdoutPipe = fileKey(Path.of("/proc/" + escapee + "/fd/1"));
            assertEquals(1, serverDescriptorsOn(stdoutPipe), "the server should be reading the escapee's stdout");

            Header exit = stopAndGiveUp(c, id);
            assertEquals(ExecRun.TIMEOUT, exit.get("reason"));
            assertEquals(Boolean.FALSE, exit.get("killed"), "the command itself had exited: " + exit);

            ExecStats stats = h.exec.stats();
            assertTrue(stats.await(() -> -stats.pipeReaders(), 0, EVENT_WAIT_SECONDS, TimeUnit.SECONDS),
                    "reader threads still running: " + stats);
            assertEquals(List.of(), threadsReadingPipes());
            assertEquals(0, serverDescriptorsOn(stdoutPipe), "the server still holds the escapee's pipe");
            assertTrue(Procs.running(escapee), "out of reach by design: the server does not hunt escapees down");
            assertEquals(1, stats.abandonedRuns());

            String warn = log.stream().filter(l -> l.startsWith("WARN exec")).findFirst()
                    .orElseThrow(() -> new AssertionError(log));
            assertTrue(warn.contains(escapee + " \"sleep 1000\" (") && warn.contains("holds its pipes"), warn);
            assertTrue(warn.contains("pipes closed"), warn);
            assertTrue(c.ping() > 0, "the connection goes on");
        }
    }

    @Test
    void escapeesDoNotAddThreads() throws Exception {
        int runs = 3;
        try (FerryClient c = h.connect()) {
            for (int i = 0; i < runs; i++) {
                long id = ExecHarness.send(c, TIMEOUT_MS, "sh", "-c", ESCAPE);
                List<String> pids = ExecHarness.readLines(c, id, 2);
                long command = Long.parseLong(pids.get(0));
                escapees.add(Long.parseLong(pids.get(1)));
                ExecHarness.awaitGone(command, EVENT_WAIT_SECONDS);
                stopAndGiveUp(c, id);
            }
        }
        ExecStats stats = h.exec.stats();
        assertTrue(stats.await(() -> -stats.pipeReaders(), 0, EVENT_WAIT_SECONDS, TimeUnit.SECONDS), stats.toString());
        assertEquals(runs, stats.abandonedRuns());
        assertTrue(h.exec.pool().largestThreadCount() <= ExecPool.THREADS_PER_RUN,
                "one slot, yet " + h.exec.pool().largestThreadCount() + " exec threads");
    }

    /**
     * Time limit (SIGTERM), then SIGKILL a grace later, when the run is given up at once: its
     * processes were gone already, only the escapee holds the pipes. Returns the EXIT.
     */
    private Header stopAndGiveUp(FerryClient c, long id) throws IOException {
        advance(TIMEOUT_MS + 1);
        advance(GRACE_MS + 1);
        return ExecHarness.readExit(c, id);
    }

    /** How many of this JVM's descriptors refer to the same file or pipe as {@code key}. */
    private static int serverDescriptorsOn(Object key) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (key.equals(fileKey(fd))) {
                        n++;
                    }
                } catch (IOException e) {
                    // the directory stream's own descriptor, or one closed meanwhile
                }
            }
        }
        return n;
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    /**
     * Names of live threads reading a pipe for a run: {@code OutputPump.run} on the stack with a
     * read above it. (A reader that just ended may still be leaving {@code run}; it reads nothing.)
     */
    private static List<String> threadsReadingPipes() {
        List<String> found = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            for (int pump = 0; pump < stack.length; pump++) {
                if (stack[pump].getClassName().equals(OutputPump.class.getName()) && stack[pump].getMethodName().equals("run")) {
                    for (int above = 0; above < pump; above++) {
                        if (stack[above].getMethodName().startsWith("read")) {
                            found.add(t.getName() + " in " + stack[above]);
                            break;
                        }
                    }
                    break;
                }
            }
        });
        return found;
    }

    private void advance(long millis) throws IOException {
        clock.advanceMillis(millis);
        ExecHarness.syncTimers(waker);
    }
}

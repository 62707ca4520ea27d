package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ExecClient;
import ferry.client.ExecRequest;
import ferry.client.ExitStatus;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a command prints arrives byte-exact, per stream, in order; exit codes and errors are right. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecOutputTest {
    @TempDir
    static Path root;
    static ExecHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = ExecHarness.allowAll(root);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void helloListsExec() throws Exception {
        try (FerryClient c = h.connect()) {
            @SuppressWarnings("unchecked")
            List<Object> features = (List<Object>) c.hello().get("features");
            assertTrue(features.contains("exec"), features.toString());
        }
    }

    @Test
    void noOutputAtAll() throws Exception {
        ExecHarness.Result r = h.run(ExecRequest.argv("true"));
        assertEquals(0, r.out().length);
        assertEquals(0, r.err().length);
        assertEquals(new ExitStatus(0, r.exit().durationMs(), false, null), r.exit());
        assertTrue(r.exit().success());
    }

    @Test
    void smallOutputWithArgumentsPassedVerbatim() throws Exception {
        // No shell: spaces, quotes, $ and globs reach the program as they are.
        ExecHarness.Result r = h.run(ExecRequest.argv("printf", "%s|%s|%s", "a b", "$HOME", "*"));
        assertEquals("a b|$HOME|*", r.outText());
        assertEquals(0, r.exit().exitCode());
    }

    @Test
    void stdoutAndStderrStayApartAndNonZeroExitCodesArrive() throws Exception {
        ExecHarness.Result r = h.sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 7");
        assertEquals("out1\nout2\n", r.outText());
        assertEquals("err1\nerr2\n", r.errText());
        assertEquals(7, r.exit().exitCode());
        assertFalse(r.exit().killed());
        assertNull(r.exit().reason());
        assertEquals(3, h.sh("exit 3").exit().exitCode());
        assertEquals(1, h.run(ExecRequest.argv("false")).exit().exitCode());
    }

    @Test
    void fiftyMebibytesOnStdoutAndInterleavedStderrAreByteExactAndInOrder() throws Exception {
        byte[] a = h.seededFile("a.bin", 1 << 20, 42);
        byte[] b = h.seededFile("b.bin", 64 * 1024, 7);
        int rounds = 50;
        Expecting out = new Expecting(a);
        Expecting err = new Expecting(b);
        ExitStatus st;
        try (FerryClient c = h.connect()) {
            st = new ExecClient(c).run(ExecRequest.argv("sh", "-c",
                    "i=0; while [ $i -lt " + rounds + " ]; do cat a.bin; cat b.bin >&2; i=$((i+1)); done"), out, err);
        }
        assertEquals(0, st.exitCode());
        assertEquals((long) rounds * a.length, out.seen);
        assertEquals((long) rounds * b.length, err.seen);
    }

    @Test
    void stdinIsStreamedToTheCommandWhileItsOutputStreamsBack() throws Exception {
        // cat echoes as it reads: 8 MiB in both directions at once needs stdin and output to flow together.
        byte[] in = new byte[8 << 20];
        new Random(3).nextBytes(in);
        Expecting out = new Expecting(in);
        ExitStatus st;
        try (FerryClient c = h.connect()) {
            st = new ExecClient(c).run(ExecRequest.argv("cat").stdin(in), out, OutputStream.nullOutputStream());
            // The connection is still in step afterwards.
            assertTrue(c.ping() > 0);
        }
        assertEquals(0, st.exitCode());
        assertEquals(in.length, out.seen);
    }

    @Test
    void commandThatIgnoresStdinStillEndsAndTheConnectionGoesOn() throws Exception {
        byte[] in = new byte[2 << 20];
        try (FerryClient c = h.connect()) {
            ExecHarness.Result r = ExecHarness.run(c, ExecRequest.argv("echo", "hi").stdin(in));
            assertEquals("hi\n", r.outText());
            assertEquals(0, r.exit().exitCode());
            assertEquals("again\n", ExecHarness.run(c, ExecRequest.argv("echo", "again")).outText());
        }
    }

    @Test
    void withoutStdinTheCommandReadsEndOfFile() throws Exception {
        ExecHarness.Result r = h.run(ExecRequest.argv("wc", "-c"));
        assertEquals("0", r.outText().trim());
    }

    @Test
    void missingCommandIsNotFound() throws Exception {
        RemoteException e = assertThrows(RemoteException.class,
                () -> h.run(ExecRequest.argv("no-such-command-ferry-test")));
        assertEquals("not_found", e.code());
        assertTrue(e.getMessage().contains("no-such-command-ferry-test"), e.getMessage());
        RemoteException abs = assertThrows(RemoteException.class, () -> h.run(ExecRequest.argv("/nonexistent/bin/x")));
        assertEquals("not_found", abs.code());
    }

    @Test
    void shellModeRunsAShellString() throws Exception {
        ExecHarness.Result r = h.run(ExecRequest.shell("echo $((6*7)) | tr 4 x; echo oops >&2; exit 5"));
        assertEquals("x2\n", r.outText());
        assertEquals("oops\n", r.errText());
        assertEquals(5, r.exit().exitCode());
    }

    @Test
    void cwdAndEnvReachTheCommand() throws Exception {
        Files.createDirectories(root.resolve("logs/today"));
        ExecHarness.Result r = h.run(ExecRequest.shell("pwd; echo \"$TZ\"; echo \"$HOME\"")
                .cwd("/logs/today").env("TZ", "UTC"));
        String[] lines = r.outText().split("\n");
        assertEquals(root.toRealPath().resolve("logs/today").toString(), lines[0]);
        assertEquals("UTC", lines[1]);
        assertEquals(root.toRealPath().toString(), lines[2]);
    }

    @Test
    void commandsSeeOnlyTheDocumentedEnvironment() throws Exception {
        ExecHarness.Result r = h.run(ExecRequest.argv("env").env("TERM", "dumb"));
        Set<String> names = new TreeSet<>();
        for (String line : r.outText().split("\n")) {
            names.add(line.substring(0, line.indexOf('=')));
        }
        Set<String> allowed = new TreeSet<>(List.of("PATH", "HOME", "FERRY_USER", "TERM"));
        allowed.addAll(ExecConfig.DEFAULT_INHERITED_ENV);
        assertTrue(allowed.containsAll(names), "leaked: " + names);
        assertTrue(names.containsAll(List.of("PATH", "HOME", "FERRY_USER", "TERM")), names.toString());
        assertTrue(r.outText().contains("FERRY_USER=anonymous\n"), r.outText());
    }

    @Test
    void stdinShorterThanAnnouncedFailsClearlyAndCancelsTheRun() throws Exception {
        ExecStats stats = h.exec.stats();
        long killedBefore = stats.killed();
        FerryClient c = h.connect();
        IOException e = assertThrows(IOException.class, () -> new ExecClient(c).run(
                ExecRequest.argv("cat").stdin(new ByteArrayInputStream(new byte[10]), 100),
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("stdin ended after 10 of the 100 bytes"), e.getMessage());
        assertTrue(c.isClosed());
        assertTrue(stats.await(stats::killed, killedBefore + 1, 20, TimeUnit.SECONDS), "cat was left waiting for stdin");
    }

    @Test
    void aLocalOutputFailureCancelsTheRemoteCommand() throws Exception {
        ExecStats stats = h.exec.stats();
        long killedBefore = stats.killed();
        FerryClient c = h.connect();
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }
        };
        IOException e = assertThrows(IOException.class,
                () -> new ExecClient(c).run(ExecRequest.argv("yes"), full, OutputStream.nullOutputStream()));
        assertEquals("disk full", e.getMessage());
        assertTrue(stats.await(stats::killed, killedBefore + 1, 20, TimeUnit.SECONDS), "yes kept running");
    }

    @Test
    void exitFrameHasTheDocumentedFields() throws Exception {
        try (FerryClient c = h.connect()) {
            Header req = Header.op("EXEC").put(Header.ID, 9L).put("argv", List.<Object>of("true"));
            c.send(req);
            Header exit = c.expect(c.readHeader(), "EXIT", 9);
            assertEquals(0L, exit.get("exitCode"));
            assertTrue(exit.get("durationMs") instanceof Long);
            assertEquals(Boolean.FALSE, exit.get("killed"));
            assertTrue(exit.has("reason"));
            assertNull(exit.get("reason"));
        }
    }

    /** Checks bytes against a pattern repeated forever, as they arrive, without keeping them. */
    static final class Expecting extends OutputStream {
        private final byte[] pattern;
        long seen;

        Expecting(byte[] pattern) {
            this.pattern = pattern;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                byte want = pattern[(int) (seen % pattern.length)];
                if (b[off + i] != want) {
                    throw new AssertionError("byte " + seen + " differs: got " + b[off + i] + ", want " + want);
                }
                seen++;
            }
        }
    }
}

package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ExecRequest;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Everything a careful operator expects to be refused is refused, with a clear code, and nothing runs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecRefusalTest {
    @TempDir
    Path root;

    private static String code(ExecHarness h, ExecRequest r) {
        RemoteException e = assertThrows(RemoteException.class, () -> h.run(r), r.toString());
        return e.code();
    }

    private static String code(FerryClient c, Header req) throws Exception {
        RemoteException e = assertThrows(RemoteException.class, () -> c.call(req), req.toString());
        return e.code();
    }

    @Test
    void disabledByDefault() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.DISABLED)) {
            try (FerryClient c = h.connect()) {
                assertFalse(((List<?>) c.hello().get("features")).contains("exec"));
            }
            RemoteException e = assertThrows(RemoteException.class, () -> h.run(ExecRequest.argv("true")));
            assertEquals("forbidden", e.code());
            assertTrue(e.getMessage().contains("disabled"), e.getMessage());
        }
    }

    @Test
    void userWithoutTheExecRightIsRefused() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> {}, s -> {}, Clock.SYSTEM,
                EnumSet.of(Right.READ, Right.WRITE, Right.DELETE))) {
            assertEquals("forbidden", code(h, ExecRequest.argv("true")));
            assertEquals(0, h.exec.stats().started());
        }
    }

    @Test
    void allowlistRefusesOtherCommandsAndPathTricks() throws Exception {
        Path marker = root.resolve("ran");
        // A user-uploaded "echo" next to the working folder, and one elsewhere: neither may run.
        for (Path p : new Path[] {root.resolve("echo"), Files.createDirectories(root.resolve("evil")).resolve("echo")}) {
            Files.writeString(p, "#!/bin/sh\ntouch " + marker + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.parse("echo,printf", false, false))) {
            assertEquals("hi\n", h.run(ExecRequest.argv("echo", "hi")).outText());
            assertEquals("forbidden", code(h, ExecRequest.argv("ls")));
            assertEquals("forbidden", code(h, ExecRequest.argv("./echo")));
            assertEquals("forbidden", code(h, ExecRequest.argv("evil/echo")));
            assertEquals("forbidden", code(h, ExecRequest.argv(root.resolve("evil/echo").toString())));
            assertEquals("forbidden", code(h, ExecRequest.argv("sh", "-c", "echo")));
            assertFalse(Files.exists(marker), "an uploaded program ran");
        }
    }

    @Test
    void shellSyntaxWithoutShellModeIsRefused() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false))) {
            RemoteException shell = assertThrows(RemoteException.class, () -> h.run(ExecRequest.shell("echo hi")));
            assertEquals("forbidden", shell.code());
            assertTrue(shell.getMessage().contains("shell mode"), shell.getMessage());
            for (String line : new String[] {"echo hi", "ls | wc -l", "true;reboot", "echo $HOME", "cat<x"}) {
                RemoteException e = assertThrows(RemoteException.class, () -> h.run(ExecRequest.argv(line)));
                assertEquals("bad_request", e.code(), line);
                assertTrue(e.getMessage().contains("shell"), e.getMessage());
            }
            assertEquals(0, h.exec.stats().started());
        }
    }

    @Test
    void envOutsideTheAllowlistIsRefused() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false))) {
            assertEquals("forbidden", code(h, ExecRequest.argv("true").env("LD_PRELOAD", "/tmp/x.so")));
            assertEquals("forbidden", code(h, ExecRequest.argv("true").env("PATH", "/tmp")));
            assertEquals("forbidden", code(h, ExecRequest.argv("true").env("MY_VAR", "1")));
            assertEquals("C\n", h.run(ExecRequest.argv("printenv", "LC_ALL").env("LC_ALL", "C")).outText());
        }
    }

    @Test
    void cwdEscapingTheUsersFolderIsRefused() throws Exception {
        Path outside = Files.createTempDirectory("ferry-outside");
        try {
            Files.createDirectories(root.resolve("alice/sub"));
            Files.createDirectories(root.resolve("bob"));
            Files.createSymbolicLink(root.resolve("alice/out"), outside);
            Files.createSymbolicLink(root.resolve("alice/bob"), root.resolve("bob"));
            try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false))) {
                try (FerryClient c = h.connect()) {
                    assertEquals("forbidden", cwdCode(c, ".."));
                    assertEquals("forbidden", cwdCode(c, "alice/../.."));
                    assertEquals("forbidden", cwdCode(c, "alice/out"), "symlink out of the root");
                    assertEquals("not_found", cwdCode(c, "nope"));
                    assertEquals("bad_request", cwdCode(c, "alice/sub/../../x\u0000"));
                    // A leading '/' is the user's own folder, never the system root.
                    assertEquals("not_found", cwdCode(c, "/etc"));
                }
            }
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void cwdIsConfinedToTheUsersHomeFolder() throws Exception {
        Files.createDirectories(root.resolve("alice/sub"));
        Files.createDirectories(root.resolve("bob"));
        Files.createSymbolicLink(root.resolve("alice/bob"), root.resolve("bob"));
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> {}, s -> s.loginRequired(true),
                Clock.SYSTEM, EnumSet.noneOf(Right.class))) {
            try (FerryClient c = h.connect()) {
                assertEquals("unauthenticated", code(c, exec("pwd")));
            }
        }
        // Log in as alice (home "alice") through a test op, as an auth service would.
        try (ExecHarness h = ExecHarness.withLogin(root, ExecPolicy.allowAll(false), "alice", "alice")) {
            try (FerryClient c = h.connect()) {
                c.call(Header.op("TESTLOGIN"));
                assertEquals(root.toRealPath().resolve("alice") + "\n", ExecHarness.run(c, ExecRequest.argv("pwd")).outText());
                assertEquals(root.toRealPath().resolve("alice/sub") + "\n",
                        ExecHarness.run(c, ExecRequest.argv("pwd").cwd("/sub")).outText());
                assertEquals("forbidden", cwdCode(c, "bob"), "a link to a sibling's folder");
                assertEquals("forbidden", cwdCode(c, ".."));
            }
        }
    }

    @Test
    void malformedRequestsAreBadRequests() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(true), b -> b.maxTimeoutMillis(1000).defaultTimeoutMillis(1000),
                s -> {}, Clock.SYSTEM, EnumSet.allOf(Right.class))) {
            try (FerryClient c = h.connect()) {
                assertEquals("bad_request", code(c, Header.op("EXEC")));
                assertEquals("bad_request", code(c, Header.op("EXEC").put("argv", List.of())));
                assertEquals("bad_request", code(c, Header.op("EXEC").put("argv", List.<Object>of(1L))));
                assertEquals("bad_request", code(c, Header.op("EXEC").put("argv", "ls")));
                assertEquals("bad_request", code(c, Header.op("EXEC").put("argv", List.<Object>of("true")).put("shell", "true")));
                assertEquals("bad_request", code(c, exec("true").put("timeoutMs", 0L)));
                assertEquals("too_large", code(c, exec("true").put("timeoutMs", 5000L)));
                assertEquals("bad_request", code(c, exec("true").put("env", Map.<String, Object>of("TZ", 1L))));
                // The connection is still fine after all that.
                assertEquals("ok\n", ExecHarness.run(c, ExecRequest.argv("echo", "ok")).outText());
            }
            assertEquals(0, h.exec.stats().running());
        }
    }

    private static Header exec(String... argv) {
        return Header.op("EXEC").put("argv", List.<Object>of((Object[]) argv));
    }

    private static String cwdCode(FerryClient c, String cwd) throws Exception {
        return code(c, exec("pwd").put("cwd", cwd));
    }


    @Test
    void everyRunAndEveryRefusalIsLoggedWithUserAddressCommandExitAndDuration() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ServerLog log = RecordingLog.messages(lines, ServerLog.Level.INFO);
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.parse("sh", false, false), b -> {}, s -> {}, Clock.SYSTEM,
                EnumSet.allOf(Right.class), s -> {}, log)) {
            h.run(ExecRequest.argv("sh", "-c", "exit 3"));
            assertThrows(RemoteException.class, () -> h.run(ExecRequest.argv("rm", "-rf", "/")));
        }
        String end = lines.stream().filter(l -> l.startsWith("exec end")).findFirst().orElseThrow(() -> new AssertionError(lines));
        assertTrue(end.matches("exec end c\\d+ anonymous@127\\.0\\.0\\.1:\\d+ \\[\"sh\",\"-c\",\"exit 3\"\\] exit=3 duration=\\d+ms.*"), end);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("exec start") && l.contains("pid=")), lines.toString());
        String refused = lines.stream().filter(l -> l.startsWith("exec refused")).findFirst().orElseThrow(() -> new AssertionError(lines));
        assertTrue(refused.contains("anonymous@127.0.0.1") && refused.contains("[\"rm\",\"-rf\",\"/\"]")
                && refused.contains("forbidden"), refused);
    }
}

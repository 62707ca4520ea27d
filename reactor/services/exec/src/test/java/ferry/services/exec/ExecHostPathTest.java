package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No exec error tells a client where the server's files are: messages name folders and commands
 * as the client wrote them (docs/SECURITY.md). Each case below used to put the real root path in
 * its ERROR, through the JDK's exception messages.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecHostPathTest {
    @TempDir
    Path root;

    @Test
    void cwdErrorsNameTheFolderAsTheClientWroteIt() throws Exception {
        Files.createSymbolicLink(root.resolve("loop"), root.resolve("loop"));
        Files.writeString(root.resolve("file.txt"), "x");
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false)); FerryClient c = h.connect()) {
            List<RemoteException> errors = new ArrayList<>();
            errors.add(refuse(c, exec("pwd").put("cwd", "loop/sub")));
            errors.add(refuse(c, exec("pwd").put("cwd", "file.txt/sub")));
            errors.add(refuse(c, exec("pwd").put("cwd", "/nope")));
            assertEquals("io_error", errors.get(0).code());
            assertEquals("bad_request", errors.get(1).code());
            assertEquals("not_found", errors.get(2).code());
            assertTrue(errors.get(0).getMessage().contains("loop/sub"), errors.get(0).getMessage());
            assertTrue(errors.get(1).getMessage().contains("file.txt/sub"), errors.get(1).getMessage());
            assertNoHostPath(errors);
        }
    }

    @Test
    void aLoggedInUsersCwdErrorsShowNeitherTheRootNorTheirFolder() throws Exception {
        Files.createDirectories(root.resolve("alice"));
        Files.createSymbolicLink(root.resolve("alice/loop"), root.resolve("alice/loop"));
        try (ExecHarness h = ExecHarness.withLogin(root, ExecPolicy.allowAll(false), "alice", "alice");
                FerryClient c = h.connect()) {
            c.call(Header.op("TESTLOGIN"));
            RemoteException e = refuse(c, exec("pwd").put("cwd", "/loop"));
            assertTrue(e.getMessage().contains("/loop"), e.getMessage());
            assertNoHostPath(List.of(e));
        }
        try (ExecHarness h = ExecHarness.withLogin(root, ExecPolicy.allowAll(false), "ghost", "ghost");
                FerryClient c = h.connect()) {
            c.call(Header.op("TESTLOGIN"));
            RemoteException e = refuse(c, exec("pwd"));
            assertEquals("not_found", e.code());
            assertNoHostPath(List.of(e));
        }
    }

    /**
     * The JDK's spawn failure names the program's path and the working folder on the server. Seen
     * where the command is started directly (no setsid: setsid itself would report on stderr).
     */
    @Test
    void spawnFailuresDoNotNameTheProgramOrTheFolderOnTheServer() throws Exception {
        Path badInterpreter = root.resolve("bad.sh");
        Files.writeString(badInterpreter, "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(badInterpreter, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(root.resolve("sub"));
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> b.processGroups(false), s -> {},
                Clock.SYSTEM, EnumSet.allOf(Right.class)); FerryClient c = h.connect()) {
            List<RemoteException> errors = new ArrayList<>();
            errors.add(refuse(c, exec("./bad.sh")));
            errors.add(refuse(c, exec("../bad.sh").put("cwd", "sub")));
            errors.add(refuse(c, exec("no-such-command-ferry-test")));
            errors.add(refuse(c, exec("./missing")));
            for (RemoteException e : errors) {
                assertEquals("not_found", e.code(), e.getMessage());
            }
            assertTrue(errors.get(0).getMessage().contains("./bad.sh") && errors.get(0).getMessage().contains("No such file"),
                    errors.get(0).getMessage());
            assertNoHostPath(errors);
        }
    }

    @Test
    void scrubTurnsServerPathsIntoTheClientsForm() throws Exception {
        Files.createDirectories(root.resolve("alice/logs"));
        String real = root.toRealPath().toString();
        assertEquals("cannot open /logs: x", WorkingFolder.scrub("cannot open " + real + "/alice/logs: x", root, "alice"));
        assertEquals("in / and (server root)/bob", WorkingFolder.scrub("in " + real + "/alice and " + real + "/bob", root, "/alice"));
        assertEquals("in /", WorkingFolder.scrub("in " + real, root, null));
        assertEquals("/usr/bin/x", WorkingFolder.scrub("/usr/bin/x", Path.of("/"), null), "a root of / hides nothing");
    }

    private void assertNoHostPath(List<RemoteException> errors) throws Exception {
        List<String> forms = List.of(root.toString(), root.toRealPath().toString(), root.getFileName().toString());
        for (RemoteException e : errors) {
            for (String form : forms) {
                assertFalse(e.getMessage().contains(form), "the server's path " + form + " leaked: " + e.getMessage());
            }
        }
    }

    private static Header exec(String... argv) {
        return Header.op("EXEC").put("argv", List.<Object>of((Object[]) argv));
    }

    private static RemoteException refuse(FerryClient c, Header req) {
        return assertThrows(RemoteException.class, () -> c.call(req), req.toString());
    }
}

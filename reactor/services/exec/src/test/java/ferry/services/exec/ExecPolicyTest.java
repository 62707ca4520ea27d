package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.OpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allowlist rule, without sockets: names, absolute paths, PATH tricks, multi-call binaries. */
class ExecPolicyTest {
    @TempDir
    Path tmp;
    Path bin;
    Path user;
    List<Path> searchPath;

    @BeforeEach
    void layout() throws Exception {
        bin = Files.createDirectories(tmp.resolve("bin"));
        user = Files.createDirectories(tmp.resolve("user"));
        exe(bin.resolve("ls"));
        exe(bin.resolve("df"));
        exe(bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("uptime"), bin.resolve("busybox"));
        Files.write(bin.resolve("notexec"), new byte[0]);
        Files.createSymbolicLink(tmp.resolve("binlink"), bin); // like /bin -> /usr/bin
        exe(user.resolve("ls")); // a user-uploaded "ls"
        exe(Files.createDirectories(tmp.resolve("evil")).resolve("ls"));
        searchPath = List.of(tmp.resolve("empty"), bin);
    }

    private static void exe(Path p) throws Exception {
        Files.write(p, "#!/bin/sh\n".getBytes());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path resolve(ExecPolicy p, String argv0) throws OpException {
        return p.resolve(argv0, searchPath, user);
    }

    private static String code(ThrowingRunnable r) {
        try {
            r.run();
        } catch (OpException e) {
            return e.code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return "allowed";
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void parseFlags() {
        assertSame(ExecPolicy.DISABLED, ExecPolicy.parse(null, false, false));
        assertFalse(ExecPolicy.DISABLED.enabled());
        ExecPolicy p = ExecPolicy.parse(" ls, df ,/opt/tools/backup", false, false);
        assertEquals(ExecPolicy.Mode.ALLOWLIST, p.mode());
        assertEquals(Set.of("ls", "df"), p.names());
        assertEquals(Set.of(Path.of("/opt/tools/backup")), p.paths());
        assertEquals(ExecPolicy.Mode.ALLOW_ALL, ExecPolicy.parse(null, true, true).mode());
        assertTrue(ExecPolicy.parse(null, true, true).allowsShell());
    }

    @Test
    void badFlagsAreRefusedWithAReason() {
        for (String bad : new String[] {"ls,,df", "", "./ls", "bin/ls", "/opt/../bin/ls", "/opt/tools/", "l s", "-rf", ".."}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExecPolicy.parse(bad, false, false), bad);
            assertFalse(e.getMessage().isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> ExecPolicy.parse("ls", true, false));
        IllegalArgumentException shell = assertThrows(IllegalArgumentException.class, () -> ExecPolicy.parse("ls", false, true));
        assertTrue(shell.getMessage().contains("--exec-allow-all"), shell.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExecPolicy.parse(null, false, true));
    }

    @Test
    void bareNamesResolveOnTheServersSearchPathOnly() throws Exception {
        ExecPolicy p = ExecPolicy.parse("ls,df", false, false);
        assertEquals(bin.resolve("ls"), resolve(p, "ls"));
        assertEquals("forbidden", code(() -> resolve(p, "rm")));
        assertEquals("forbidden", code(() -> resolve(p, "uptime")));
    }

    @Test
    void pathTricksAreRefused() throws Exception {
        ExecPolicy p = ExecPolicy.parse("ls", false, false);
        assertEquals("forbidden", code(() -> resolve(p, "./ls")), "a file the user uploaded next to them");
        assertEquals("forbidden", code(() -> resolve(p, "sub/../ls")));
        assertEquals("forbidden", code(() -> resolve(p, tmp.resolve("evil/ls").toString())), "same basename elsewhere");
        assertEquals("forbidden", code(() -> resolve(p, user.resolve("ls").toString())));
    }

    @Test
    void theSameFileByAbsolutePathIsAllowedAlsoThroughAFolderLink() throws Exception {
        ExecPolicy p = ExecPolicy.parse("ls", false, false);
        assertEquals("allowed", code(() -> resolve(p, bin.resolve("ls").toString())));
        assertEquals("allowed", code(() -> resolve(p, tmp.resolve("binlink/ls").toString())));
    }

    @Test
    void multiCallBinariesAreMatchedByTheirNameNotTheirTarget() throws Exception {
        ExecPolicy p = ExecPolicy.parse("uptime", false, false);
        assertEquals(bin.resolve("uptime"), resolve(p, "uptime"));
        // sh -> busybox like uptime -> busybox, but busybox acts on its name: sh must stay refused.
        assertEquals("forbidden", code(() -> resolve(p, bin.resolve("sh").toString())));
        assertEquals("forbidden", code(() -> resolve(p, bin.resolve("busybox").toString())));
    }

    @Test
    void absoluteEntriesMatchByPathAndByTheirBasenameOnTheSearchPath() throws Exception {
        ExecPolicy p = ExecPolicy.parse(bin.resolve("df").toString(), false, false);
        assertEquals("allowed", code(() -> resolve(p, bin.resolve("df").toString())));
        assertEquals(bin.resolve("df"), resolve(p, "df"));
        assertEquals("forbidden", code(() -> resolve(p, "ls")));
    }

    @Test
    void missingCommandsAreNotFound() throws Exception {
        ExecPolicy listed = ExecPolicy.parse("ghost,notexec", false, false);
        assertEquals("not_found", code(() -> resolve(listed, "ghost")));
        assertEquals("not_found", code(() -> resolve(listed, "notexec")), "not executable is not a command");
        ExecPolicy all = ExecPolicy.allowAll(false);
        assertEquals("not_found", code(() -> resolve(all, "ghost")));
        assertEquals(user.resolve("ls"), resolve(all, "./ls"), "allow-all: relative to the working folder");
    }

    @Test
    void disabledRefusesEverything() {
        assertEquals("forbidden", code(() -> ExecPolicy.DISABLED.precheck("ls")));
    }

    @Test
    void configRefusesDangerousEnvAllowlists() {
        ExecConfig.Builder b = ExecConfig.builder(tmp);
        for (String bad : new String[] {"PATH", "LD_PRELOAD", "ld_library_path", "BASH_ENV", "GLIBC_TUNABLES", "A-B", "1X"}) {
            assertThrows(IllegalArgumentException.class, () -> b.envAllow(List.of(bad)), bad);
        }
        assertEquals(Set.of("MY_VAR"), b.envAllow(List.of("MY_VAR")).build().envAllow());
        assertThrows(IllegalArgumentException.class, () -> ExecConfig.builder(tmp).searchPath("bin:/usr/bin"));
        assertThrows(IllegalArgumentException.class, () -> ExecConfig.builder(tmp).defaultTimeoutMillis(10).maxTimeoutMillis(5).build());
    }
}

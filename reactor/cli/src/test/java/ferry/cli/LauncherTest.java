package ferry.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ferry} command as users run it: through {@code bin/ferry}, in a subprocess. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LauncherTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(Launcher.Result r, int status, String line) {
        assertEquals(status, r.status(), r.err());
        assertEquals(List.of(line), r.errLines(), "exactly one line on stderr");
        assertEquals("", r.out());
    }

    @Test
    void helpAndVersionWorkFromAnyFolder() throws Exception {
        Launcher.Result root = Launcher.run(dir, "--help");
        assertEquals(0, root.status(), root.err());
        assertTrue(root.out().startsWith("usage: ferry [OPTIONS] COMMAND [ARGS]\n"), root.out());
        for (String cmd : new String[] {"serve", "get", "put", "cp", "ls", "stat", "rm", "mkdir", "mv", "exec", "ping",
                "info", "speed", "shell", "user", "demo", "help"}) {
            assertTrue(root.out().contains("\n  " + cmd + " "), cmd);
        }
        assertEquals("", root.err());

        Launcher.Result serve = Launcher.run(dir, "serve", "-h");
        assertEquals(0, serve.status());
        String flat = serve.out().replaceAll("\\s+", " ");
        for (String expected : new String[] {"--root DIR", "--listen HOST:PORT", "--config FILE", "--exec-allow CMD,...",
                "--anonymous-read", "--config-dir DIR", "--[no-]demo-user", "--login-delay DURATION", "--workers N", "--max-connections-per-address N", "--idle-timeout DURATION",
                "--high-water SIZE", "--[no-]tcp-nodelay", "--[no-]zero-copy", "(default 127.0.0.1:7373)",
                "(default 8)", "(default 5m)", "(default 64k)"}) {
            assertTrue(flat.contains(expected), "serve --help shows " + expected);
        }
        Launcher.Result sticky = Launcher.run(dir, "demo", "sticky", "--help");
        assertTrue(sticky.out().startsWith("usage: ferry demo sticky [OPTIONS]"), sticky.out());

        Launcher.Result version = Launcher.run(dir, "--version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("ferry 0\\.1\\.0 \\(protocol 1\\.0, java .*\\)\n"), version.out());
    }

    @Test
    void worksThroughASymlink() throws Exception {
        Path link = dir.resolve("ferry");
        Files.createSymbolicLink(link, Launcher.script());
        ProcessBuilder pb = Launcher.builder(dir, Map.of(), List.of("--version"));
        pb.command().set(0, link.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.startsWith("ferry 0.1.0"), out);
    }

    @Test
    void usageErrorsExit2WithOneLine() throws Exception {
        assertOneLineError(Launcher.run(dir, "serve", "--wokers", "3"), 2,
                "ferry serve: unknown option '--wokers' (did you mean '--workers'?)");
        assertOneLineError(Launcher.run(dir, "pnig"), 2, "ferry: unknown command 'pnig' (did you mean 'ping'?)");
        assertOneLineError(Launcher.run(dir, "ping", "-c"), 2, "ferry ping: option '-c' needs a value (N)");
        assertOneLineError(Launcher.run(dir, "serve", "--idle-timeout", "30"), 2,
                "ferry serve: invalid value for --idle-timeout: '30' needs a unit (ms, s, m, h or d), e.g. 30s");
        Files.writeString(dir.resolve("bad.conf"), "workers = 4\nwrokers = 5\n");
        assertOneLineError(Launcher.run(dir, "serve", "--config", "bad.conf"), 2,
                "ferry serve: bad.conf:2: unknown key 'wrokers' (did you mean 'workers'?)");
    }

    @Test
    void unreachableServerExits1WithOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertOneLineError(Launcher.run(dir, "ping", "127.0.0.1:" + port), 1,
                "ferry ping: cannot connect to 127.0.0.1:" + port + ": connection refused");
        assertOneLineError(Launcher.run(dir, "info", "--connect-timeout", "2s", "ferry://127.0.0.1:" + port), 1,
                "ferry info: cannot connect to 127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void serveOnPort0ThenClientsThenGracefulStopOnSigterm() throws Exception {
        try (Launcher.Server server = Launcher.Server.start(dir, "--root", "files", "--workers", "2")) {
            assertEquals(dir.resolve("files").toRealPath(), server.root.toRealPath(), "relative root, made absolute");
            assertTrue(Files.isDirectory(dir.resolve("files")), "root created");
            assertTrue(server.port > 0);

            Launcher.Result ping = Launcher.run(dir, "ping", "-c", "2", "-i", "0", server.host());
            assertEquals(0, ping.status(), ping.err());
            assertTrue(ping.out().contains("2 sent, 2 received, 0% lost"), ping.out());
            assertEquals("", ping.err());

            Launcher.Result info = Launcher.run(dir, "info", server.host());
            assertEquals(0, info.status(), info.err());
            assertTrue(info.out().startsWith("server      ferry 0.1.0\naddress     " + server.host() + "\n"), info.out());

            // Not a terminal: no progress bar at all, only the result line; even if the
            // environment claims a terminal, the launcher's own [ -t 1 ] test decides.
            Launcher.Result speed = Launcher.run(dir, "", Map.of("FERRY_STDOUT_TTY", "1"),
                    "speed", "--size", "2m", server.host());
            assertEquals(0, speed.status(), speed.err());
            assertFalse(speed.out().contains("\r"), "no redraws into a pipe");
            assertFalse(speed.out().contains("%"), "no progress into a pipe");
            assertEquals(1, speed.out().split("\n").length, speed.out());
            assertTrue(speed.out().startsWith("2.0 MiB echoed by " + server.host()), speed.out());

            Launcher.Result shell = Launcher.run(dir, "ping\ninfo\nbogus\nhistory\n!1\nquit\n", Map.of(),
                    "shell", server.host());
            assertEquals(1, shell.status(), "one failed line in a script: " + shell.err());
            assertEquals(2, shell.out().split("pong from " + server.host(), -1).length - 1, shell.out());
            assertTrue(shell.out().contains("features    ping"), shell.out());
            assertTrue(shell.out().contains("    3  bogus\n"), shell.out());
            assertEquals(List.of("ferry shell: line 3: unknown command 'bogus' (type 'help' for the commands)"),
                    shell.errLines());

            assertEquals(0, server.terminate(), "a requested, completed stop exits 0");
            String log = server.log();
            assertTrue(log.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT[^ ]+Z INFO  c1 127\\.0\\.0\\.1:\\d+ open\n.*"), log);
            assertTrue(log.contains("INFO  stopping (signal received)"), log);
            assertTrue(log.contains("INFO  stopped {"), log);
        }
    }

    @Test
    void serveReportsABusyPortAsAFailure() throws Exception {
        try (Launcher.Server first = Launcher.Server.start(dir, "--root", "a", "--quiet")) {
            Launcher.Result second = Launcher.run(dir, "serve", "--root", "b", "--create-root", "--listen",
                    first.host());
            assertEquals(1, second.status(), second.err());
            // the log of the start-up so far (the login service loading its users), then the error
            List<String> notLog = second.errLines().stream().filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z .*")).toList();
            assertEquals(1, notLog.size(), second.err());
            assertTrue(notLog.get(0).startsWith("ferry serve: cannot listen on " + first.host() + ": "), second.err());
            assertTrue(second.err().contains("choose another port with --listen"), second.err());
            assertEquals("", first.log(), "--quiet: no info lines");
        }
    }

    @Test
    void printConfigThroughTheLauncher() throws Exception {
        Files.writeString(dir.resolve("ferry.conf"), "workers = 3\nidle-timeout = 90s\n");
        Launcher.Result r = Launcher.run(dir, "serve", "--config", "ferry.conf", "--workers", "5", "--print-config");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\nworkers = 5\n"), "flag wins: " + r.out());
        assertTrue(r.out().contains("\nidle-timeout = 1m30s\n"), "file wins over default: " + r.out());
    }

    @Test
    void demoStickyShowsGlueCutsAndIntactFrames() throws Exception {
        Launcher.Result r = Launcher.run(dir, "demo", "sticky");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("recv(1024) -> 11 bytes: \"ls -lwhoami\""), out);
        assertTrue(out.contains("recv(1024) -> 1024 bytes, ending in the middle of a line"), out);
        assertTrue(out.contains("recv(1024) -> 7 bytes: \"get vid\""), out);
        assertTrue(out.indexOf("message 1 complete") < out.indexOf("message 4 complete: 13 bytes \"get video.mp4\", intact"));
        assertTrue(out.contains("4 messages sent, 4 received, every one intact and in order"), out);
    }

    @Test
    void progressBarDrawsOnARealTerminal() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "util-linux 'script' is needed to fake a terminal");
        try (Launcher.Server server = Launcher.Server.start(dir, "--root", "t", "--quiet")) {
            String cmd = Launcher.script() + " speed --size 8m --chunk 4k " + server.host();
            ProcessBuilder pb = Launcher.builder(dir, Map.of("COLUMNS", "100"), List.of());
            pb.command(List.of(script.toString(), "-qec", cmd, "/dev/null"));
            Process p = pb.redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("\r"), "redrawn in place on a terminal: " + out);
            assertTrue(out.contains("echo " + server.host()), out);
            assertTrue(out.matches("(?s).*\\d+% \\[[=> ]+\\] .*"), "a bar with a percentage: " + out);
            assertTrue(out.contains("8.0 MiB echoed by"), out);
        }
    }
}

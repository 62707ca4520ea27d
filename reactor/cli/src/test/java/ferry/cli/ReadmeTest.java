package ferry.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise, checked the way a newcomer meets it: clone the repository (its committed
 * HEAD) into an empty folder, run {@code make run} there (which builds with plain {@code mvn}
 * from the local Maven cache, then serves ./data), wait for the "listening on" line, ping the
 * server with the clone's own {@code bin/ferry} (the packaged jar, not this build's classes),
 * check the demo user it created (password printed once, saved owner-only in ./config, outside
 * the served ./data) and that {@code bin/ferry shell} from the clone logs in with it by itself,
 * then stop it with SIGTERM and check it exits cleanly.
 *
 * <p>{@code make run PORT=0} keeps it off the default port. It takes as long as a build (tens of
 * seconds); skip it with {@code mvn verify -Dsurefire.excludedGroups=readme}. It is skipped, with
 * a reason, where git, make or mvn is missing or the tree is not a git checkout.
 */
@Tag("readme")
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class ReadmeTest {
    @TempDir
    Path dir;

    @Test
    void makeRunWorksFromACleanClone() throws Exception {
        Path repo = Launcher.repoRoot();
        for (String tool : new String[] {"git", "make", "mvn"}) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
        }
        Assumptions.assumeTrue(sh(repo, "git", "rev-parse", "--verify", "HEAD") == 0, repo + " is not a git checkout");
        Path clone = dir.resolve("ferry");
        assertEquals(0, sh(dir, "git", "clone", "--quiet", repo.toString(), clone.toString()), "git clone");
        assertFalse(Files.exists(clone.resolve("reactor/cli/target")), "a clean clone has no build output");

        Path makeLog = dir.resolve("make-stderr.log");
        ProcessBuilder pb = new ProcessBuilder("make", "run", "PORT=0").directory(clone.toFile())
                .redirectError(makeLog.toFile());
        pb.environment().remove("FERRY_CLASSPATH");
        pb.environment().remove("MAKEFLAGS");
        Process make = pb.start();
        make.getOutputStream().close();
        try {
            List<String> before = new ArrayList<>();
            int port = awaitListening(make, clone, makeLog, before);
            assertTrue(before.stream().anyMatch(l -> l.startsWith("created demo user \"demo\" with password ")),
                    "the demo password, printed once: " + before);
            Path demoFile = clone.resolve("config/demo-credentials");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(demoFile)));
            assertFalse(demoFile.toRealPath().startsWith(clone.resolve("data").toRealPath()), "outside the served root");
            Path launcher = clone.resolve("bin/ferry");
            ProcessBuilder ping = new ProcessBuilder(launcher.toString(), "ping", "-c", "1", "127.0.0.1:" + port)
                    .directory(dir.toFile()).redirectErrorStream(true);
            ping.environment().remove("FERRY_CLASSPATH");
            Process p = ping.start();
            String pingOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(Launcher.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), pingOut);
            assertTrue(pingOut.contains("1 sent, 1 received, 0% lost"), pingOut);

            // make run requires login (it has a user now); the shell finds ./config/demo-credentials itself
            ProcessBuilder shell = new ProcessBuilder(launcher.toString(), "shell", "127.0.0.1:" + port)
                    .directory(clone.toFile()).redirectErrorStream(true);
            shell.environment().remove("FERRY_CLASSPATH");
            shell.environment().remove("FERRY_CONFIG");
            shell.environment().put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
            Process sh = shell.start();
            try (var in = sh.getOutputStream()) {
                in.write("info\nwhoami\n".getBytes(StandardCharsets.UTF_8));
            }
            String shellOut = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(sh.waitFor(Launcher.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, sh.exitValue(), shellOut);
            assertTrue(shellOut.contains("login       required\n"), shellOut);
            assertTrue(shellOut.contains("demo (rights read, write, delete; home /)\n"), shellOut);

            // Ctrl-C in a terminal signals the whole process group; here, signal the server itself.
            ProcessHandle server = serverProcess(make).orElseThrow(() -> new AssertionError("no java under make"));
            assertTrue(server.destroy(), "SIGTERM sent");
            assertTrue(make.waitFor(Launcher.WAIT_SECONDS, TimeUnit.SECONDS), "make run ends after SIGTERM");
            String log = Files.readString(makeLog);
            assertEquals(0, make.exitValue(), "graceful stop, make sees success: " + log);
            assertTrue(log.contains("INFO  stopped {"), log);
            assertTrue(Files.isDirectory(clone.resolve("data")), "make run serves ./data");
        } finally {
            make.descendants().forEach(ProcessHandle::destroyForcibly);
            make.destroyForcibly();
        }
    }

    /** Reads make's stdout (build chatter, the recipe line) up to serve's "listening on" line. */
    private static int awaitListening(Process make, Path clone, Path makeLog, List<String> seen) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(make.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            Matcher m = Launcher.LISTENING.matcher(line);
            if (m.matches()) {
                assertEquals("127.0.0.1", m.group(1));
                assertEquals(clone.resolve("data").toRealPath(), Path.of(m.group(3)).toRealPath());
                return Integer.parseInt(m.group(2));
            }
            seen.add(line);
        }
        fail("make run ended without a listening line; stdout: " + seen + "; stderr: " + Files.readString(makeLog));
        return -1;
    }

    /** The JVM that bin/ferry exec'd, somewhere under make. */
    private static Optional<ProcessHandle> serverProcess(Process make) {
        return make.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false))
                .findFirst();
    }

    private static boolean onPath(String tool) throws Exception {
        return sh(Path.of("."), "sh", "-c", "command -v " + tool + " >/dev/null") == 0;
    }

    private static int sh(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(Launcher.WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}

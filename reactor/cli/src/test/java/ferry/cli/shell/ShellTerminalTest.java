package ferry.cli.shell;

import static org.junit.jupiter.api.Assertions.*;

import ferry.cli.Launcher;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ferry shell} at a real (pseudo-)terminal: util-linux {@code script} runs it on a pty,
 * so the launcher sees a terminal, the line editor switches it with stty, and the keys typed are
 * the bytes a terminal sends. Skipped where {@code script} is missing.
 */
public class ShellTerminalTest {
    static final long DEADLINE_SECONDS = 60;
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    @Test
    void upArrowRecallsTabCompletesAndCtrlCDropsTheLine(@TempDir Path cwd) throws Exception {
        Path script = onPath("script");
        Assumptions.assumeTrue(script != null,
                "util-linux 'script' is not installed: cannot run bin/ferry shell on a pseudo-terminal");
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
        Process p = null;
        try {
            String host = "127.0.0.1:" + server.port();
            ProcessBuilder pb = Launcher.builder(cwd, Map.of("TERM", "xterm"), List.of());
            pb.command(script.toString(), "-q", "-e", "-c", quote(Launcher.script().toString()) + " shell " + host,
                    "/dev/null").redirectErrorStream(true);
            p = pb.start();
            StringBuffer screen = new StringBuffer();
            Thread reader = drain(p.getInputStream(), screen);
            OutputStream keys = p.getOutputStream();
            String prompt = "ferry " + host + ":/> ";
            awaitCount(screen, prompt, 1);
            type(keys, "ping\r");
            awaitCount(screen, "pong from " + host, 1);
            awaitCount(screen, prompt, 2);
            type(keys, "\u001b[A\r"); // Up, Enter
            awaitCount(screen, "pong from " + host, 2);
            awaitCount(screen, prompt, 3);
            type(keys, "pi\t\r"); // Tab completes "pi" to "ping "
            awaitCount(screen, "pong from " + host, 3);
            type(keys, "bogus\u0003ping\r"); // Ctrl-C drops the line, the shell goes on
            awaitCount(screen, "pong from " + host, 4);
            type(keys, "quit\r");
            assertTrue(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "the shell did not quit: " + screen);
            reader.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            assertEquals(0, p.exitValue(), screen.toString());
            assertFalse(screen.toString().contains("unknown command"), screen.toString());
            assertTrue(screen.toString().contains("\r" + prompt + "ping\u001b[K"), "Up redrew the recalled line: " + screen);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            server.stop();
        }
    }

    private static void type(OutputStream keys, String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Waits (polling, generous deadline) until {@code part} appears {@code n} times on the screen. */
    private static void awaitCount(StringBuffer screen, String part, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (count(screen.toString(), part) < n) {
            if (System.nanoTime() > deadline || screen.toString().contains("unknown command")) {
                fail("waited " + DEADLINE_SECONDS + " s for " + n + "× '" + part + "'; the screen: " + screen);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static Thread drain(InputStream in, StringBuffer into) {
        Thread t = new Thread(() -> {
            byte[] b = new byte[4096];
            try {
                for (int n; (n = in.read(b)) > 0; ) {
                    into.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "pty-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}

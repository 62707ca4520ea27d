package ferry.cli;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Header;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real launcher, {@code bin/ferry}, as a subprocess. It sets {@code FERRY_CLASSPATH}
 * to this build's compiled classes so the script runs the code under test without packaging (the
 * README test covers the packaged jar); everything else — argument passing, the TTY hints, the
 * exit status — is the script's own.
 */
public final class Launcher {
    static final long WAIT_SECONDS = 60;
    /** How often {@link Server#awaitLog} reads the log file again. */
    static final long LOG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final Pattern LISTENING = Pattern.compile("^ferry \\S+ listening on (\\S+):(\\d+), root (.+)$");

    public record Result(int status, String out, String err) {
        /** The lines of stderr. */
        public List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private Launcher() {}

    /** The repository's top folder (where bin/ferry lives), found from the working folder up. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("bin/ferry"))) {
            p = p.getParent();
        }
        assertNotNull(p, "bin/ferry not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    public static Path script() {
        return repoRoot().resolve("bin/ferry");
    }

    /** The compiled classes of the CLI and every module under it (not the test classes), as a class path. */
    static String classPath() {
        List<String> parts = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Main.class, ferry.client.FerryClient.class,
                ferry.services.file.FileService.class, ferry.services.auth.AuthService.class,
                ferry.services.exec.ExecService.class, ferry.services.metrics.ServerMetrics.class,
                ferry.reactor.FerryServer.class, Header.class}) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    public static ProcessBuilder builder(Path cwd, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script().toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("COLUMNS");
        pb.environment().put("FERRY_CLASSPATH", classPath());
        pb.environment().put("FERRY_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto");
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs {@code bin/ferry args} to completion with {@code stdin}, capturing both outputs. */
    public static Result run(Path cwd, String stdin, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile("ferry-out", ".txt");
        Path err = Files.createTempFile("ferry-err", ".txt");
        try {
            Process p = builder(cwd, env, List.of(args))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the command exited without reading its input
            }
            if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("bin/ferry " + String.join(" ", args) + " did not finish in " + WAIT_SECONDS + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result run(Path cwd, String... args) throws Exception {
        return run(cwd, "", Map.of(), args);
    }

    /** A {@code ferry serve} running in the background; stderr (the log) goes to a file. */
    public static final class Server implements AutoCloseable {
        public final Process process;
        public final int port;
        public final Path root;
        public final Path log;
        public final String listeningLine;
        /** What serve printed on stdout before the listening line (the demo user's line). */
        public final List<String> before;

        private Server(Process process, int port, Path root, Path log, String line, List<String> before) {
            this.process = process;
            this.port = port;
            this.root = root;
            this.log = log;
            this.listeningLine = line;
            this.before = before;
        }

        /**
         * Starts {@code serve --listen 127.0.0.1:0 --create-root args} (the tests' roots are new
         * folders) and waits for its "listening on" line.
         */
        public static Server start(Path cwd, String... args) throws Exception {
            Path log = Files.createTempFile(cwd, "serve", ".log");
            List<String> all = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--create-root"));
            all.addAll(List.of(args));
            Process p = builder(cwd, Map.of(), all).redirectErrorStream(false)
                    .redirectError(log.toFile()).start();
            p.getOutputStream().close();
            return awaitListening(p, log);
        }

        /** Reads {@code p}'s stdout up to the "listening on" line (the last line serve prints there). */
        static Server awaitListening(Process p, Path log) throws IOException {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> before = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.matches()) {
                    return new Server(p, Integer.parseInt(m.group(2)), Path.of(m.group(3)), log, line, before);
                }
                before.add(line);
            }
            fail("serve exited (" + waitQuietly(p) + ") without a listening line; log: " + Files.readString(log));
            return null;
        }

        public String host() {
            return "127.0.0.1:" + port;
        }

        /** Sends SIGTERM and returns the exit status. */
        public int terminate() throws InterruptedException {
            process.destroy(); // SIGTERM on Unix
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("serve did not stop within " + WAIT_SECONDS + " s of SIGTERM");
            }
            return process.exitValue();
        }

        public String log() throws IOException {
            return Files.readString(log);
        }

        /**
         * The log once it holds {@code fragment} (serve writes its log on a thread of its own, so
         * a line logged just before "listening on" may reach the file after it), or as it is
         * after {@link #WAIT_SECONDS}.
         */
        public String awaitLog(String fragment) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            String text = log();
            while (!text.contains(fragment) && System.nanoTime() < deadline && process.isAlive()) {
                LockSupport.parkNanos(LOG_POLL_NANOS);
                text = log();
            }
            return text;
        }

        /** Fails unless the log comes to hold {@code fragment} within {@link #WAIT_SECONDS}. */
        public void assertLogged(String fragment) throws IOException {
            String text = awaitLog(fragment);
            assertTrue(text.contains(fragment), "log lacks '" + fragment + "': " + text);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static String waitQuietly(Process p) {
        try {
            return p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) ? "status " + p.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

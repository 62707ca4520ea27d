package ferry.cli.transfer;

import ferry.cli.CliRunner;
import ferry.cli.Launcher;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FileClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file and exec commands as users run them, through {@code bin/ferry} in subprocesses,
 * against two {@code ferry serve} processes on port 0: A with a user (login required, exec of
 * {@code sh} allowed), B without users (anonymous on loopback). Small files only; the in-process
 * TransferCommandsTest covers the finer semantics.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class TransferLauncherTest {
    private static final String PASSWORD = "alice-password";

    @TempDir
    static Path dir;
    private static Launcher.Server a;
    private static Launcher.Server b;
    private static String hostA;
    private static String hostB;

    @BeforeAll
    static void startServers() throws Exception {
        CliRunner.Result add = CliRunner.run(PASSWORD + "\n", Map.of(), "user", "add", "alice", "--rights", "all",
                "--password-stdin", "--iterations", "4096", "--config-dir", dir.resolve("cfg-a").toString());
        assertEquals(0, add.status(), add.err());
        a = Launcher.Server.start(dir, "--root", "a", "--config-dir", "cfg-a", "--exec-allow", "sh", "--quiet");
        b = Launcher.Server.start(dir, "--root", "b", "--config-dir", "cfg-b", "--quiet");
        hostA = "alice@" + a.host();
        hostB = b.host();
    }

    @AfterAll
    static void stopServers() {
        a.close();
        b.close();
    }

    /** alice's password (her name comes with each remote), no credentials from this machine. */
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        env.put("FERRY_CONFIG", dir.resolve("no-config").toString());
        env.put("FERRY_PASSWORD", PASSWORD);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static Launcher.Result ferry(Path cwd, String... args) throws Exception {
        return Launcher.run(cwd, "", env(), args);
    }

    private static void ok(Launcher.Result r) {
        assertEquals(0, r.status(), "stderr: " + r.err());
        assertEquals("", r.err());
    }

    private static void oneLine(Launcher.Result r, int status, String line) {
        assertEquals(status, r.status(), r.err());
        assertEquals(List.of(line), r.errLines(), "exactly one line on stderr");
        assertEquals("", r.out());
    }

    private static byte[] random(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void putAndGetRoundTripFilesAndTreesByteExactAndSilentIntoAPipe() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w1"));
        byte[] bytes = random(700_000, 1);
        Files.write(work.resolve("video.bin"), bytes);
        Files.createDirectories(work.resolve("tree/sub"));
        Files.write(work.resolve("tree/sub/s.bin"), random(5_000, 2));
        Files.writeString(work.resolve("tree/t.txt"), "text\n");
        Files.write(work.resolve("tree/empty.bin"), new byte[0]);
        Files.setLastModifiedTime(work.resolve("tree/t.txt"), FileTime.fromMillis(1_650_000_000_000L));

        // the environment claims a terminal; the launcher's own [ -t 1 ] decides it is not one
        Launcher.Result put = Launcher.run(work, "", env("FERRY_STDOUT_TTY", "1"), "put", "video.bin", hostA + ":/");
        ok(put);
        assertEquals("", put.out(), "no progress bar, no summary into a pipe");
        assertArrayEquals(bytes, Files.readAllBytes(a.root.resolve("video.bin")));
        ok(ferry(work, "put", "-r", "tree", hostA + ":/"));

        Path back = Files.createDirectories(dir.resolve("w1-back"));
        Launcher.Result get = ferry(back, "get", hostA + ":/video.bin");
        ok(get);
        assertEquals("", get.out());
        assertArrayEquals(bytes, Files.readAllBytes(back.resolve("video.bin")));
        ok(ferry(back, "get", "-r", hostA + ":/tree", "copy"));
        for (String f : List.of("sub/s.bin", "t.txt", "empty.bin")) {
            assertArrayEquals(Files.readAllBytes(work.resolve("tree/" + f)), Files.readAllBytes(back.resolve("copy/" + f)), f);
        }
        assertEquals(1_650_000_000_000L, Files.getLastModifiedTime(back.resolve("copy/t.txt")).toMillis(), "mtime kept");
        try (Stream<Path> s = Files.walk(back)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(FileClient.PARTIAL_SUFFIX)), "no partial left");
        }
    }

    @Test
    void lsStatMkdirMvAndRmOnTheServer() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w2"));
        byte[] bytes = "some notes\n".getBytes();
        Files.createDirectories(a.root.resolve("m"));
        Files.write(a.root.resolve("m/notes.txt"), bytes);

        ok(ferry(work, "mkdir", "-p", hostA + ":/m/x/y"));
        assertTrue(Files.isDirectory(a.root.resolve("m/x/y")));
        ok(ferry(work, "mv", hostA + ":/m/notes.txt", "/m/x/"));
        assertArrayEquals(bytes, Files.readAllBytes(a.root.resolve("m/x/notes.txt")));

        Launcher.Result ls = ferry(work, "ls", "-l", hostA + ":/m/x");
        ok(ls);
        assertTrue(ls.out().matches("-  +11  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  notes\\.txt\nd  +\\d+  [^\n]+  y/\n"), ls.out());

        Launcher.Result stat = ferry(work, "stat", "-c", hostA + ":/m/x/notes.txt");
        ok(stat);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertTrue(stat.out().contains("\ntype        file\nsize        11 bytes\n"), stat.out());
        assertTrue(stat.out().endsWith("\nsha-256     " + sha + "\n"), stat.out());

        ok(ferry(work, "rm", "-r", hostA + ":/m"));
        assertFalse(Files.exists(a.root.resolve("m")));
    }

    @Test
    void cpCopiesBetweenTwoServersThroughTheClient() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w3"));
        byte[] bytes = random(400_000, 3);
        Files.write(a.root.resolve("shared.bin"), bytes);
        ok(ferry(work, "cp", hostA + ":/shared.bin", hostB + ":/from-a.bin"));
        assertArrayEquals(bytes, Files.readAllBytes(b.root.resolve("from-a.bin")));
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(0, s.count(), "no local copy");
        }
    }

    @Test
    void execPassesTheExitStatusAndKeepsStdoutAndStderrApart() throws Exception {
        Launcher.Result r = ferry(dir, "exec", hostA, "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
    }

    @Test
    void failuresExitWithOneClearLine() throws Exception {
        Files.writeString(a.root.resolve("here.txt"), "here");
        String portA = a.host();
        oneLine(ferry(dir, "get", hostA + ":/missing.bin"), 1,
                "ferry get: " + portA + ": no such file or folder: missing.bin");
        oneLine(Launcher.run(dir, "", env("FERRY_PASSWORD", "not-her-password"), "get", hostA + ":/here.txt"), 1,
                "ferry get: login failed for alice: wrong user name or password");
        oneLine(ferry(dir, "get", "no-such-host.invalid:/x"), 1,
                "ferry get: cannot connect to no-such-host.invalid:7373: unknown host 'no-such-host.invalid'");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        oneLine(ferry(dir, "put", "--retry-wait=1ms", "x", "127.0.0.1:" + port + ":/"), 1,
                "ferry put: cannot connect to 127.0.0.1:" + port + ": connection refused");
        oneLine(ferry(dir, "get"), 2, "ferry get: missing REMOTE... (usage: ferry get [OPTIONS] REMOTE... [LOCAL])");
    }

    /**
     * Stopping a download midway says what was kept and exits 130. The download goes through a
     * relay that stops forwarding after 1 MiB of the server's answer, so the transfer is surely in
     * progress when the signal comes. SIGTERM, which runs the same shutdown hook as Ctrl-C's
     * SIGINT: a test's child may inherit an ignored SIGINT, which the JVM then leaves ignored.
     */
    @Test
    void anInterruptedDownloadSaysThePartialIsKeptAndExits130() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w-int"));
        Files.write(b.root.resolve("stopped.bin"), random(4 << 20, 9));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread pump = new Thread(() -> {
                try (java.net.Socket client = relay.accept();
                     java.net.Socket server = new java.net.Socket(InetAddress.getLoopbackAddress(), b.port)) {
                    Thread up = new Thread(() -> {
                        try {
                            client.getInputStream().transferTo(server.getOutputStream());
                        } catch (java.io.IOException ignored) {
                            // the client went away
                        }
                    });
                    up.setDaemon(true);
                    up.start();
                    byte[] buf = new byte[8192];
                    long forwarded = 0;
                    int n;
                    while (forwarded < (1 << 20) && (n = server.getInputStream().read(buf)) > 0) {
                        client.getOutputStream().write(buf, 0, n);
                        forwarded += n;
                    }
                    held.countDown();
                    client.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()); // hold until it ends
                } catch (java.io.IOException ignored) {
                    // the client went away
                }
            });
            pump.setDaemon(true);
            pump.start();
            Process p = Launcher.builder(work, env(), List.of("get", "127.0.0.1:" + relay.getLocalPort() + ":/stopped.bin"))
                    .redirectOutput(work.resolve("out.txt").toFile()).redirectError(work.resolve("err.txt").toFile())
                    .start();
            p.getOutputStream().close();
            assertTrue(held.await(60, java.util.concurrent.TimeUnit.SECONDS), "the download never got 1 MiB");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "ferry did not stop");
            assertEquals(130, p.exitValue(), Files.readString(work.resolve("err.txt")));
            assertEquals("ferry get: interrupted: partial kept, run again to resume\n",
                    Files.readString(work.resolve("err.txt")));
            assertEquals("", Files.readString(work.resolve("out.txt")));
            assertFalse(Files.exists(work.resolve("stopped.bin")), "nothing under the final name");
        }
    }

    @Test
    void aPartialFromAnInterruptedRunIsResumedFetchingOnlyTheRest() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w4"));
        byte[] bytes = random(300_000, 4);
        Files.write(a.root.resolve("resume.bin"), bytes);
        byte[] notTheServers = new byte[100_000]; // zeros: shows which bytes were fetched
        Files.write(FileClient.partialPath(work.resolve("resume.bin")), notTheServers);
        Launcher.Result r = ferry(work, "get", "--no-verify", "--verbose", hostA + ":/resume.bin");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("resume.bin: 293.0 KiB in ") && r.out().contains(", resumed at 97.7 KiB, not verified"),
                r.out());
        byte[] got = Files.readAllBytes(work.resolve("resume.bin"));
        assertArrayEquals(notTheServers, Arrays.copyOf(got, 100_000), "the partial's bytes were kept");
        assertArrayEquals(Arrays.copyOfRange(bytes, 100_000, bytes.length), Arrays.copyOfRange(got, 100_000, got.length),
                "only the rest came from the server");
    }

    @Test
    void aTransferDrawsItsProgressBarOnARealTerminal() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "util-linux 'script' is needed to fake a terminal");
        Path work = Files.createDirectories(dir.resolve("w5"));
        Files.write(a.root.resolve("tty.bin"), random(3_000_000, 5));
        String cmd = Launcher.script() + " get " + hostA + ":/tty.bin";
        Map<String, String> env = env("COLUMNS", "100");
        ProcessBuilder pb = Launcher.builder(work, env, List.of());
        pb.command(List.of(script.toString(), "-qec", cmd, "/dev/null"));
        Process p = pb.redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("\r"), "redrawn in place: " + out);
        assertTrue(out.matches("(?s).*tty\\.bin +\\d+% \\[[=> ]+\\] .*"), "a bar with a percentage: " + out);
        assertTrue(out.matches("(?s).*tty\\.bin: 2\\.9 MiB in [^\n]*, sha-256 verified.*"), "the summary: " + out);
    }
}

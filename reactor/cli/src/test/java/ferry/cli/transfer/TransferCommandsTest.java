package ferry.cli.transfer;

import ferry.cli.CliRunner;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.remote.ExecCommand;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FaultRelay;
import ferry.client.FileClient;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.exec.ExecConfig;
import ferry.services.exec.ExecPolicy;
import ferry.services.exec.ExecService;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file and exec commands and the shell's, in-process against real servers on port 0 (the
 * launcher tests cover the same through bin/ferry): destinations as cp/scp, -n, -r, the listing
 * and stat formats, rm/mkdir/mv conventions, one-line errors and their exit statuses, retries
 * after a cut connection as a person sees them, exec's streams and status.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class TransferCommandsTest {
    @TempDir
    Path dir;

    private final List<FerryServer> servers = new ArrayList<>();
    private Path root;
    private String host;
    private Path cwd;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(dir.resolve("srv"));
        FerryServer s = server(root);
        host = "127.0.0.1:" + s.port();
        cwd = Files.createDirectories(dir.resolve("local"));
    }

    private FerryServer server(Path r) throws Exception {
        FerryServer s = new FerryServer(ServerConfig.builder().port(0)
                .anonymousRights(Right.ALL).build()); // loopback only: exec may be given
        s.install(new FileService(FileServiceConfig.builder(r).tempSweepIntervalMillis(0).build()));
        s.install(new ExecService(ExecConfig.builder(r).policy(ExecPolicy.parse("sh,cat,pwd", false, false))
                .envAllow(List.of("GREETING", "TZ")).build()));
        s.start();
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        for (FerryServer s : servers) {
            s.stop();
        }
    }

    /** No credentials from this machine; relative local paths are the test's folder. */
    private CliRunner.Result input(String stdin, String... args) {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString(),
                "FERRY_CONFIG", dir.resolve("no-config").toString());
        List<String> all = new ArrayList<>();
        for (String a : args) {
            // the CLI resolves local paths against the process's folder: make them absolute here
            all.add(a.startsWith("@") ? cwd.resolve(a.substring(1)).toString() : a);
        }
        return CliRunner.run(stdin, env, all.toArray(String[]::new));
    }

    private CliRunner.Result run(String... args) {
        return input("", args);
    }

    private static void ok(CliRunner.Result r) {
        assertEquals(0, r.status(), "stderr: " + r.err());
    }

    private static void oneLineError(CliRunner.Result r, int status, String line) {
        assertEquals(status, r.status(), r.err());
        assertEquals(line, r.err().strip());
        assertFalse(r.err().strip().contains("\n"), "one line: " + r.err());
    }

    private byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A server that cannot be reached at the start fails at once with "cannot connect", whatever
     * the form of the destination: never a retry (the waits are shortened so that a retry, the
     * old behaviour for the root folder, would show quickly instead of taking a minute).
     */
    @Test
    void anUnreachableServerFailsAtOnceForEveryFormOfDestination() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String down = "127.0.0.1:" + closed;
        Files.writeString(cwd.resolve("f.txt"), "f");
        Files.createDirectories(cwd.resolve("tree"));
        Files.writeString(cwd.resolve("tree/t.txt"), "t");
        Files.writeString(root.resolve("up.txt"), "up");
        String fast = "--retry-wait=1ms";
        String refused = "cannot connect to " + down + ": connection refused";
        List<String[]> forms = List.of(
                new String[] {"put", fast, "@f.txt", down + ":/"},
                new String[] {"put", fast, "@f.txt", down + ":"},
                new String[] {"put", fast, "@f.txt", down + ":/incoming/"},
                new String[] {"put", fast, "@f.txt", down + ":/name.txt"},
                new String[] {"put", fast, "-r", "@tree", down + ":/"},
                new String[] {"get", fast, down + ":/f.txt", "@"},
                new String[] {"cp", fast, host + ":/up.txt", down + ":/"},
                new String[] {"cp", fast, host + ":/up.txt", down + ":/to.txt"},
                new String[] {"cp", fast, down + ":/f.txt", host + ":/"});
        for (String[] form : forms) {
            CliRunner.Result r = run(form);
            oneLineError(r, 1, "ferry " + form[0] + ": " + refused);
        }
    }

    /** scp's remote-to-remote form is not a download of both into the current folder. */
    @Test
    void getBetweenTwoServersIsRefusedPointingAtCp() throws Exception {
        Files.writeString(root.resolve("f.txt"), "f");
        Path otherRoot = Files.createDirectories(dir.resolve("other"));
        String other = "127.0.0.1:" + server(otherRoot).port();
        String refusal = " is on a server, and ferry get downloads to this computer: to copy between servers use "
                + "`ferry cp`; to download several files here, end with a local folder (e.g. .)";
        for (String dest : List.of(other + ":/", other + ":", other + ":/in/", other + ":/g.txt", host + ":/")) {
            oneLineError(run("get", host + ":/f.txt", dest), 2, "ferry get: the last argument " + dest + refusal);
        }
        try (var s = Files.list(cwd)) {
            assertEquals(0, s.count(), "nothing downloaded");
        }
        Files.writeString(root.resolve("g.txt"), "g");
        ok(run("get", host + ":/f.txt", host + ":/g.txt", "@."));
        assertEquals("g", Files.readString(cwd.resolve("g.txt")));
    }

    /** The server's messages name protocol fields; the CLI says what its user types instead. */
    @Test
    void refusalsSpeakTheCommandsLanguageNotTheProtocols() throws Exception {
        oneLineError(run("mkdir", host + ":/no/such"), 1, "ferry mkdir: " + host
                + ": the folder to create no/such in does not exist (mkdir -p creates it too)");
        oneLineError(run("exec", "--shell", host, "--", "pwd"), 126,
                "ferry exec: shell mode is disabled on this server: run the command without --shell");
        oneLineError(run("exec", "-C", "x/../..", host, "--", "pwd"), 126,
                "ferry exec: the folder (-C) may not contain '..': it is a folder inside your own folder");
        assertEquals("--timeout 2h exceeds this server's limit of 1h", ErrorMessages.inUsersWords(
                "\"timeoutMs\" 7200000 exceeds this server's limit of 3600000 ms"));
    }

    /** As rsync: 23 when some files of a tree failed and others were copied; 1 when nothing was. */
    @Test
    void aTreeWhereSomeFilesFailedExits23() throws Exception {
        Files.createDirectories(root.resolve("t"));
        Files.writeString(root.resolve("t/a.txt"), "a");
        Files.writeString(root.resolve("t/b.txt"), "b");
        Files.createDirectories(cwd.resolve("back/t/b.txt")); // a folder where the file b.txt would go
        CliRunner.Result r = run("get", "-r", host + ":/t", "@back");
        assertEquals(23, r.status(), r.err());
        assertEquals("ferry get: not replacing the folder " + cwd.resolve("back/t/b.txt") + " with the file " + host
                + ":/t/b.txt\n", r.err());
        assertEquals("a", Files.readString(cwd.resolve("back/t/a.txt")), "the others arrived");

        Files.delete(root.resolve("t/a.txt"));
        assertEquals(1, run("get", "-r", host + ":/t", "@back").status(), "nothing copied: a failure");
        assertEquals(1, run("get", host + ":/t/b.txt", "@back/t").status(), "without -r: 1 as before");
    }

    /** {@code put -} reads stdin (spooled: PUT announces its size), {@code get ... -} writes stdout; both verified. */
    @Test
    void pipesPutFromStdinAndGetToStdout() throws Exception {
        String text = "line one\nline two: ünïcode\n".repeat(5000);
        ok(input(text, "put", "-", host + ":/piped.txt"));
        assertEquals(text, Files.readString(root.resolve("piped.txt")));
        CliRunner.Result get = run("get", host + ":/piped.txt", "-");
        ok(get);
        assertEquals(text, get.out(), "the file's bytes and nothing else on stdout");
        assertEquals("", get.err());

        oneLineError(run("put", "-", host + ":/"), 2,
                "ferry put: put - (stdin) needs a file name to write: HOST:/path/NAME");
        Files.createDirectories(root.resolve("dir"));
        oneLineError(input("x", "put", "-", host + ":/dir"), 1,
                "ferry put: " + host + ":/dir is a folder: name the file to write in it (" + host + ":/dir/NAME)");
        oneLineError(run("get", host + ":/missing.txt", "-"), 1, "ferry get: " + host + ": no such file or folder: missing.txt");
        try (var files = Files.list(cwd)) {
            assertEquals(0, files.count(), "no local file: no '-' written");
        }
    }

    @Test
    void putAndGetLikeScpWithoutOutputIntoAPipe() throws Exception {
        byte[] bytes = random(300_000, 1);
        Files.write(cwd.resolve("a.bin"), bytes);
        Files.setLastModifiedTime(cwd.resolve("a.bin"), FileTime.fromMillis(1_600_000_000_000L));
        CliRunner.Result put = run("put", "@a.bin", host + ":/");
        ok(put);
        assertEquals("", put.out(), "no progress or summary into a pipe");
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("a.bin")));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(root.resolve("a.bin")).toMillis(), "mtime kept");

        ok(run("put", "@a.bin", host + ":/b.bin")); // a new name
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("b.bin")));

        Path into = Files.createDirectories(cwd.resolve("into"));
        ok(run("get", host + ":/a.bin", host + ":b.bin", into.toString()));
        assertArrayEquals(bytes, Files.readAllBytes(into.resolve("a.bin")));
        assertArrayEquals(bytes, Files.readAllBytes(into.resolve("b.bin")));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(into.resolve("a.bin")).toMillis());
        ok(run("get", host + ":/a.bin", "@renamed.bin"));
        assertArrayEquals(bytes, Files.readAllBytes(cwd.resolve("renamed.bin")));

        CliRunner.Result verbose = run("get", "--verbose", "--md5", host + ":/a.bin", "@renamed.bin");
        ok(verbose);
        assertTrue(verbose.out().matches("a\\.bin: 293\\.0 KiB in .*, md5 verified\n"), verbose.out());
        CliRunner.Result unverified = run("put", "--verbose", "--no-verify", "@a.bin", host + ":/c.bin");
        assertTrue(unverified.out().contains("a.bin: 293.0 KiB in ") && unverified.out().contains("not verified"),
                unverified.out());
    }

    @Test
    void noClobberSkipsExistingFilesAndTheDefaultReplacesThem() throws Exception {
        Files.writeString(root.resolve("x.txt"), "server");
        Files.writeString(cwd.resolve("x.txt"), "local");
        ok(run("get", "-n", host + ":/x.txt", "@x.txt"));
        assertEquals("local", Files.readString(cwd.resolve("x.txt")), "-n keeps it");
        ok(run("put", "-n", "@x.txt", host + ":/x.txt"));
        assertEquals("server", Files.readString(root.resolve("x.txt")), "-n keeps it");
        CliRunner.Result noted = run("put", "-n", "--verbose", "@x.txt", host + ":/x.txt");
        assertTrue(noted.err().contains("x.txt: exists, skipped (--no-clobber)"), noted.err());

        ok(run("get", host + ":/x.txt", "@x.txt"));
        assertEquals("server", Files.readString(cwd.resolve("x.txt")), "replaced, as scp does");
        Files.writeString(cwd.resolve("x.txt"), "local again");
        ok(run("put", "@x.txt", host + ":/x.txt"));
        assertEquals("local again", Files.readString(root.resolve("x.txt")));
    }

    @Test
    void foldersNeedDashRAndCopyAsTrees() throws Exception {
        Files.createDirectories(cwd.resolve("tree/sub/deeper"));
        Files.writeString(cwd.resolve("tree/top.txt"), "top");
        Files.write(cwd.resolve("tree/sub/deeper/d.bin"), random(70_000, 2));
        Files.writeString(cwd.resolve("tree/sub/x.ferry-partial"), "a download in progress: not uploaded");
        Files.createDirectories(cwd.resolve("tree/empty"));
        Files.setLastModifiedTime(cwd.resolve("tree/top.txt"), FileTime.fromMillis(1_500_000_000_000L));

        oneLineError(run("put", "@tree", host + ":/"), 1, "ferry put: " + cwd.resolve("tree") + " is a folder (use -r to copy folders)");
        ok(run("put", "-r", "@tree", host + ":/"));
        assertEquals("top", Files.readString(root.resolve("tree/top.txt")));
        assertArrayEquals(Files.readAllBytes(cwd.resolve("tree/sub/deeper/d.bin")),
                Files.readAllBytes(root.resolve("tree/sub/deeper/d.bin")));
        assertTrue(Files.isDirectory(root.resolve("tree/empty")));
        assertFalse(Files.exists(root.resolve("tree/sub/x.ferry-partial")), "local partials stay local");
        ok(run("put", "-r", "@tree", host + ":/copy")); // a new name: /copy holds tree's contents
        assertEquals("top", Files.readString(root.resolve("copy/top.txt")));

        oneLineError(run("get", host + ":/tree", "@back"), 1,
                "ferry get: " + host + ":/tree is a folder (use -r to copy folders)");
        CliRunner.Result get = run("get", "-r", "--verbose", host + ":/tree", "@back");
        ok(get);
        assertTrue(get.out().contains("\n2 files, 68.4 KiB in "), get.out());
        assertEquals("top", Files.readString(cwd.resolve("back/top.txt")));
        assertArrayEquals(Files.readAllBytes(cwd.resolve("tree/sub/deeper/d.bin")),
                Files.readAllBytes(cwd.resolve("back/sub/deeper/d.bin")));
        assertTrue(Files.isDirectory(cwd.resolve("back/empty")));
        assertEquals(1_500_000_000_000L, Files.getLastModifiedTime(cwd.resolve("back/top.txt")).toMillis());
        ok(run("get", "-r", host + ":/tree", "@back")); // into the existing folder: back/tree
        assertEquals("top", Files.readString(cwd.resolve("back/tree/top.txt")));
    }

    @Test
    void destinationsThatCannotWorkAreOneLineErrors() throws Exception {
        Files.writeString(cwd.resolve("a.txt"), "a");
        Files.writeString(root.resolve("f.txt"), "f");
        oneLineError(run("get", host + ":/missing.bin"), 1, "ferry get: " + host + ": no such file or folder: missing.bin");
        oneLineError(run("get", host + ":/f.txt", host + ":/f.txt", "@nodir"), 1,
                "ferry get: no such folder: " + cwd.resolve("nodir") + " (several sources need an existing folder)");
        oneLineError(run("put", "@a.txt", "@a.txt", host + ":/f.txt"), 1,
                "ferry put: not a folder: " + host + ":/f.txt (several sources need an existing folder)");
        oneLineError(run("put", "@a.txt", host + ":/nodir/"), 1, "ferry put: no such folder: " + host + ":/nodir");
        oneLineError(run("put", "@missing.txt", host + ":/"), 1, "ferry put: no such file or folder: "
                + cwd.resolve("missing.txt"));
        oneLineError(run("get", "@a.txt", "@b.txt"), 2, "ferry get: '" + cwd.resolve("a.txt")
                + "' is a local path, not a remote ([user@]host[:port]:/path); ferry get copies from a server (to upload, use ferry put)");
        oneLineError(run("put", host + ":/f.txt", host + ":/g.txt"), 2, "ferry put: '" + host
                + ":/f.txt' is a remote; ferry put uploads local files (server to server: ferry cp; prefix ./ for a local name with a colon)");
        oneLineError(run("ls", "/video"), 2, "ferry ls: '/video' names no server: write HOST:/video (or :/video for 127.0.0.1)");
        oneLineError(run("get", "--md5", "--digest", "sha-256", host + ":/f.txt"), 2,
                "ferry get: --md5 and --digest sha-256 contradict each other");
    }

    /**
     * Names made on the server's disk by other means may hold control characters; ls prints them
     * escaped, never raw (U+009B alone is a terminal's CSI), and get -r skips them with an
     * escaped message.
     */
    @Test
    void lsEscapesControlCharactersInNamesOnDisk() throws Exception {
        Files.createDirectories(root.resolve("odd"));
        Files.write(root.resolve("odd/csi\u009b31mred"), new byte[0]);
        Files.write(root.resolve("odd/nel\u0085x"), new byte[0]);
        Files.write(root.resolve("odd/esc\u001b[2Jx"), new byte[0]);
        Files.write(root.resolve("odd/back\\slash"), new byte[0]);
        Files.write(root.resolve("odd/plain"), new byte[0]);

        CliRunner.Result ls = run("ls", host + ":/odd");
        ok(ls);
        assertEquals("back\\\\slash\ncsi\\x9B31mred\nesc\\x1B[2Jx\nnel\\x85x\nplain\n", ls.out());
        CliRunner.Result ll = run("ls", "-l", host + ":/odd");
        ok(ll);
        assertTrue(ll.out().contains("  csi\\x9B31mred\n"), ll.out());
        assertFalse(ll.out().chars().anyMatch(ch -> Character.getType(ch) == Character.CONTROL && ch != '\n'), ll.out());

        CliRunner.Result get = run("get", "-r", host + ":/odd", "@copy");
        assertFalse(get.err().chars().anyMatch(ch -> Character.getType(ch) == Character.CONTROL && ch != '\n'), get.err());
        assertTrue(get.err().contains("'csi\\x9B31mred', which is not a file name: skipped"), get.err());
        assertTrue(Files.exists(cwd.resolve("copy/plain")), get.err());
    }

    @Test
    void lsStatMkdirMvRmWorkWhereTheFilesAre() throws Exception {
        Files.createDirectories(root.resolve("docs"));
        byte[] bytes = "hello ferry\n".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("docs/a.txt"), bytes);
        Files.setLastModifiedTime(root.resolve("docs/a.txt"), FileTime.fromMillis(1_700_000_000_000L));

        CliRunner.Result ls = run("ls", host);
        ok(ls);
        assertEquals("docs/\n", ls.out());
        CliRunner.Result ll = run("ls", "-l", host + ":/docs");
        ok(ll);
        assertTrue(ll.out().matches("-  12  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  a\\.txt\n"), ll.out());
        CliRunner.Result two = run("ls", host + ":/", host + ":/docs");
        assertEquals(host + ":/:\ndocs/\n\n" + host + ":/docs:\na.txt\n", two.out());

        CliRunner.Result stat = run("stat", "-c", host + ":/docs/a.txt");
        ok(stat);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertTrue(stat.out().startsWith("path        " + host + ":/docs/a.txt\ntype        file\nsize        12 bytes\n"
                + "modified    "), stat.out());
        assertTrue(stat.out().endsWith("\nsha-256     " + sha + "\n"), stat.out());
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        assertTrue(run("stat", "--md5", host + ":/docs/a.txt").out().endsWith("\nmd5         " + md5 + "\n"));

        ok(run("mkdir", "-p", host + ":/x/y/z"));
        assertTrue(Files.isDirectory(root.resolve("x/y/z")));
        oneLineError(run("mkdir", host + ":/x"), 1, "ferry mkdir: " + host + ": already exists: x");
        ok(run("mv", host + ":/docs/a.txt", "/x/")); // into a folder, keeping the name
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("x/a.txt")));
        ok(run("mv", host + ":/x/a.txt", host + ":/x/b.txt"));
        assertTrue(Files.exists(root.resolve("x/b.txt")));
        Files.writeString(root.resolve("x/c.txt"), "c");
        ok(run("mv", "-n", host + ":/x/c.txt", "x/b.txt"));
        assertEquals("c", Files.readString(root.resolve("x/c.txt")), "-n: nothing moved");
        ok(run("mv", host + ":/x/c.txt", "x/b.txt"));
        assertEquals("c", Files.readString(root.resolve("x/b.txt")), "replaced, as mv does");

        oneLineError(run("rm", host + ":/x"), 1, "ferry rm: " + host + ":/x is a folder (use -r to remove it and everything in it)");
        CliRunner.Result rm = run("rm", host + ":/nope", host + ":/x/b.txt");
        assertEquals(1, rm.status());
        assertEquals("ferry rm: " + host + ": no such file or folder: nope", rm.err().strip());
        assertFalse(Files.exists(root.resolve("x/b.txt")), "the next argument was still done");
        ok(run("rm", "-f", host + ":/nope"));
        ok(run("rm", "-r", host + ":/x"));
        assertFalse(Files.exists(root.resolve("x")));
        oneLineError(run("rm", "-r", host + ":/"), 1, "ferry rm: refusing to remove " + host + ":/: it is your home folder on the server");
    }

    @Test
    void cpStreamsBetweenServersWithoutALocalCopy() throws Exception {
        Path rootB = Files.createDirectories(dir.resolve("b"));
        String hostB = "127.0.0.1:" + server(rootB).port();
        byte[] bytes = random(200_000, 3);
        Files.createDirectories(root.resolve("t/u"));
        Files.write(root.resolve("t/u/v.bin"), bytes);
        Files.write(root.resolve("one.bin"), bytes);
        ok(run("cp", host + ":/one.bin", hostB + ":/"));
        assertArrayEquals(bytes, Files.readAllBytes(rootB.resolve("one.bin")));
        ok(run("cp", "-r", host + ":/t", hostB + ":/copied"));
        assertArrayEquals(bytes, Files.readAllBytes(rootB.resolve("copied/u/v.bin")));
        ok(run("cp", host + ":/one.bin", host + ":/same-server.bin"));
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("same-server.bin")));
        try (var s = Files.list(cwd)) {
            assertEquals(0, s.count(), "nothing stored locally");
        }
    }

    @Test
    void aCutDownloadIsRetriedSaidOnStderrAndCountedInTheSummary() throws Exception {
        byte[] bytes = random(1_000_000, 4);
        Files.write(root.resolve("big.bin"), bytes);
        try (FaultRelay relay = new FaultRelay(servers.get(0).port())) {
            relay.cutDownstreamAfter(400_000);
            CliRunner.Result r = run("get", "--verbose", "--retry-wait", "0", "--retry-max-wait", "0",
                    "127.0.0.1:" + relay.port() + ":/big.bin", "@big.bin");
            ok(r);
            assertArrayEquals(bytes, Files.readAllBytes(cwd.resolve("big.bin")));
            List<String> retries = r.err().lines().filter(l -> l.contains("connection lost")).toList();
            assertEquals(1, retries.size(), r.err());
            assertTrue(retries.get(0).matches("ferry get: big\\.bin: connection lost at \\d+\\.\\d KiB of 976\\.6 KiB "
                    + "\\(.+\\); reconnecting in 0 ms \\(attempt 1 of 8\\)"), retries.get(0));
            assertTrue(r.out().contains("sha-256 verified, 1 resume after lost connections"), r.out());
            assertTrue(relay.last().downstreamBytes() < 700_000, "resumed, not restarted");
        }
    }

    @Test
    void resumesFromAPartialLeftByAnEarlierRunAndFetchesOnlyTheRest() throws Exception {
        byte[] bytes = random(100_000, 5);
        Files.write(root.resolve("r.bin"), bytes);
        // A partial whose first half is NOT the server's bytes: without verification the result
        // shows exactly which bytes were fetched again (only the rest)...
        byte[] wrongHalf = new byte[50_000];
        Files.write(FileClient.partialPath(cwd.resolve("r.bin")), wrongHalf);
        CliRunner.Result r = run("get", "--no-verify", "--verbose", host + ":/r.bin", "@r.bin");
        ok(r);
        assertTrue(r.out().contains("resumed at 48.8 KiB, not verified"), r.out());
        byte[] got = Files.readAllBytes(cwd.resolve("r.bin"));
        assertArrayEquals(wrongHalf, java.util.Arrays.copyOf(got, 50_000));
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 50_000, 100_000), java.util.Arrays.copyOfRange(got, 50_000, 100_000));
        // ...and with verification (the default) such a partial is caught and fetched again whole.
        Files.delete(cwd.resolve("r.bin"));
        Files.write(FileClient.partialPath(cwd.resolve("r.bin")), wrongHalf);
        ok(run("get", host + ":/r.bin", "@r.bin"));
        assertArrayEquals(bytes, Files.readAllBytes(cwd.resolve("r.bin")));
        assertFalse(Files.exists(FileClient.partialPath(cwd.resolve("r.bin"))));
    }

    @Test
    void execPassesStreamsStatusStdinAndFolder() throws Exception {
        Files.createDirectories(root.resolve("work"));
        CliRunner.Result r = run("exec", host, "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        CliRunner.Result noDashes = run("exec", host, "sh", "-c", "echo -n $#", "zero", "-x", "--y");
        assertEquals("2", noDashes.out(), "everything after HOST is the command's, options included");
        CliRunner.Result in = input("piped input\n", "exec", "-i", host, "cat");
        ok(in);
        assertEquals("piped input\n", in.out());
        CliRunner.Result noStdin = input("not forwarded\n", "exec", host, "cat");
        assertEquals("", noStdin.out(), "stdin only with -i");
        CliRunner.Result pwd = run("exec", "-C", "work", host, "pwd");
        assertTrue(pwd.out().strip().endsWith("/srv/work"), pwd.out());
        CliRunner.Result refused = run("exec", host, "--", "rm", "-rf", "x");
        assertEquals(ExecCommand.EXIT_REFUSED, refused.status());
        CliRunner.Result unreachable = run("exec", "--connect-timeout", "2s", "no-such-host.invalid", "--", "true");
        assertEquals(ExecCommand.EXIT_FERRY_ERROR, unreachable.status());
        assertEquals("ferry exec: cannot connect to no-such-host.invalid:7373: unknown host 'no-such-host.invalid'",
                unreachable.err().strip());
        assertEquals(2, run("exec", host).status(), "no command: usage error");
        CliRunner.Result withEnv = run("exec", "-e", "GREETING=hi, there", "--env", "TZ=UTC", host,
                "--", "sh", "-c", "echo \"$GREETING|$TZ\"");
        ok(withEnv);
        assertEquals("hi, there|UTC\n", withEnv.out(), "each -e is one variable, commas and spaces kept");
        CliRunner.Result notAllowed = run("exec", "-e", "PATH=/evil", host, "--", "pwd");
        assertEquals(ExecCommand.EXIT_REFUSED, notAllowed.status(), notAllowed.err());
        assertTrue(notAllowed.err().contains("PATH"), notAllowed.err());
        CliRunner.Result malformed = run("exec", "-e", "NOVALUE", host, "--", "pwd");
        assertEquals(2, malformed.status());
        assertTrue(malformed.err().contains("--env takes NAME=VALUE, got 'NOVALUE'"), malformed.err());
    }

    @Test
    void theShellHasTheFileCommandsWithWorkingFoldersAndGoesOnAfterErrors() throws Exception {
        Files.writeString(cwd.resolve("l.txt"), "local file");
        String script = String.join("\n",
                "mkdir -p a/b",
                "cd a",
                "pwd",
                "lcd " + cwd,
                "put l.txt b/",
                "cd b",
                "ls -l",
                "cd /nope",
                "get l.txt copy.txt",
                "stat -c l.txt",
                "mv l.txt ../m.txt",
                "cd ..",
                "ls",
                "rm b",
                "exec pwd",
                "exec sh -c 'exit 5'",
                "cd ../..",
                "rm -r b",
                "ls",
                "history",
                "") + "\n";
        CliRunner.Result r = input(script, "shell", host);
        assertEquals(1, r.status(), "a script with failed lines: " + r.err());
        assertEquals("local file", Files.readString(root.resolve("a/m.txt")));
        assertEquals("local file", Files.readString(cwd.resolve("copy.txt")));
        assertFalse(Files.exists(root.resolve("a/b")));
        String out = r.out();
        assertTrue(out.startsWith("/a\n"), out);
        assertTrue(out.matches("(?s).*\n-  10  [^\n]*  l\\.txt\n.*"), out);
        assertTrue(out.contains("path        /a/b/l.txt\n"), out);
        assertTrue(out.contains("\nb/\nm.txt\n"), "ls in /a: " + out);
        assertTrue(out.contains(root.resolve("a").toRealPath() + "\n"), "exec runs in the working folder: " + out);
        assertTrue(out.contains("   20  history"), out);
        assertEquals(List.of(
                "ferry shell: line 8: no such file or folder: nope",
                "ferry shell: line 14: /a/b is a folder (use -r to remove it and everything in it)",
                "ferry shell: line 16: exit status 5",
                "ferry shell: line 17: '../..' leads above your home folder (/)"), r.err().lines().toList());
    }

    @Test
    void aReconnectLogsInAgainWithoutAskingForThePasswordTwice() throws Exception {
        Path cfg = dir.resolve("cfg");
        CliRunner.Result add = CliRunner.run("alice-password\n", Map.of(), "user", "add", "alice", "--password-stdin",
                "--iterations", "4096", "--config-dir", cfg.toString());
        ok(add);
        Path r = Files.createDirectories(dir.resolve("users-root"));
        byte[] bytes = random(600_000, 6);
        Files.write(r.resolve("f.bin"), bytes);
        FerryServer s = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build());
        s.install(new ferry.services.auth.AuthService(ferry.services.auth.UserStore.inConfigDir(cfg)));
        s.install(new FileService(FileServiceConfig.builder(r).tempSweepIntervalMillis(0).build()));
        s.start();
        servers.add(s);
        List<String> prompts = new ArrayList<>();
        ferry.client.CredentialsResolver.Prompter terminal = new ferry.client.CredentialsResolver.Prompter() {
            @Override
            public String readLine(String prompt) {
                prompts.add(prompt);
                return "alice";
            }

            @Override
            public char[] readPassword(String prompt) {
                prompts.add(prompt);
                return "alice-password".toCharArray();
            }
        };
        try (FaultRelay relay = new FaultRelay(s.port())) {
            relay.cutDownstreamAfter(300_000);
            CliRunner.Result got = CliRunner.run("", Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString(),
                    "FERRY_CONFIG", dir.resolve("no-config").toString()), terminal, "get", "--retry-wait", "0",
                    "--retry-max-wait", "0", "alice@127.0.0.1:" + relay.port() + ":/f.bin", cwd.resolve("f.bin").toString());
            ok(got);
            assertEquals(2, relay.links().size(), "reconnected once");
        }
        assertArrayEquals(bytes, Files.readAllBytes(cwd.resolve("f.bin")));
        assertEquals(List.of("Password for alice: "), prompts, "asked once, logged in twice");
    }

    @Test
    void aTreeWalkSurvivesAConnectionLostBetweenTwoFiles() throws Exception {
        Files.createDirectories(root.resolve("tree/sub"));
        Files.writeString(root.resolve("tree/a.txt"), "a");
        Files.writeString(root.resolve("tree/sub/b.txt"), "b");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Console console = new Console(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), System.in, Map.of());
        ferry.client.ConnectionSource real = ferry.client.ConnectionSource.reconnecting(null,
                () -> ferry.client.FerryClient.connect("127.0.0.1", servers.get(0).port()));
        int[] calls = {0};
        ferry.client.ConnectionSource dying = new ferry.client.ConnectionSource() {
            @Override
            public ferry.client.FerryClient connection() throws java.io.IOException {
                ferry.client.FerryClient c = real.connection();
                if (++calls[0] == 4) { // STAT tree, LIST tree, GET a.txt, then LIST sub: its connection is dead
                    c.close();
                }
                return c;
            }

            @Override
            public void discard() {
                real.discard();
            }
        };
        List<Long> waits = new ArrayList<>();
        FileTransfers t = new FileTransfers(console, "ferry get", FileClient.Options.defaults(),
                ferry.client.RetryPolicy.defaults(), true, false, waits::add);
        FileTransfers.Side side = new FileTransfers.Side(dying, host);
        int status = t.get(List.of(new FileTransfers.RemoteFile(side, "tree")), cwd.resolve("copy").toString(), cwd);
        real.discard();
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("b", Files.readString(cwd.resolve("copy/sub/b.txt")), "the walk went on after reconnecting");
        assertEquals(1, waits.size());
        assertTrue(err.toString(StandardCharsets.UTF_8).matches("ferry get: connection to " + host
                + " lost \\(connection closed\\); reconnecting in \\d+ ms \\(attempt 1 of 8\\)\n"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void whatTheServerForbidsIsOneLineNamingTheRight() throws Exception {
        Path r = Files.createDirectories(dir.resolve("read-only"));
        Files.writeString(r.resolve("f.txt"), "f");
        FerryServer s = new FerryServer(ServerConfig.builder().port(0).anonymousRights(EnumSet.of(Right.READ)).build());
        s.install(new FileService(FileServiceConfig.builder(r).tempSweepIntervalMillis(0).build()));
        s.start();
        servers.add(s);
        String ro = "127.0.0.1:" + s.port();
        Files.writeString(cwd.resolve("up.txt"), "up");
        oneLineError(run("put", "@up.txt", ro + ":/"), 1,
                "ferry put: " + ro + ": permission denied: user anonymous lacks the write right");
        oneLineError(run("rm", ro + ":/f.txt"), 1, "ferry rm: " + ro + ": permission denied: user anonymous lacks the delete right");
        ok(run("get", ro + ":/f.txt", "@f.txt"));
        assertEquals("f", Files.readString(cwd.resolve("f.txt")));
    }
}

package ferry.cli.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.CliRunner;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * get, put and cp send every file, as scp does, unless --update (skip files of the same size
 * and modification time) or --checksum (same size and digest). Each case changes a copy behind
 * the command's back, keeping its size and time, so what was skipped shows in the content.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SkipUnchangedTest {
    @TempDir
    Path dir;
    private final List<FerryServer> servers = new ArrayList<>();

    private String server(Path root) throws Exception {
        Files.createDirectories(root);
        FerryServer s = new FerryServer(ServerConfig.builder().port(0).anonymousRights(EnumSet.of(Right.READ,
                Right.WRITE, Right.DELETE)).build());
        s.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        s.start();
        servers.add(s);
        return "127.0.0.1:" + s.port();
    }

    @AfterEach
    void stop() {
        servers.forEach(FerryServer::stop);
    }

    private Path srv;
    private String host;

    @BeforeEach
    void start() throws Exception {
        srv = dir.resolve("srv");
        host = server(srv);
        Files.createDirectories(srv.resolve("tree"));
        Files.writeString(srv.resolve("tree/a.txt"), "alpha\n");
        Files.writeString(srv.resolve("tree/b.txt"), "bravo\n");
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run("", Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString(),
                "FERRY_CONFIG", dir.resolve("no-config").toString()), args);
    }

    /** Rewrites {@code f} with {@code text} of the same length, keeping its modification time. */
    private static void changeBehindItsBack(Path f, String text) throws Exception {
        FileTime t = Files.getLastModifiedTime(f);
        assertEquals(Files.size(f), text.length());
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, t);
    }

    @Test
    void getSendsEverythingUnlessUpdateOrChecksum() throws Exception {
        Path copy = dir.resolve("tree"); // into an existing folder a source keeps its name, as with cp -r
        assertEquals(0, run("get", "-r", host + ":/tree", dir.toString()).status());
        changeBehindItsBack(copy.resolve("a.txt"), "ALPHA\n");

        CliRunner.Result update = run("get", "-r", "--update", "-v", host + ":/tree", dir.toString());
        assertEquals(0, update.status(), update.err());
        assertTrue(update.out().contains("0 files, 0 B in "), update.out());
        assertTrue(update.out().contains(", 2 skipped, unchanged"), update.out());
        assertTrue(update.err().contains("a.txt: unchanged, skipped"), update.err());
        assertEquals("ALPHA\n", Files.readString(copy.resolve("a.txt")), "same size and time: left alone");

        CliRunner.Result checksum = run("get", "-r", "--checksum", "-v", host + ":/tree", dir.toString());
        assertEquals(0, checksum.status(), checksum.err());
        assertTrue(checksum.out().contains("1 file, 6 B in "), checksum.out());
        assertTrue(checksum.out().contains(", 1 skipped, unchanged"), checksum.out());
        assertEquals("alpha\n", Files.readString(copy.resolve("a.txt")), "the digests differ: fetched");

        changeBehindItsBack(copy.resolve("a.txt"), "ALPHA\n");
        assertEquals(0, run("get", "-r", host + ":/tree", dir.toString()).status());
        assertEquals("alpha\n", Files.readString(copy.resolve("a.txt")), "by default every file is sent, as scp does");
    }

    @Test
    void putSkipsWhatTheServerHasWithUpdateAndComparesDigestsWithChecksum() throws Exception {
        Path local = Files.createDirectories(dir.resolve("up"));
        Files.writeString(local.resolve("c.txt"), "charlie\n");
        assertEquals(0, run("put", "-r", local.toString(), host + ":/up").status());
        Path there = srv.resolve("up/c.txt");
        assertEquals(Files.getLastModifiedTime(local.resolve("c.txt")).toMillis(), Files.getLastModifiedTime(there).toMillis(),
                "time kept (to the millisecond, as the protocol carries it)");
        changeBehindItsBack(there, "CHARLIE\n");

        CliRunner.Result update = run("put", "-r", "--update", "-v", local.toString(), host + ":/");
        assertEquals(0, update.status(), update.err());
        assertTrue(update.err().contains("up/c.txt: unchanged, skipped"), update.err());
        assertEquals("CHARLIE\n", Files.readString(there));

        CliRunner.Result checksum = run("put", "--checksum", local.resolve("c.txt").toString(), host + ":/up/");
        assertEquals(0, checksum.status(), checksum.err());
        assertEquals("charlie\n", Files.readString(there), "the digests differ: sent");
    }

    @Test
    void cpBetweenServersSkipsUnchangedFilesWithUpdate() throws Exception {
        Path srv2 = dir.resolve("srv2");
        String host2 = server(srv2);
        assertEquals(0, run("cp", "-r", host + ":/tree", host2 + ":/tree").status());
        changeBehindItsBack(srv2.resolve("tree/b.txt"), "BRAVO\n");

        CliRunner.Result update = run("cp", "-r", "--update", "-v", host + ":/tree", host2 + ":/");
        assertEquals(0, update.status(), update.err());
        assertTrue(update.out().contains(", 2 skipped, unchanged"), update.out());
        assertEquals("BRAVO\n", Files.readString(srv2.resolve("tree/b.txt")));

        CliRunner.Result checksum = run("cp", "-r", "--checksum", host + ":/tree", host2 + ":/");
        assertEquals(0, checksum.status(), checksum.err());
        assertEquals("bravo\n", Files.readString(srv2.resolve("tree/b.txt")));
    }
}

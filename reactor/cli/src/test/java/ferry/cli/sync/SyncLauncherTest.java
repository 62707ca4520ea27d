package ferry.cli.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry sync} as users run it, through {@code bin/ferry} against a {@code ferry serve}
 * on port 0 (no users: anonymous on loopback): the second sync of a tree sends nothing, changes
 * are listed, --dry-run changes nothing, --delete never leaves DST, names that are not file
 * names are refused, and the exit statuses.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SyncLauncherTest {
    @TempDir
    static Path dir;
    private static Launcher.Server server;
    private static String host;

    @BeforeAll
    static void start() throws Exception {
        server = Launcher.Server.start(dir, "--root", "srv", "--config-dir", "cfg", "--quiet");
        host = server.host();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path tree(String name, int files) throws Exception {
        Path top = Files.createDirectories(dir.resolve(name));
        for (int i = 0; i < files; i++) {
            Path f = top.resolve("d" + (i % 3)).resolve("f" + i + ".txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "file " + i + "\n");
        }
        return top;
    }

    private static List<String> lines(Launcher.Result r) {
        return r.out().lines().toList();
    }

    private static String last(Launcher.Result r) {
        List<String> l = lines(r);
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    @Test
    void aSecondSyncOfTheSameTreeSendsNothingAndAChangedFileAlone() throws Exception {
        Path src = tree("up", 12);
        Launcher.Result first = Launcher.run(dir, "sync", "up", host + ":/up");
        assertEquals(0, first.status(), first.err());
        assertEquals(12, lines(first).stream().filter(l -> l.startsWith("sent ")).count(), first.out());
        assertTrue(lines(first).contains("created          d0/"), first.out());
        assertTrue(last(first).startsWith("12 files sent ("), first.out());
        assertEquals("file 7\n", Files.readString(server.root.resolve("up/d1/f7.txt")));

        Launcher.Result again = Launcher.run(dir, "sync", "up", host + ":/up");
        assertEquals(0, again.status(), again.err());
        assertEquals(1, lines(again).size(), "only the summary: " + again.out());
        assertTrue(last(again).startsWith("0 files sent (0 B), 12 skipped, unchanged, in "), again.out());

        Files.writeString(src.resolve("d2/f5.txt"), "changed, and longer\n");
        Launcher.Result third = Launcher.run(dir, "sync", "up", host + ":/up");
        assertEquals(0, third.status(), third.err());
        assertEquals("sent             d2/f5.txt (changed)", lines(third).get(0));
        assertTrue(last(third).startsWith("1 file sent (20 B), 11 skipped, unchanged, in "), third.out());
    }

    @Test
    void dryRunPrintsWhatWouldChangeAndChangesNothing() throws Exception {
        Path src = tree("dry", 3);
        assertEquals(0, Launcher.run(dir, "sync", "dry", host + ":/dry").status());
        Files.writeString(server.root.resolve("dry/extra.txt"), "only there\n");
        Files.writeString(src.resolve("new.txt"), "new\n");

        Launcher.Result r = Launcher.run(dir, "sync", "--dry-run", "--delete", "dry", host + ":/dry");
        assertEquals(0, r.status(), r.err());
        assertTrue(lines(r).contains("would be sent    new.txt (new)"), r.out());
        assertTrue(lines(r).contains("would be deleted extra.txt"), r.out());
        assertTrue(last(r).startsWith("dry run, nothing changed: 1 file to send (4 B), 3 skipped, unchanged, 1 to delete"),
                r.out());
        assertTrue(Files.exists(server.root.resolve("dry/extra.txt")), "nothing deleted");
        assertFalse(Files.exists(server.root.resolve("dry/new.txt")), "nothing sent");
    }

    @Test
    void deleteMirrorsAServerFolderHereWithoutEverLeavingDst() throws Exception {
        tree("down-src", 4);
        assertEquals(0, Launcher.run(dir, "sync", "down-src", host + ":/down").status());
        Path dst = Files.createDirectories(dir.resolve("down"));
        Files.writeString(dst.resolve("stale.txt"), "gone from the server\n");
        Files.writeString(dst.resolve("keep.tmp"), "excluded\n");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "not DST's\n");
        Files.createSymbolicLink(dst.resolve("link"), outside);

        Launcher.Result r = Launcher.run(dir, "sync", "--delete", "--exclude", "*.tmp", host + ":/down", "down");
        assertEquals(0, r.status(), r.err());
        assertEquals("file 2\n", Files.readString(dst.resolve("d2/f2.txt")));
        assertTrue(lines(r).contains("deleted          stale.txt"), r.out());
        assertTrue(lines(r).contains("deleted          link"), r.out());
        assertFalse(Files.exists(dst.resolve("stale.txt")));
        assertFalse(Files.exists(dst.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link itself");
        assertEquals("not DST's\n", Files.readString(outside.resolve("precious.txt")), "never what a link points to");
        assertTrue(Files.exists(dst.resolve("keep.tmp")), "excluded entries are kept");
    }

    @Test
    void checksumFindsAChangeTheQuickCheckCannotSee() throws Exception {
        tree("sum-src", 2);
        assertEquals(0, Launcher.run(dir, "sync", "sum-src", host + ":/sum").status());
        assertEquals(0, Launcher.run(dir, "sync", host + ":/sum", "sum").status());
        Path there = server.root.resolve("sum/d1/f1.txt");
        FileTime time = Files.getLastModifiedTime(there);
        Files.writeString(there, "FILE 1\n"); // same size
        Files.setLastModifiedTime(there, time); // and the same time

        Launcher.Result quick = Launcher.run(dir, "sync", host + ":/sum", "sum");
        assertEquals(0, quick.status(), quick.err());
        assertEquals("file 1\n", Files.readString(dir.resolve("sum/d1/f1.txt")), "size and time match: skipped");

        Launcher.Result sums = Launcher.run(dir, "sync", "--checksum", host + ":/sum", "sum");
        assertEquals(0, sums.status(), sums.err());
        assertEquals("sent             d1/f1.txt (changed)", lines(sums).get(0));
        assertEquals("FILE 1\n", Files.readString(dir.resolve("sum/d1/f1.txt")));
    }

    @Test
    void aNameThatIsNotAFileNameIsRefusedAndStopsDeletion() throws Exception {
        Path top = Files.createDirectories(server.root.resolve("odd"));
        Files.writeString(top.resolve("fine.txt"), "fine\n");
        Files.writeString(top.resolve("bad\u0001name"), "control character\n");
        Path dst = Files.createDirectories(dir.resolve("odd"));
        Files.writeString(dst.resolve("stale.txt"), "would be deleted\n");

        Launcher.Result r = Launcher.run(dir, "sync", "--delete", host + ":/odd", "odd");
        assertEquals(23, r.status(), "partial: " + r.err());
        assertTrue(r.err().contains("lists an entry named 'bad\\x01name', which is not a file name: skipped"), r.err());
        assertTrue(r.err().contains("not deleting anything: " + host + ":/odd could not be read completely"), r.err());
        assertEquals("fine\n", Files.readString(dst.resolve("fine.txt")));
        assertTrue(Files.exists(dst.resolve("stale.txt")));
        try (Stream<Path> s = Files.list(dst)) {
            assertEquals(2, s.count(), "no entry for the refused name");
        }
    }

    @Test
    void aLinkToAFolderIsSyncedAsThatFolderOnEitherSide() throws Exception {
        tree("real-src", 3);
        Files.createSymbolicLink(dir.resolve("alias-src"), dir.resolve("real-src"));
        Launcher.Result up = Launcher.run(dir, "sync", "alias-src", host + ":/alias");
        assertEquals(0, up.status(), up.err());
        assertTrue(last(up).startsWith("3 files sent ("), up.out());
        Launcher.Result again = Launcher.run(dir, "sync", "--delete", "alias-src", host + ":/alias");
        assertEquals(0, again.status(), again.err());
        assertTrue(last(again).startsWith("0 files sent (0 B), 3 skipped, unchanged, in "), "nothing deleted: " + again.out());

        Path real = Files.createDirectories(dir.resolve("real-dst"));
        Files.createSymbolicLink(dir.resolve("alias-dst"), real);
        Launcher.Result down = Launcher.run(dir, "sync", host + ":/alias", "alias-dst");
        assertEquals(0, down.status(), down.err());
        assertEquals("file 1\n", Files.readString(real.resolve("d1/f1.txt")));
        assertTrue(Files.isSymbolicLink(dir.resolve("alias-dst")), "the link stays");
    }

    @Test
    void exitStatusesAsTheOtherCommands() throws Exception {
        Launcher.Result bothLocal = Launcher.run(dir, "sync", "a", "b");
        assertEquals(2, bothLocal.status());
        assertEquals("ferry sync: neither SRC nor DST is on a server: name one as host:/path", bothLocal.err().strip());

        Launcher.Result missing = Launcher.run(dir, "sync", "no-such-folder", host + ":/x");
        assertEquals(1, missing.status());
        assertTrue(missing.err().startsWith("ferry sync: no such folder: no-such-folder"), missing.err());
        assertFalse(Files.exists(server.root.resolve("x")), "nothing created for a failed source");

        Files.writeString(dir.resolve("plain.txt"), "a file\n");
        Launcher.Result file = Launcher.run(dir, "sync", "plain.txt", host + ":/y");
        assertEquals(1, file.status());
        assertTrue(file.err().contains("not a folder: plain.txt (sync mirrors folders; for one file use ferry put)"),
                file.err());
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RootFiles}: the race of issue 13 made deterministic (a path confined, its folder then
 * swapped for a symlink to outside, then accessed: every access is refused, nothing outside is
 * read or written), and every operation on an ordinary tree, with folder handles and by path
 * (the fallback for platforms without them), leaving no handle open.
 */
class RootFilesTest {
    private static final byte[] INSIDE = "inside the root".getBytes();
    private static final byte[] SECRET = "outside: must never be read".getBytes();

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(tmp.resolve("root")).toRealPath();
        outside = Files.createDirectories(tmp.resolve("outside")).toRealPath();
        Files.write(outside.resolve("f"), SECRET);
        Files.createDirectories(outside.resolve("sub"));
        Files.write(outside.resolve("sub/g"), SECRET);
        Files.createDirectories(root.resolve("d/sub"));
        Files.write(root.resolve("d/f"), INSIDE);
        Files.write(root.resolve("d/sub/g"), INSIDE);
        Files.write(root.resolve("top"), INSIDE);
    }

    @Test
    void aFolderSwappedForASymlinkAfterTheCheckIsNeverFollowed() throws Exception {
        PathResolver r = new PathResolver(root, 1024, 255);
        RootFiles files = r.files();
        assumeTrue(files.usesHandles(), "no folder handles on this platform: the race stays open (SECURITY.md)");
        Path f = r.confineTarget(r.resolve("", "d/f"));
        Path d = r.confineTarget(r.resolve("", "d"));
        Path g = r.confine(r.resolve("", "d/sub/g"));
        Path sub = r.confine(r.resolve("", "d/sub"));
        Path newFile = r.confine(r.resolve("", "d/new"));
        Path newDir = r.confine(r.resolve("", "d/new-dir"));
        Map<String, String> before = snapshot(outside);

        // The swap, after every check: d is now a link to outside, holding an f and a sub/g too.
        Files.move(root.resolve("d"), root.resolve("d.real"));
        Files.createSymbolicLink(root.resolve("d"), outside);

        assertRefused(() -> files.open(f, EnumSet.of(StandardOpenOption.READ)));
        assertRefused(() -> files.open(newFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE)));
        assertRefused(() -> files.stat(f));
        assertRefused(() -> files.openForRead(f, false));
        assertRefused(() -> files.attributes(g));
        assertRefused(() -> files.openFolder(d));
        assertRefused(() -> files.openFolder(sub));
        assertRefused(() -> files.createDirectory(newDir, root));
        assertRefused(() -> files.createDirectories(newDir, root));
        assertRefused(() -> files.delete(f));
        assertRefused(() -> files.deleteTree(sub));
        assertRefused(() -> files.move(f, root.resolve("moved")));
        assertRefused(() -> files.move(root.resolve("top"), newFile));
        assertRefused(() -> files.setLastModifiedTime(f, FileTime.fromMillis(0)));

        assertEquals(before, snapshot(outside), "nothing outside was written, moved or deleted");
        assertArrayEquals(INSIDE, Files.readAllBytes(root.resolve("d.real/f")), "the real folder is intact");
        assertFalse(Files.exists(root.resolve("moved")));
    }

    private static void assertRefused(IoCall call) {
        RootFiles.Changed e = assertThrows(RootFiles.Changed.class, call::run);
        assertTrue(e.getMessage().contains("replaced"), e.getMessage());
    }

    private interface IoCall {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "handles={0}")
    @ValueSource(booleans = {true, false})
    void everyOperationWorksOnAnOrdinaryTreeAndClosesItsHandles(boolean handles) throws Exception {
        if (handles) {
            assumeTrue(RootFiles.probe(root, FileOpener.DEFAULT).usesHandles(), "no folder handles on this platform");
        }
        RootFiles files = new RootFiles(root, FileOpener.DEFAULT, handles);
        int fdsBefore = fdsUnder(root);
        int rootFdsBefore = fdsOf(root, true);

        try (FileChannel ch = files.open(root.resolve("d/f"), EnumSet.of(StandardOpenOption.READ))) {
            ByteBuffer b = ByteBuffer.allocate(INSIDE.length);
            ch.read(b, 0);
            assertArrayEquals(INSIDE, b.array());
        }
        FileStat st = files.stat(root.resolve("d/f"));
        assertTrue(st.isFile());
        assertEquals(INSIDE.length, st.size());
        assertTrue(st.ctimeNanos() > 0, "the change time is there, for the digest cache's version key");
        assertTrue(files.stat(root).isDir(), "the root itself");
        assertTrue(files.attributes(root.resolve("d")).isDirectory());
        assertThrows(NoSuchFileException.class, () -> files.stat(root.resolve("d/nothing")));

        try (FileChannel ch = files.open(root.resolve("d/new"),
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ch.write(ByteBuffer.wrap(INSIDE));
        }
        files.setLastModifiedTime(root.resolve("d/new"), FileTime.fromMillis(1_700_000_000_000L));
        assertEquals(1_700_000_000_000L, Files.getLastModifiedTime(root.resolve("d/new")).toMillis());
        files.syncFolder(root.resolve("d"));

        files.createDirectory(root.resolve("d/m"), root);
        assertTrue(Files.isDirectory(root.resolve("d/m")));
        assertThrows(FileAlreadyExistsException.class, () -> files.createDirectory(root.resolve("d/m"), root));
        assertThrows(NoSuchFileException.class, () -> files.createDirectory(root.resolve("nope/x"), root));
        assertThrows(FileAlreadyExistsException.class, () -> files.createDirectory(root.resolve("top"), root), "a file is there");
        try (var l = Files.list(root)) {
            assertEquals(List.of(), l.map(p -> p.getFileName().toString())
                    .filter(UploadTemps::isTempName).toList(), "no staged folder is left in the root");
        }
        files.createDirectories(root.resolve("a/b/c"), root);
        files.createDirectories(root.resolve("a/b/c"), root); // existing: fine
        assertTrue(Files.isDirectory(root.resolve("a/b/c")));
        assertThrows(FileAlreadyExistsException.class, () -> files.createDirectories(root.resolve("top/x"), root));

        files.move(root.resolve("d/new"), root.resolve("a/b/moved"));
        assertArrayEquals(INSIDE, Files.readAllBytes(root.resolve("a/b/moved")));
        Files.write(root.resolve("a/taken"), SECRET);
        assertThrows(FileAlreadyExistsException.class, () -> files.moveNoReplace(root.resolve("a/b/moved"), root.resolve("a/taken")));
        files.moveNoReplace(root.resolve("a/b/moved"), root.resolve("a/free"));
        assertTrue(Files.exists(root.resolve("a/free")));

        Files.createSymbolicLink(root.resolve("d/link-out"), outside);
        Set<String> names = new TreeSet<>();
        try (RootFolder folder = files.openFolder(root.resolve("d"))) {
            for (Path e : folder.entries()) {
                names.add(e.getFileName().toString());
                if (e.getFileName().toString().equals("link-out")) {
                    assertTrue(folder.attributes(e).isSymbolicLink(), "a link is described, not followed");
                    assertEquals(root.resolve("d/link-out"), folder.pathOf(e));
                }
            }
        }
        assertEquals(new TreeSet<>(Set.of("f", "sub", "m", "link-out")), names);
        try (RootFolder folder = files.openFolder(root)) {
            assertTrue(folder.entries().iterator().hasNext(), "the root itself can be listed");
        }

        Map<String, String> outsideBefore = snapshot(outside);
        Files.createSymbolicLink(root.resolve("a/b/c/out"), outside);
        files.deleteTree(root.resolve("a"));
        assertFalse(Files.exists(root.resolve("a")));
        assertEquals(outsideBefore, snapshot(outside), "a tree's link to outside is removed, never followed");

        assertThrows(DirectoryNotEmptyException.class, () -> files.delete(root.resolve("d")));
        files.delete(root.resolve("d/m"));
        assertFalse(files.deleteIfExists(root.resolve("d/m")));
        files.delete(root.resolve("d/link-out"));
        assertTrue(Files.exists(outside), "deleting a link removes the link");
        assertThrows(IllegalArgumentException.class, () -> files.delete(tmp.resolve("outside/f")), "outside the root");

        if (fdsBefore >= 0) {
            // The kept root handle is the JDK's folder stream: its descriptor and a dup, both of the root.
            assertEquals(fdsBefore - rootFdsBefore, fdsUnder(root) - fdsOf(root, true),
                    "every folder handle and file below the root was closed");
            assertEquals(handles, fdsOf(root, true) > rootFdsBefore, "the root handle is kept (only on handles)");
        }
        files.close();
        if (fdsBefore >= 0) {
            assertEquals(fdsBefore, fdsUnder(root), "close ends the kept root handle");
        }
    }

    @Test
    void aFileIsOpenedForReadingWithOneWalkAndDescribedByIt() throws Exception {
        assumeTrue(RootFiles.probe(root, FileOpener.DEFAULT).usesHandles(), "no folder handles on this platform");
        try (RootFiles files = new RootFiles(root, FileOpener.DEFAULT, true)) {
            long before = files.walks();
            ReadFile rf = files.openForRead(root.resolve("d/sub/g"), false);
            try (FileChannel ch = rf.channel()) {
                assertEquals(1, files.walks() - before, "stat, open and size in one walk");
                assertTrue(rf.stat().isFile());
                assertEquals(INSIDE.length, rf.stat().size());
                assertEquals(-1, rf.stat().ctimeNanos(), "no stat by path unless asked");
                ByteBuffer b = ByteBuffer.allocate(INSIDE.length);
                ch.read(b, 0);
                assertArrayEquals(INSIDE, b.array());
            }
            ReadFile withCtime = files.openForRead(root.resolve("top"), true);
            withCtime.channel().close();
            assertEquals(files.stat(root.resolve("top")), withCtime.stat(), "with the change time, as STAT says");

            ReadFile folder = files.openForRead(root.resolve("d"), false);
            assertNull(folder.channel(), "a folder is described, not opened");
            assertTrue(folder.stat().isDir());
        }
    }

    @Test
    void theKeptRootHandleFollowsARootThatIsReplacedOrRemoved() throws Exception {
        assumeTrue(RootFiles.probe(root, FileOpener.DEFAULT).usesHandles(), "no folder handles on this platform");
        Path old = tmp.resolve("root.old");
        try (RootFiles files = new RootFiles(root, FileOpener.DEFAULT, true)) {
            assertEquals(INSIDE.length, files.stat(root.resolve("top")).size());
            int fdsKept = fdsUnder(root);

            // Replaced: the old root moved away, another folder put at its path.
            Files.move(root, old);
            Files.createDirectories(root);
            Files.write(root.resolve("top"), SECRET);
            assertEquals(SECRET.length, files.stat(root.resolve("top")).size(), "the new root is served");
            if (fdsKept >= 0) {
                assertEquals(0, fdsUnder(old), "the replaced root's handle was closed");
                assertEquals(fdsKept, fdsUnder(root), "one handle, of the new root");
            }

            // Removed: an access fails as on a missing folder, and the handle is let go.
            Files.delete(root.resolve("top"));
            Files.delete(root);
            assertThrows(NoSuchFileException.class, () -> files.stat(root.resolve("top")));
            assertThrows(NoSuchFileException.class, () -> files.openForRead(root.resolve("top"), false));
            if (fdsKept >= 0) {
                assertEquals(0, fdsUnder(tmp), "no handle of the removed root stays open");
            }

            // Back: served again.
            Files.move(old, root);
            assertEquals(INSIDE.length, files.stat(root.resolve("top")).size());
        }
    }

    /** Open descriptors of this process that lead under {@code dir}; -1 without /proc. */
    private static int fdsUnder(Path dir) throws IOException {
        return fdsOf(dir, false);
    }

    /** Open descriptors that lead to {@code dir} itself ({@code exactly}) or under it; -1 without /proc. */
    static int fdsOf(Path dir, boolean exactly) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        int n = 0;
        try (var l = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) l::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (exactly ? target.equals(dir) : target.startsWith(dir)) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, gone
                }
            }
        }
        return n;
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                m.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? new String(Files.readAllBytes(p)) : "dir");
            }
        }
        return m;
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** STAT, LIST, MKDIR, DELETE, RENAME and HASH: results and each error code. */
class NamespaceTest {
    @TempDir
    Path tmp;

    private static String code(Executable op) {
        return assertThrows(RemoteException.class, op).code();
    }

    @Test
    void mkdirStatListDeleteRename() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            FileClient f = new FileClient(c);
            f.mkdir("a", false);
            assertEquals("exists", code(() -> f.mkdir("a", false)));
            assertEquals("not_found", code(() -> f.mkdir("x/y", false)));
            f.mkdir("x/y/z", true);
            f.mkdir("x/y/z", true); // parents: an existing folder is fine
            Files.write(s.root.resolve("a/file"), "12345".getBytes());
            assertEquals("exists", code(() -> f.mkdir("a/file", true)));

            FileInfo st = f.stat("a/file");
            assertEquals("file", st.type());
            assertEquals(5, st.fileSize());
            assertEquals(Files.getLastModifiedTime(s.root.resolve("a/file")).toMillis(), st.mtimeMillis());
            assertEquals("dir", f.stat("a").type());
            assertEquals(".", f.stat("").name());
            assertEquals("not_found", code(() -> f.stat("missing")));

            List<FileInfo> top = f.list("");
            assertEquals(List.of("a", "x"), top.stream().map(FileInfo::name).toList());
            assertTrue(top.get(0).isDir());
            assertEquals(List.of(new FileInfo("file", "file", 5, st.mtimeMillis(), null)), f.list("a"));
            assertEquals("bad_request", code(() -> f.list("a/file")));
            assertEquals("not_found", code(() -> f.list("nope")));

            f.rename("a/file", "a/renamed", false);
            assertEquals("not_found", code(() -> f.rename("a/file", "a/again", false)));
            Files.write(s.root.resolve("a/other"), "o".getBytes());
            assertEquals("exists", code(() -> f.rename("a/renamed", "a/other", false)));
            f.rename("a/renamed", "a/other", true);
            assertEquals("12345", new String(Files.readAllBytes(s.root.resolve("a/other"))));
            assertEquals("bad_request", code(() -> f.rename("x", "x/y/inside", false)));
            f.rename("x", "a/x", false); // folders move too
            assertTrue(Files.isDirectory(s.root.resolve("a/x/y/z")));

            assertEquals("conflict", code(() -> f.delete("a", false)));
            assertEquals("not_found", code(() -> f.delete("gone", false)));
            assertEquals("forbidden", code(() -> f.delete("", true)));
            f.delete("a/other", false);
            f.delete("a", true);
            assertEquals(List.of(), f.list(""));
        }
    }

    @Test
    void recursiveDeleteRemovesLinksNotWhatTheyPointTo() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("precious"), "p".getBytes());
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Files.createDirectories(s.root.resolve("d/e"));
            Files.createSymbolicLink(s.root.resolve("d/e/link"), outside);
            new FileClient(c).delete("d", true);
            assertFalse(Files.exists(s.root.resolve("d")));
            assertTrue(Files.exists(outside.resolve("precious")));
        }
    }

    @Test
    void hashIsCachedByVersionAndFollowsChanges() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Path p = Files.write(s.root.resolve("h"), "hello".getBytes());
            Header first = c.call(Header.op("HASH").put("path", "h"));
            assertEquals(sha256("hello"), first.getString("digest", null));
            assertEquals("sha-256", first.getString("algorithm", null));
            assertFalse(first.getBoolean("cached", true));
            assertTrue(c.call(Header.op("HASH").put("path", "h")).getBoolean("cached", false), "second time from the cache");

            Files.write(p, "HELLO".getBytes()); // same size, new contents
            assertEquals(sha256("HELLO"), new FileClient(c).hash("h", DigestAlgorithm.SHA_256), "a change is a new version");
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest("HELLO".getBytes())),
                    new FileClient(c).hash("h", DigestAlgorithm.MD5));
            assertEquals(sha256("HELLO"), new FileClient(c).stat("h", DigestAlgorithm.SHA_256).digest());
            assertEquals("bad_request", code(() -> c.call(Header.op("HASH").put("path", "h").put("algorithm", "crc7"))));
            assertEquals("bad_request", code(() -> c.call(Header.op("HASH").put("path", "h").put("algorithm", "none"))));
            Files.createDirectories(s.root.resolve("dir"));
            assertEquals("bad_request", code(() -> c.call(Header.op("HASH").put("path", "dir"))));
        }
    }

    @Test
    void helloListsTheFilesFeatureAndBadFieldsAreClear() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            assertTrue(((List<?>) c.hello().get("features")).contains("files"));
            RemoteException e = assertThrows(RemoteException.class, () -> c.call(Header.op("STAT")));
            assertEquals("bad_request", e.code());
            assertTrue(e.getMessage().contains("\"path\""), e.getMessage());
            assertEquals("bad_request", code(() -> c.call(Header.op("GET").put("path", 5L))));
        }
    }

    @Test
    void limitsGiveTooLarge() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.maxFileBytes(1000).maxListEntries(2)); FerryClient c = s.connect()) {
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "big").put("fileSize", 1001L);
            c.send(put, ByteBuffer.wrap(new byte[1001]));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id()));
            assertEquals("too_large", e.code());
            assertTrue(e.getMessage().contains("1000"), e.getMessage());
            for (String n : new String[] {"a", "b", "c"}) {
                Files.write(s.root.resolve(n), new byte[1]);
            }
            assertEquals("too_large", code(() -> new FileClient(c).list("")));
            assertEquals(1, new FileClient(c).stat("a").fileSize(), "the connection goes on");
        }
    }

    private static String sha256(String s) throws Exception {
        return TestData.sha256(s.getBytes());
    }
}

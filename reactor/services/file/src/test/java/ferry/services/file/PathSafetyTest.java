package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.OpException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way out of the root is refused with a clear error: lexically, and through symlinks. */
class PathSafetyTest {
    @TempDir
    Path tmp;

    private PathResolver resolver() throws Exception {
        return new PathResolver(Files.createDirectories(tmp.resolve("root")).toRealPath(), 1024, 255);
    }

    private static void refused(PathResolver r, String path, String code, String words) {
        OpException e = assertThrows(OpException.class, () -> r.resolve("", path), path);
        assertEquals(code, e.code(), path);
        assertTrue(e.getMessage().contains(words), "message for " + path + ": " + e.getMessage());
    }

    @Test
    void lexicalRefusals() throws Exception {
        PathResolver r = resolver();
        refused(r, "..", "forbidden", "\"..\"");
        refused(r, "a/../../etc/passwd", "forbidden", "\"..\"");
        refused(r, "a/..", "forbidden", "\"..\"");
        refused(r, "/etc/passwd", "forbidden", "absolute");
        refused(r, "a\0b", "bad_request", "NUL");
        refused(r, "a\\..\\b", "bad_request", "backslash");
        refused(r, "a\nb", "bad_request", "control character");
        refused(r, "x".repeat(256), "bad_request", "over the limit of 255");
        refused(r, "é".repeat(128), "bad_request", "256 bytes"); // 128 characters, 256 UTF-8 bytes
        refused(r, "a/".repeat(600), "bad_request", "over the limit of 1024");
        refused(r, "d/.ferry-part-0123", "forbidden", "reserved");
    }

    @Test
    void harmlessFormsAreNormalized() throws Exception {
        PathResolver r = resolver();
        assertEquals("a/b", r.resolve("", "a/./b").rootRelative());
        assertEquals("a/b", r.resolve("", "a//b/").rootRelative());
        assertEquals("", r.resolve("", "").rootRelative());
        assertEquals(".", r.resolve("", ".").shown());
        assertEquals("users/bob/x", r.resolve("users/bob", "x").rootRelative());
        assertEquals("ü/日本.txt", r.resolve("", "ü/日本.txt").rootRelative());
        assertEquals("x".repeat(255), r.resolve("", "x".repeat(255)).rootRelative());
        assertEquals("..x/x..", r.resolve("", "..x/x..").rootRelative(), "dots inside names are names");
    }

    @Test
    void symlinksOutOfTheRootAreRefusedAndInsideOnesWork() throws Exception {
        PathResolver r = resolver();
        Path root = r.root();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("secret"), "s".getBytes());
        Files.createSymbolicLink(root.resolve("out-dir"), outside);
        Files.createSymbolicLink(root.resolve("out-file"), outside.resolve("secret"));
        Files.createDirectories(root.resolve("in"));
        Files.write(root.resolve("in/f"), "f".getBytes());
        Files.createSymbolicLink(root.resolve("in-link"), root.resolve("in"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nothing"));

        for (String p : new String[] {"out-dir", "out-dir/secret", "out-dir/new-file", "out-file"}) {
            OpException e = assertThrows(OpException.class, () -> r.confine(r.resolve("", p)), p);
            assertEquals("forbidden", e.code(), p);
            assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        }
        assertEquals(root.resolve("in/f"), r.confine(r.resolve("", "in-link/f")));
        assertEquals("not_found", assertThrows(OpException.class, () -> r.confine(r.resolve("", "dangling"))).code());
    }

    @Test
    void everyCaseIsRefusedOverTheWireAndNothingIsWrittenOutside() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("secret"), "s".getBytes());
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Files.createSymbolicLink(s.root.resolve("out"), outside);
            String[][] cases = {
                {"../outside/secret", "forbidden"}, {"/etc/passwd", "forbidden"}, {"a\0b", "bad_request"},
                {"..\\outside\\secret", "bad_request"}, {"out/secret", "forbidden"}, {"n".repeat(300), "bad_request"},
            };
            FileClient files = new FileClient(c);
            for (String[] k : cases) {
                RemoteException get = assertThrows(RemoteException.class, () -> files.download(k[0], tmp.resolve("x")), k[0]);
                assertEquals(k[1], get.code(), "GET " + k[0]);
                assertFalse(get.serverMessage().isEmpty());
                Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", k[0]).put("fileSize", 3L);
                c.send(put, ByteBuffer.wrap("bad".getBytes()));
                assertEquals(k[1], assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id())).code(),
                        "PUT " + k[0]);
            }
            // The symlink case passes the lexical stage and is caught on the worker: nothing landed outside.
            try (var l = Files.list(outside)) {
                assertEquals(1, l.count());
            }
            assertEquals("s", new String(Files.readAllBytes(outside.resolve("secret"))));
        }
    }

    /**
     * Control characters of every range (DEL, and C1: NEL U+0085 and the 8-bit terminal CSI U+009B)
     * are refused in names by MKDIR, PUT and RENAME, with the code point named, and nothing is
     * created.
     */
    @Test
    void controlCharactersOfEveryRangeAreRefusedAndNothingIsCreated() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            Files.write(s.root.resolve("plain"), "p".getBytes());
            Path local = Files.write(tmp.resolve("local"), "data".getBytes());
            for (char ch : new char[] {'\u007f', '\u0085', '\u009b'}) {
                String name = "a" + ch + "b";
                String codePoint = String.format("U+%04X", (int) ch);
                RemoteException mkdir = assertThrows(RemoteException.class, () -> files.mkdir(name, true), codePoint);
                assertEquals("bad_request", mkdir.code(), "MKDIR " + codePoint);
                assertTrue(mkdir.serverMessage().contains("control character " + codePoint), mkdir.serverMessage());
                RemoteException put = assertThrows(RemoteException.class, () -> files.upload(local, "d/" + name), codePoint);
                assertEquals("bad_request", put.code(), "PUT " + codePoint);
                assertTrue(put.serverMessage().contains(codePoint), put.serverMessage());
                RemoteException mv = assertThrows(RemoteException.class, () -> files.rename("plain", name, false), codePoint);
                assertEquals("bad_request", mv.code(), "RENAME " + codePoint);
            }
            try (var l = Files.list(s.root)) {
                assertEquals(List.of("plain"), l.map(p -> p.getFileName().toString()).toList(), "nothing was created");
            }
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }
}

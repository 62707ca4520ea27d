package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every op checks the session's right, and a user with a home folder stays inside it. */
class RightsTest {
    @TempDir
    Path tmp;

    private FileTestServer serverWith(Set<Right> rights) throws Exception {
        FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.anonymousRights(rights), f -> { });
        Files.write(s.root.resolve("f"), "data".getBytes());
        Files.createDirectories(s.root.resolve("d"));
        return s;
    }

    private static void forbidden(Executable op, String what) {
        RemoteException e = assertThrows(RemoteException.class, op, what);
        assertEquals("forbidden", e.code(), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("lacks the") || e.getMessage().contains("needs the"), e.getMessage());
    }

    @Test
    void readOnlySessionsCannotChangeAnything() throws Exception {
        try (FileTestServer s = serverWith(EnumSet.of(Right.READ)); FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            Path src = Files.write(tmp.resolve("src"), "x".getBytes());
            forbidden(() -> files.upload(src, "g"), "PARTIAL/PUT");
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "g").put("fileSize", 1L);
            c.send(put, ByteBuffer.wrap(new byte[1]));
            forbidden(() -> c.expect(c.readHeader(), "OK", put.id()), "PUT");
            forbidden(() -> files.mkdir("e", false), "MKDIR");
            forbidden(() -> files.delete("f", false), "DELETE");
            forbidden(() -> files.rename("f", "h", false), "RENAME");
            assertFalse(Files.exists(s.root.resolve("g")));
            assertTrue(Files.exists(s.root.resolve("f")));
            // reading works
            assertEquals(4, files.stat("f").fileSize());
            assertEquals(2, files.list("").size());
            assertEquals(64, files.hash("f", DigestAlgorithm.SHA_256).length());
            files.download("f", tmp.resolve("got"));
        }
    }

    @Test
    void sessionsWithoutReadCannotRead() throws Exception {
        try (FileTestServer s = serverWith(EnumSet.noneOf(Right.class)); FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            forbidden(() -> files.download("f", tmp.resolve("got")), "GET");
            forbidden(() -> files.stat("f"), "STAT");
            forbidden(() -> files.list(""), "LIST");
            forbidden(() -> files.hash("f", DigestAlgorithm.SHA_256), "HASH");
            assertFalse(Files.exists(tmp.resolve("got")));
        }
    }

    @Test
    void deletingAndReplacingNeedTheDeleteRight() throws Exception {
        try (FileTestServer s = serverWith(EnumSet.of(Right.READ, Right.WRITE)); FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            Files.write(s.root.resolve("other"), "o".getBytes());
            forbidden(() -> files.delete("f", false), "DELETE");
            forbidden(() -> files.rename("f", "other", true), "RENAME over an existing file");
            files.rename("f", "renamed", false); // a plain rename is a write
            files.mkdir("e", false);
            assertTrue(Files.exists(s.root.resolve("renamed")));
            assertEquals("o", new String(Files.readAllBytes(s.root.resolve("other"))));
        }
    }

    /**
     * A PUT over an existing file destroys its contents as surely as a DELETE: without the delete
     * right it is refused (as RENAME over a file is), while creating files and resuming one's own
     * unfinished upload stay plain writes.
     */
    @Test
    void replacingAFileByPutNeedsTheDeleteRight() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"),
                b -> b.anonymousRights(EnumSet.of(Right.READ, Right.WRITE)), f -> f.events(events));
             FerryClient c = s.connect()) {
            Files.write(s.root.resolve("f"), "data".getBytes());
            FileClient files = new FileClient(c);
            Path src = Files.write(tmp.resolve("src"), "replaced".getBytes());
            forbidden(() -> files.upload(src, "f"), "PUT over an existing file");
            assertEquals("data", Files.readString(s.root.resolve("f")), "the file is untouched");
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "f").put("fileSize", 1L)
                    .put("overwrite", false);
            c.send(put, ByteBuffer.wrap(new byte[1]));
            assertEquals("exists", assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id())).code(),
                    "overwrite false: exists, as before");

            files.upload(src, "g"); // creating a file is a write
            assertEquals("replaced", Files.readString(s.root.resolve("g")));

            Path big = TestData.write(tmp.resolve("big"), 1 << 20, 7);
            long cut = 300_000;
            ResumeTest.sendPrefixThenDrop(s, big, "h", 1 << 20, TestData.sha256(big), cut);
            assertEquals(cut, ResumeTest.Events.next(events.suspended));
            assertEquals(cut, files.upload(big, "h").resumedFrom(), "resuming one's own upload is no replace");
            assertEquals(-1, TestData.mismatch(big, s.root.resolve("h")));
            assertEquals(List.of(), ResumeTest.temps(s.root));
        }
    }

    /** The check at the start is not the only one: a file that appears meanwhile is not replaced either. */
    @Test
    void aFileCreatedWhileAWriteOnlyUploadRunsIsNotReplacedByIt() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"),
                b -> b.anonymousRights(EnumSet.of(Right.READ, Right.WRITE)), f -> f.events(events));
             FerryClient c = s.connect()) {
            byte[] body = TestData.bytes(64 * 1024, 8);
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "late").put("fileSize", (long) body.length)
                    .put("algorithm", "none").put(Header.SIZE, (long) body.length);
            c.send(put);
            c.sendBody(ByteBuffer.wrap(body, 0, 1000));
            ResumeTest.Events.next(events.started);
            Files.write(s.root.resolve("late"), "theirs".getBytes()); // another user, a local process...
            c.sendBody(ByteBuffer.wrap(body, 1000, body.length - 1000));
            forbidden(() -> c.expect(c.readHeader(), "OK", put.id()), "the commit over a file that appeared");
            assertEquals("theirs", Files.readString(s.root.resolve("late")));
            assertEquals(List.of(), ResumeTest.temps(s.root), "the refused upload's temp is removed");
        }
    }

    @Test
    void aUserIsConfinedToTheirHomeFolder() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("users/bob"));
        Files.createDirectories(root.resolve("users/alice"));
        Files.write(root.resolve("users/alice/secret"), "alice's".getBytes());
        Files.write(root.resolve("users/bob/mine"), "bob's".getBytes());
        Files.write(root.resolve("top"), "top".getBytes());
        Files.createSymbolicLink(root.resolve("users/bob/to-alice"), root.resolve("users/alice"));
        // A test login op puts the connection in the shoes of bob, confined to users/bob.
        ServerConfig cfg = ServerConfig.builder().port(0).loginRequired(true).build();
        FerryServer server = new FerryServer(cfg);
        server.registerPublic("TESTLOGIN", call -> {
            call.session().login("bob", EnumSet.allOf(Right.class), "users/bob");
            call.reply(Header.reply("OK", call.id()));
            return null;
        });
        server.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        server.start();
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            FileClient files = new FileClient(c);
            assertEquals("unauthenticated", assertThrows(RemoteException.class, () -> files.stat("mine")).code());
            c.call(Header.op("TESTLOGIN"));
            assertEquals(5, files.stat("mine").fileSize(), "paths are relative to the home folder");
            assertEquals(List.of("mine", "to-alice"), files.list("").stream().map(e -> e.name()).toList());
            assertEquals("other", files.list("").get(1).type(), "a link out of the home is not described");
            RemoteException up = assertThrows(RemoteException.class, () -> files.stat("../alice/secret"));
            assertEquals("forbidden", up.code());
            RemoteException link = assertThrows(RemoteException.class, () -> files.stat("to-alice/secret"));
            assertEquals("forbidden", link.code());
            assertTrue(link.getMessage().contains("symlink"), link.getMessage());
            assertEquals("not_found", assertThrows(RemoteException.class, () -> files.stat("top")).code(),
                    "the root's files are not bob's");
            Path src = Files.write(tmp.resolve("src"), "new".getBytes());
            files.upload(src, "new");
            assertTrue(Files.exists(root.resolve("users/bob/new")));
            assertEquals("forbidden", assertThrows(RemoteException.class, () -> files.delete("", true)).code());
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }
}

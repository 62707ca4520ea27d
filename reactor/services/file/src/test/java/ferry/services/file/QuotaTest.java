package ferry.services.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-home quotas (issue 17, "Running it for many users"), through a real server: a PUT that
 * would take its home over is refused before any body byte (no temp on the disk), concurrent
 * uploads reserve their size, DELETE (recursive too) and replacing give room back, a restart and
 * the rescan interval learn what is on the disk, and the number of files is limited too. Each
 * user logs in with a home of their own ({@code alice/}, {@code bob/}).
 */
class QuotaTest {
    private static final long QUOTA_BYTES = 2000;

    @TempDir
    Path tmp;

    private final ResumeTest.Events events = new ResumeTest.Events();

    private FileTestServer start(Consumer<FileServiceConfig.Builder> files) throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("alice"));
        Files.createDirectories(root.resolve("bob"));
        return FileTestServer.startWithTestLogin(root, b -> { }, f -> files.accept(f.events(events)));
    }

    private static FerryClient login(FileTestServer s, String user) throws IOException {
        FerryClient c = s.connect();
        FileTestServer.testLogin(c, user, "read,write,delete", user);
        return c;
    }

    private static Header put(FerryClient c, String path, long fileSize, long offset) {
        return Header.op("PUT").put(Header.ID, c.nextId()).put("path", path).put("fileSize", fileSize)
                .put("offset", offset).put("algorithm", "none").put(Header.SIZE, fileSize - offset);
    }

    /** A whole PUT of {@code size} bytes, expected to succeed. */
    private static void store(FerryClient c, String path, int size) throws IOException {
        Header h = put(c, path, size, 0);
        c.send(h, ByteBuffer.wrap(new byte[size]));
        c.expect(c.readHeader(), "OK", h.id());
    }

    /** A whole PUT expected to be refused with {@code quota_exceeded}; the connection stays usable. */
    private static RemoteException refused(FerryClient c, String path, int size) throws IOException {
        Header h = put(c, path, size, 0);
        c.send(h, ByteBuffer.wrap(new byte[size]));
        RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", h.id()));
        assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code(), e.getMessage());
        assertEquals("PONG", c.call(Header.op("PING")).op(), "the refused body was read and dropped");
        return e;
    }

    private static void delete(FerryClient c, String path, boolean recursive) throws IOException {
        c.call(Header.op("DELETE").put("path", path).put("recursive", recursive));
    }

    private static List<Path> temps(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> UploadTemps.isTempName(p.getFileName().toString())).toList();
        }
    }

    @Test
    void anUploadOverTheQuotaIsRefusedBeforeItsBodyAndLeavesNoTemp() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient alice = login(s, "alice")) {
            store(alice, "a", 1500);
            Header h = put(alice, "b", 1000, 0);
            alice.send(h); // the header only: the answer must not wait for a single body byte
            RemoteException e = assertThrows(RemoteException.class, () -> alice.expect(alice.readHeader(), "OK", h.id()));
            assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
            assertTrue(e.getMessage().contains("quota of 2000 bytes: 1500 stored"), e.getMessage());
            assertEquals(List.of(), temps(s.root), "nothing was written for the refused upload");
            assertEquals(List.of("alice/a"), List.copyOf(drain(events.started)), "only the first upload started");

            alice.sendBody(ByteBuffer.wrap(new byte[1000])); // the body still comes: read and dropped
            assertEquals("PONG", alice.call(Header.op("PING")).op());
            assertTrue(Files.notExists(s.root.resolve("alice/b")));
            store(alice, "b", 500); // exactly up to the quota is fine

            try (FerryClient bob = login(s, "bob")) {
                store(bob, "a", 2000); // another home has a quota of its own
            }
        }
    }

    @Test
    void concurrentUploadsOfOneHomeReserveTheirDeclaredSize() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient first = login(s, "alice");
             FerryClient second = login(s, "alice")) {
            Header running = put(first, "big", 1500, 0);
            first.send(running);
            first.sendBody(ByteBuffer.wrap(new byte[100])); // under way: 100 of 1500 bytes sent
            ResumeTest.Events.next(events.started);

            RemoteException e = refused(second, "other", 1000);
            assertTrue(e.getMessage().contains("1500 reserved by uploads in progress"), e.getMessage());

            first.sendBody(ByteBuffer.wrap(new byte[1400]));
            first.expect(first.readHeader(), "OK", running.id());
            store(second, "other", 500); // the reservation became usage: exactly the quota
            refused(second, "one-more", 1);
        }
    }

    @Test
    void aFailedUploadGivesItsReservationBack() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient alice = login(s, "alice")) {
            Header h = put(alice, "bad", 1500, 0).put("algorithm", "sha-256").put("expect", "00".repeat(32));
            alice.send(h, ByteBuffer.wrap(new byte[1500]));
            RemoteException e = assertThrows(RemoteException.class, () -> alice.expect(alice.readHeader(), "OK", h.id()));
            assertEquals(ErrorCode.DIGEST_MISMATCH, e.code());
            store(alice, "good", 2000);
        }
    }

    @Test
    void deletingAndReplacingFilesGivesRoomBack() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient alice = login(s, "alice")) {
            store(alice, "a", 1500);
            refused(alice, "b", 1000);
            delete(alice, "a", false);
            store(alice, "b", 1000);

            store(alice, "b", 1900); // a replace counts the new size minus the old: 900 more
            refused(alice, "b", 2001);
            alice.call(Header.op("MKDIR").put("path", "d"));
            refused(alice, "d/x", 200);
            store(alice, "b", 800);
            store(alice, "d/x", 600);
            store(alice, "d/y", 600);
            refused(alice, "c", 100);
            delete(alice, "d", true); // a recursive delete frees what it removed
            store(alice, "c", 1200);

            alice.call(Header.op("RENAME").put("from", "c").put("to", "b").put("overwrite", true));
            store(alice, "d2", 800); // the 800 bytes RENAME replaced are free again
            assertArrayEquals(new long[] {2000, 2}, s.service.quotaUsage("alice"));
        }
    }

    @Test
    void aRestartedServerScansWhatTheHomeHolds() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient alice = login(s, "alice")) {
            store(alice, "a", 1500);
        }
        Files.write(tmp.resolve("root/alice/by-hand"), new byte[300]); // files made by other means count too
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES));
             FerryClient alice = login(s, "alice")) {
            RemoteException e = refused(alice, "b", 201);
            assertTrue(e.getMessage().contains("1800 stored"), e.getMessage());
            store(alice, "b", 200);
        }
    }

    @Test
    void aUsersOwnQuotaOverridesTheServersDefault() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES).defaultQuotaFiles(1));
             FerryClient alice = s.connect();
             FerryClient bob = s.connect()) {
            alice.call(Header.op(FileTestServer.TEST_LOGIN).put("user", "alice").put("rights", "read,write")
                    .put("home", "alice").put("quotaBytes", 500L).put("quotaFiles", -1L)); // files: the default, 1
            bob.call(Header.op(FileTestServer.TEST_LOGIN).put("user", "bob").put("rights", "read,write")
                    .put("home", "bob").put("quotaBytes", 0L).put("quotaFiles", 0L)); // none at all
            RemoteException e = refused(alice, "a", 501);
            assertTrue(e.getMessage().contains("quota of 500 bytes"), e.getMessage());
            store(alice, "a", 500);
            assertTrue(refused(alice, "b", 0).getMessage().contains("quota of 1 files"));
            store(bob, "a", 3000);
            store(bob, "b", 3000);
        }
    }

    @Test
    void theNumberOfFilesIsLimitedToo() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaFiles(2));
             FerryClient alice = login(s, "alice")) {
            store(alice, "a", 10);
            store(alice, "b", 10);
            RemoteException e = refused(alice, "c", 10);
            assertTrue(e.getMessage().contains("quota of 2 files"), e.getMessage());
            store(alice, "a", 20); // replacing a file adds none
            alice.call(Header.op("MKDIR").put("path", "folder")); // folders are not files
            delete(alice, "b", false);
            store(alice, "folder/c", 10);
        }
    }

    @Test
    void aResumeCountsThePartialsBytes() throws Exception {
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES))) {
            try (FerryClient alice = login(s, "alice")) {
                alice.send(put(alice, "big", 1500, 0));
                alice.sendBody(ByteBuffer.wrap(new byte[500]));
                ResumeTest.Events.next(events.started);
            } // dropped: 500 bytes kept for a resume, its reservation given back
            assertEquals(500L, ResumeTest.Events.next(events.suspended));
            try (FerryClient alice = login(s, "alice")) {
                store(alice, "small", 1000);
                Header resume = put(alice, "big", 1500, 500);
                alice.send(resume, ByteBuffer.wrap(new byte[1000]));
                RemoteException e = assertThrows(RemoteException.class,
                        () -> alice.expect(alice.readHeader(), "OK", resume.id()));
                assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code(), "1000 stored + the whole 1500 is over 2000");
                assertEquals(1, temps(s.root).size(), "the partial is kept for a resume once there is room");
                delete(alice, "small", false);
                Header again = put(alice, "big", 1500, 500);
                alice.send(again, ByteBuffer.wrap(new byte[1000]));
                alice.expect(alice.readHeader(), "OK", again.id());
            }
        }
    }

    @Test
    void theTempsOfDroppedUploadsCountUntilResumedOrSwept() throws Exception {
        FakeClock wall = new FakeClock();
        Duration maxAge = Duration.ofHours(1);
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES).wallClock(wall.wall())
                .tempMaxAgeMillis(maxAge.toMillis()))) {
            for (String path : List.of("x", "y")) {
                try (FerryClient alice = login(s, "alice")) {
                    alice.send(put(alice, path, 900, 0));
                    alice.sendBody(ByteBuffer.wrap(new byte[600]));
                    ResumeTest.Events.next(events.started);
                } // dropped: its 600 bytes stay on the disk
                assertEquals(600L, ResumeTest.Events.next(events.suspended));
            }
            try (FerryClient alice = login(s, "alice")) {
                RemoteException e = refused(alice, "z", 801); // starting and dropping uploads cannot fill the disk
                assertTrue(e.getMessage().contains("1200 stored"), e.getMessage());
                store(alice, "w", 700);
                Header resume = put(alice, "x", 900, 600); // x's own 600 bytes move into its reservation of 900
                alice.send(resume, ByteBuffer.wrap(new byte[300]));
                RemoteException over = assertThrows(RemoteException.class,
                        () -> alice.expect(alice.readHeader(), "OK", resume.id()));
                assertEquals(ErrorCode.QUOTA_EXCEEDED, over.code(), "600 of y + 700 of w + 900 of x");
                assertTrue(over.getMessage().contains("1300 stored"), over.getMessage());

                wall.advance(maxAge.multipliedBy(2));
                assertEquals(2, s.service.sweepTempsNow());
                assertArrayEquals(new long[] {700, 1}, s.service.quotaUsage("alice"), "the swept temps gave their bytes back");
                store(alice, "z", 1300);
            }
        }
    }

    @Test
    void theRescanIntervalBoundsDriftFromOtherWriters() throws Exception {
        FakeClock wall = new FakeClock();
        Duration rescan = Duration.ofMinutes(10);
        try (FileTestServer s = start(f -> f.defaultQuotaBytes(QUOTA_BYTES).wallClock(wall.wall())
                .quotaRescanIntervalMillis(rescan.toMillis()));
             FerryClient alice = login(s, "alice")) {
            store(alice, "a", 500);
            Files.write(s.root.resolve("alice/from-another-node"), new byte[1400]);
            store(alice, "b", 100); // not seen yet: the count is 600, the disk holds 2000
            wall.advance(rescan);
            RemoteException e = refused(alice, "c", 1);
            assertTrue(e.getMessage().contains("2000 stored"), e.getMessage());
        }
    }

    private static List<String> drain(BlockingQueue<String> q) {
        List<String> out = new ArrayList<>();
        q.drainTo(out);
        return out;
    }
}

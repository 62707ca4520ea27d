package ferry.services.file;

import ferry.reactor.FakeClock;
import static ferry.services.file.ResumeTest.putHeader;
import static ferry.services.file.ResumeTest.sendPrefixThenDrop;
import static ferry.services.file.ResumeTest.sizeOf;
import static ferry.services.file.ResumeTest.temps;
import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.reactor.Session;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several servers over one root, as several nodes behind a load balancer over a shared
 * filesystem: two servers in this JVM play two nodes (the JDK's own lock table stands in for the
 * OS between them, {@link TempLock}). An upload is written by one node at a time, a resume on
 * another node continues the partial, the digest cache notices another node's rewrite, and one
 * node's sweeper leaves another node's running upload alone.
 */
class SharedStorageTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aSecondServerAnswersConflictWhileTheFirstWritesTheUpload() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        Path root = tmp.resolve("root");
        Path src = TestData.write(Files.createDirectories(tmp.resolve("local")).resolve("a"), 3L * MIB + 5, 1);
        String digest = TestData.sha256(src);
        long size = Files.size(src);
        try (FileTestServer one = FileTestServer.start(root, b -> { }, f -> f.events(events));
             FileTestServer two = FileTestServer.start(root);
             FerryClient writing = one.connect(); FerryClient other = two.connect()) {
            writing.hello();
            Header put = putHeader(writing, "a", size, digest);
            writing.send(put);
            try (FileChannel in = FileChannel.open(src)) {
                writing.sendFileBody(in, 0, MIB);
                ResumeTest.Events.next(events.started);
                Path temp = tempOf(one, "a", size, digest);
                Eventually.until(() -> sizeOf(temp) == MIB, "the first server wrote what it received");

                FileClient files = two.files(other);
                RemoteException partial = assertThrows(RemoteException.class,
                        () -> files.partial("a", size, DigestAlgorithm.SHA_256, digest));
                assertEquals("conflict", partial.code());
                assertTrue(partial.getMessage().contains("in progress (on another server"), partial.getMessage());
                RemoteException resume = assertThrows(RemoteException.class, () -> files.upload(src, "a"));
                assertEquals("conflict", resume.code());
                Header again = putHeader(other, "a", size, digest);
                other.send(again);
                other.sendFileBody(in, 0, size);
                RemoteException e = assertThrows(RemoteException.class, () -> other.expect(other.readHeader(), "OK", again.id()));
                assertEquals("conflict", e.code(), "the same answer as a second upload on one server");
                assertEquals(MIB, sizeOf(temp), "the refused upload did not touch the temp");

                writing.sendFileBody(in, MIB, size - MIB);
            }
            writing.expect(writing.readHeader(), "OK", put.id());
            assertEquals(-1, TestData.mismatch(src, root.resolve("a")));
            assertEquals(List.of(), temps(root));
            assertEquals("PONG", other.call(Header.op("PING")).op(), "the refused connection goes on");
        }
    }

    @Test
    void aResumeOnTheOtherServerContinuesThePartialTheFirstWrote() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        Path root = tmp.resolve("root");
        Path src = TestData.write(Files.createDirectories(tmp.resolve("local")).resolve("r"), 6L * MIB + 11, 2);
        long cut = 2L * MIB + 3;
        try (FileTestServer one = FileTestServer.start(root, b -> { }, f -> f.events(events));
             FileTestServer two = FileTestServer.start(root)) {
            sendPrefixThenDrop(one, src, "r", Files.size(src), TestData.sha256(src), cut);
            assertEquals(cut, ResumeTest.Events.next(events.suspended));
            try (FerryClient c = two.connect()) {
                TransferResult r = two.files(c).upload(src, "r");
                assertEquals(cut, r.resumedFrom(), "the second server continued the first one's partial");
                assertEquals(Files.size(src) - cut, r.transferred());
            }
            assertEquals(-1, TestData.mismatch(src, root.resolve("r")));
            assertEquals(List.of(), temps(root));
        }
    }

    @Test
    void oneServersSweeperLeavesAnotherServersRunningUploadAlone() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        FakeClock clock = new FakeClock();
        Duration maxAge = Duration.ofMinutes(10);
        Path root = tmp.resolve("root");
        Path src = TestData.write(Files.createDirectories(tmp.resolve("local")).resolve("s"), 2L * MIB, 3);
        String digest = TestData.sha256(src);
        long size = Files.size(src);
        try (FileTestServer one = FileTestServer.start(root, b -> { }, f -> f.events(events));
             FileTestServer two = FileTestServer.start(root, b -> { },
                     f -> f.wallClock(clock.wall()).tempMaxAgeMillis(maxAge.toMillis()))) {
            clock.advance(maxAge.multipliedBy(100)); // every temp is stale to the second server
            try (FerryClient c = one.connect(); FileChannel in = FileChannel.open(src)) {
                c.hello();
                Header put = putHeader(c, "s", size, digest);
                c.send(put);
                c.sendFileBody(in, 0, MIB);
                ResumeTest.Events.next(events.started);
                Path temp = tempOf(one, "s", size, digest);
                Eventually.until(() -> sizeOf(temp) == MIB, "the first server wrote what it received");
                assertEquals(0, two.service.sweepTempsNow(), "a temp another server writes is not swept");
                assertTrue(Files.exists(temp));
                c.sendFileBody(in, MIB, size - MIB);
                c.expect(c.readHeader(), "OK", put.id());
            }
            assertEquals(-1, TestData.mismatch(src, root.resolve("s")));

            sendPrefixThenDrop(one, src, "t", size, digest, MIB);
            assertEquals(MIB, ResumeTest.Events.next(events.suspended));
            assertEquals(1, two.service.sweepTempsNow(), "an abandoned temp is swept by any server");
            assertEquals(List.of(), temps(root));
        }
    }

    @Test
    void theDigestCacheNoticesARewriteThroughTheOtherServer() throws Exception {
        Path root = tmp.resolve("root");
        int size = 300_000;
        long mtime = 1_700_000_000_123L;
        byte[] first = TestData.bytes(size, 4);
        byte[] second = TestData.bytes(size, 5);
        try (FileTestServer one = FileTestServer.start(root); FileTestServer two = FileTestServer.start(root);
             FerryClient a = one.connect(); FerryClient b = two.connect()) {
            put(a, "d", first, mtime);
            assertEquals(TestData.sha256(first), one.files(a).hash("d", DigestAlgorithm.SHA_256));
            assertTrue(one.service.cachedDigests() > 0, "the first server remembers the digest");

            put(b, "d", second, mtime); // same name, size and mtime: only the file's identity and ctime differ
            assertEquals(mtime, one.files(a).stat("d").mtimeMillis());
            assertEquals(TestData.sha256(second), one.files(a).hash("d", DigestAlgorithm.SHA_256),
                    "the first server hashes the new contents, not its cached digest of the old");
        }
    }

    private static void put(FerryClient c, String path, byte[] body, long mtime) throws Exception {
        Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", path).put("fileSize", (long) body.length)
                .put("algorithm", "sha-256").put("mtime", mtime);
        c.send(put, ByteBuffer.wrap(body));
        c.expect(c.readHeader(), "OK", put.id());
    }

    private static Path tempOf(FileTestServer s, String name, long size, String digest) throws Exception {
        return UploadTemps.tempFor(s.root.toRealPath().resolve(name), Session.ANONYMOUS, size, DigestAlgorithm.SHA_256,
                digest);
    }
}

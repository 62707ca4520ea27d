package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.DigestMismatchException;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corruption is caught end to end; a failing disk costs one upload, never the server. */
class IntegrityTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aDownloadCorruptedInTransitIsDetectedAndNeverLeftUnderItsName() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"))) {
            Path src = TestData.write(s.root.resolve("f"), 3L * MIB, 1);
            Path dst = local.resolve("f");
            // One bit flipped about 1 MiB into the server-to-client stream: inside the body.
            try (CorruptingProxy proxy = new CorruptingProxy(s.server.port(), MIB);
                 FerryClient c = FerryClient.connect("127.0.0.1", proxy.port())) {
                DigestMismatchException e = assertThrows(DigestMismatchException.class,
                        () -> new FileClient(c).download("f", dst));
                assertEquals(TestData.sha256(src), e.expected());
                assertNotEquals(e.expected(), e.actual());
            }
            assertFalse(Files.exists(dst), "a corrupt download is not left under its final name");
            assertFalse(Files.exists(FileClient.partialPath(dst)), "nor kept as a partial to resume from");

            // The same corruption without verification gets through: the check above is what caught it.
            Path unchecked = local.resolve("unchecked");
            try (CorruptingProxy proxy = new CorruptingProxy(s.server.port(), MIB);
                 FerryClient c = FerryClient.connect("127.0.0.1", proxy.port())) {
                new FileClient(c, FileClient.Options.defaults().withVerify(false)).download("f", unchecked);
            }
            assertNotEquals(-1, TestData.mismatch(src, unchecked));

            try (FerryClient c = s.connect()) {
                new FileClient(c).download("f", dst);
            }
            assertEquals(-1, TestData.mismatch(src, dst));
        }
    }

    @Test
    void md5IsAvailableEndToEnd() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Path src = TestData.write(local.resolve("m"), MIB + 5, 9);
            FileClient md5 = new FileClient(c, FileClient.Options.defaults().withAlgorithm(DigestAlgorithm.MD5));
            String up = md5.upload(src, "m").digest();
            assertEquals(32, up.length());
            assertEquals(up, md5.download("m", local.resolve("m2")).digest());
            assertEquals(up, md5.hash("m", DigestAlgorithm.MD5));
            assertEquals(TestData.sha256(src), md5.hash("m", DigestAlgorithm.SHA_256));
        }
    }

    @Test
    void aPutWithAWrongDeclaredDigestIsRefusedAndStoresNothing() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.events(events));
             FerryClient c = s.connect()) {
            byte[] body = TestData.bytes(300_000, 2);
            String wrong = TestData.sha256(TestData.bytes(300_000, 3));
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "w").put("fileSize", (long) body.length)
                    .put("expect", wrong);
            c.send(put, ByteBuffer.wrap(body));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id()));
            assertEquals("digest_mismatch", e.code());
            assertTrue(e.getMessage().contains(wrong), e.getMessage());
            assertEquals("w:digest_mismatch", ResumeTest.Events.next(events.failed));
            assertFalse(Files.exists(s.root.resolve("w")));
            assertEquals(List.of(), ResumeTest.temps(s.root), "the temp is removed");

            Header bad = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "w").put("fileSize", 1L).put("expect", "abc");
            c.send(bad, ByteBuffer.wrap(new byte[1]));
            assertEquals("bad_request", assertThrows(RemoteException.class,
                    () -> c.expect(c.readHeader(), "OK", bad.id())).code(), "a malformed digest is refused up front");
        }
    }

    @Test
    void aDiskThatFillsUpFailsTheUploadRemovesItsTempAndTheServerGoesOn() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        // Writes to upload temps fail past 1 MiB, as on a full disk; every other file is normal.
        FileOpener fullDisk = (path, options) -> {
            FileChannel ch = FileChannel.open(path, options);
            return UploadTemps.isTempName(path.getFileName().toString()) ? new FailingChannel(ch, MIB) : ch;
        };
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.opener(fullDisk).events(events)); FerryClient c = s.connect()) {
            Files.write(s.root.resolve("keep"), "the old contents".getBytes());
            Path src = TestData.write(local.resolve("big"), 3L * MIB, 4);
            FileClient files = new FileClient(c);
            RemoteException e = assertThrows(RemoteException.class, () -> files.upload(src, "keep"));
            assertEquals("io_error", e.code());
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
            assertEquals("keep:io_error", ResumeTest.Events.next(events.failed));
            assertEquals("the old contents", new String(Files.readAllBytes(s.root.resolve("keep"))),
                    "a failed upload leaves the existing file alone");
            assertEquals(List.of(), ResumeTest.temps(s.root), "the temp is removed");
            assertEquals(0, s.service.activeUploads());

            // The same connection and new ones are served normally; a small upload still fits.
            Path small = TestData.write(local.resolve("small"), 1000, 5);
            files.upload(small, "small");
            assertEquals(-1, TestData.mismatch(small, s.root.resolve("small")));
            try (FerryClient other = s.connect()) {
                new FileClient(other).download("keep", local.resolve("keep"));
                assertEquals("the old contents", new String(Files.readAllBytes(local.resolve("keep"))));
            }
            assertEquals(0, s.server.loopErrors());
        }
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads written with {@code O_DIRECT} (past the page cache) and read from the socket straight
 * into the upload buffers: byte-exact at every alignment, resumable mid-block, and the next
 * request on the connection is read normally after the body.
 */
class DirectUploadTest {
    private static final int BUFFER = 8192; // small buffers: many buffers, gathering writes, pauses

    @TempDir
    Path tmp;

    private int block;

    /** Direct I/O needs a filesystem that takes it (tmpfs on older kernels does not). */
    @BeforeEach
    void requireDirectIo() throws IOException {
        Path probe = tmp.resolve("probe");
        Files.write(probe, new byte[0]);
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            block = (int) Files.getFileStore(probe).getBlockSize();
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "no O_DIRECT on " + tmp + ": " + e);
        }
        assumeTrue(UploadBufferPool.ALIGNMENT_BYTES % block == 0 && BUFFER % block == 0, "block size " + block);
    }

    /** Counts the temp files opened with O_DIRECT. */
    static final class DirectOpens implements FileOpener {
        final AtomicInteger direct = new AtomicInteger();

        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            FileChannel ch = FileChannel.open(path, options);
            if (options.contains(ExtendedOpenOption.DIRECT)) {
                direct.incrementAndGet();
            }
            return ch;
        }
    }

    @Test
    void bigUploadsGoPastThePageCacheAndStayByteExact() throws Exception {
        DirectOpens opens = new DirectOpens();
        Path local = Files.createDirectories(tmp.resolve("local"));
        long[] sizes = {1, block - 1, block, block + 1, 5L * BUFFER + 123, 3L * BUFFER, 1024 * 1024 + 1};
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.opener(opens).uploadDirectIoMinBytes(0).uploadBufferBytes(BUFFER).uploadBuffersPerUpload(3));
             FerryClient c = s.connect()) {
            FileClient files = s.files(c);
            for (long size : sizes) {
                Path src = TestData.write(local.resolve("s" + size), size, size);
                files.upload(src, "f" + size);
                assertEquals(-1, TestData.mismatch(src, s.root.resolve("f" + size)), "size " + size);
            }
            assertEquals(sizes.length, opens.direct.get(), "every upload opened its temp for direct writes");
        }
    }

    @Test
    void smallUploadsUseThePageCache() throws Exception {
        DirectOpens opens = new DirectOpens();
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.opener(opens).uploadDirectIoMinBytes(1024 * 1024));
             FerryClient c = s.connect()) {
            Path src = TestData.write(local.resolve("small"), 1024 * 1024 - 1, 7);
            s.files(c).upload(src, "small");
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("small")));
            assertEquals(0, opens.direct.get());
        }
    }

    /** A resume at an offset inside a block: the head goes through the page cache, then direct again. */
    @Test
    void resumesAtAnOffsetInsideABlock() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 7L * BUFFER + 99;
        long cut = 3L * BUFFER + 1000; // mid-block, mid-buffer
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.events(events).uploadDirectIoMinBytes(0).uploadBufferBytes(BUFFER).uploadBuffersPerUpload(2))) {
            Path src = TestData.write(local.resolve("u"), size, 5);
            ResumeTest.sendPrefixThenDrop(s, src, "u", size, TestData.sha256(src), cut);
            assertEquals(cut, ResumeTest.Events.next(events.suspended), "every byte received before the drop is kept");
            try (FerryClient c = s.connect()) {
                TransferResult r = s.files(c).upload(src, "u");
                assertEquals(cut, r.resumedFrom());
            }
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("u")));
        }
    }

    /**
     * A PUT body read straight into the upload's buffers, with the next request glued right
     * behind it in the same bytes: the body reads stop exactly at its end, and the PING that
     * follows is answered after the PUT.
     */
    @Test
    void aRequestRightBehindABodyIsServed() throws Exception {
        int size = 300 * 1024; // more than the loop's read buffer: most of it is read into the upload's buffers
        byte[] body = TestData.bytes(size, 9);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.uploadDirectIoMinBytes(0).uploadBufferBytes(BUFFER).uploadBuffersPerUpload(2));
             FerryClient c = s.connect()) {
            Header put = Header.op("PUT").put(Header.ID, 1L).put("path", "glued").put("fileSize", (long) size)
                    .put("algorithm", "sha-256").put("expect", TestData.sha256(body)).put(Header.SIZE, (long) size);
            FrameEncoder enc = new FrameEncoder();
            ByteBuffer all = ByteBuffer.allocate(size + 1024);
            enc.encode(put, all);
            all.put(body);
            enc.encode(Header.op("PING").put(Header.ID, 2L), all);
            c.sendBody(all.flip()); // raw bytes: two frames in one write
            Header ok = c.expect(c.readHeader(), "OK", 1);
            assertEquals(size, ok.requireLong("fileSize"));
            c.expect(c.readHeader(), "PONG", 2);
            assertArrayEquals(body, Files.readAllBytes(s.root.resolve("glued")));
        }
    }

    /** A disk that fills up under direct writes: a clear error, no temp left, the server goes on. */
    @Test
    void aDiskThatFillsUpUnderDirectWritesFailsCleanly() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        DirectOpens opens = new DirectOpens();
        int mib = 1024 * 1024;
        // Writes to upload temps (both channels) fail past 1 MiB, as on a full disk.
        FileOpener fullDisk = (path, options) -> {
            FileChannel ch = opens.open(path, options);
            return UploadTemps.isTempName(path.getFileName().toString()) ? new FailingChannel(ch, mib) : ch;
        };
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.opener(fullDisk).events(events).uploadDirectIoMinBytes(0).uploadBufferBytes(BUFFER));
             FerryClient c = s.connect()) {
            Path src = TestData.write(local.resolve("big"), 3L * mib, 4);
            FileClient files = s.files(c);
            RemoteException e = assertThrows(RemoteException.class, () -> files.upload(src, "big"));
            assertEquals("io_error", e.code());
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
            assertEquals("big:io_error", ResumeTest.Events.next(events.failed));
            assertEquals(1, opens.direct.get(), "the upload was writing directly");
            assertEquals(List.of(), ResumeTest.temps(s.root), "the temp is removed");
            assertFalse(Files.exists(s.root.resolve("big")));
            Path small = TestData.write(local.resolve("small"), 1000, 5);
            files.upload(small, "small"); // the same connection goes on
            assertEquals(-1, TestData.mismatch(small, s.root.resolve("small")));
            assertEquals(0, s.server.loopErrors());
        }
    }

    // ---- UploadWriter.write, without sockets --------------------------------------------------------

    private static ByteBuffer aligned(byte[] content, int from, int len) {
        ByteBuffer b = new UploadBufferPool(Math.max(len, 1), 0).acquire();
        b.put(content, from, len);
        return b.flip();
    }

    /** Whole blocks at a block boundary all go through the direct channel: the other one is read-only. */
    @Test
    void alignedBuffersAllGoDirect() throws Exception {
        Path f = tmp.resolve("w1");
        byte[] content = TestData.bytes(3 * BUFFER, 1);
        Files.write(f, new byte[0]);
        try (FileChannel readOnly = FileChannel.open(f, StandardOpenOption.READ);
             FileChannel direct = FileChannel.open(f, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            ByteBuffer[] bufs = {aligned(content, 0, BUFFER), aligned(content, BUFFER, BUFFER), aligned(content, 2 * BUFFER, BUFFER)};
            UploadWriter.write(readOnly, new UploadWriter.Direct(direct, block), bufs, 0);
        }
        assertArrayEquals(content, Files.readAllBytes(f));
        // and the read-only channel really refuses writes, so nothing went that way
        try (FileChannel readOnly = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThrows(NonWritableChannelException.class, () -> readOnly.write(ByteBuffer.allocate(1), 0));
        }
    }

    /**
     * A head that ends on a boundary, whole blocks, and a tail: only the head and the tail go
     * through the page cache (the kernel refuses any misaligned direct write, so a wrong split
     * fails here).
     */
    @Test
    void unalignedHeadAndTailGoThroughThePageCache() throws Exception {
        Path f = tmp.resolve("w2");
        int start = 1000;
        int head = block - start;
        int tail = 100;
        byte[] content = TestData.bytes(start + head + 2 * BUFFER + BUFFER / 2 + tail, 2);
        Files.write(f, Arrays.copyOf(content, start));
        FailingChannel counting;
        try (FileChannel direct = FileChannel.open(f, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            counting = new FailingChannel(FileChannel.open(f, StandardOpenOption.WRITE), Long.MAX_VALUE);
            int p = start;
            ByteBuffer[] bufs = {
                aligned(content, p, head),
                aligned(content, p += head, BUFFER),
                aligned(content, p += BUFFER, BUFFER),
                aligned(content, p += BUFFER, BUFFER / 2 + tail), // whole blocks, then a partial one
            };
            UploadWriter.write(counting, new UploadWriter.Direct(direct, block), bufs, start);
            for (ByteBuffer b : bufs) {
                assertFalse(b.hasRemaining(), "everything written");
            }
            counting.close();
        }
        assertArrayEquals(content, Files.readAllBytes(f));
        int tailBytes = (BUFFER / 2 + tail) % block;
        assertEquals(head + tailBytes, counting.bytesWritten, "only the unaligned head and tail went through the page cache");
        assertTrue(counting.bytesWritten < content.length - start);
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.FileProtocol;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-exact round trips through real sockets: sizes at every buffer boundary, big, ranged, sparse > 4 GiB. */
class FileTransferTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    /**
     * Sizes around the pool buffer (16 KiB), the loop's read buffer (64 KiB), the upload buffer
     * (256 KiB), the per-event write budget (1 MiB) and the read-ahead window (4 MiB).
     */
    static final long[] BOUNDARY_SIZES = {
        0, 1, 16 * KIB - 1, 16 * KIB, 16 * KIB + 1, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1,
        256 * KIB - 1, 256 * KIB, 256 * KIB + 1, MIB - 1, MIB, MIB + 1, 4L * MIB + 1,
    };

    @Test
    void roundTripsAroundBufferBoundaries() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            FileClient files = s.files(c);
            for (long size : BOUNDARY_SIZES) {
                Path src = TestData.write(local.resolve("src-" + size), size, size);
                TransferResult up = files.upload(src, "f-" + size);
                assertTrue(up.verified());
                assertEquals(-1, TestData.mismatch(src, s.root.resolve("f-" + size)), "uploaded bytes of size " + size);

                Path dst = local.resolve("dst-" + size);
                TransferResult down = files.download("f-" + size, dst);
                assertEquals(size, down.fileSize());
                assertEquals(up.digest(), down.digest());
                assertEquals(-1, TestData.mismatch(src, dst), "downloaded bytes of size " + size);
                assertFalse(Files.exists(FileClient.partialPath(dst)));
            }
        }
    }

    @Test
    void copyFallbackIsByteExact() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.zeroCopy(false), f -> { });
             FerryClient c = s.connect()) {
            FileClient files = s.files(c);
            for (long size : new long[] {0, 1, 16 * KIB + 1, 64 * KIB - 1, MIB + 1, 5L * MIB + 3}) {
                Path src = TestData.write(s.root.resolve("c-" + size), size, 7 + size);
                Path dst = local.resolve("c-" + size);
                files.download("c-" + size, dst);
                assertEquals(-1, TestData.mismatch(src, dst), "copy path, size " + size);
            }
        }
    }

    @Test
    void readAheadOffSendsTheWholeRangeAsOneRegion() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.readAheadBytes(0));
             FerryClient c = s.connect()) {
            Path src = TestData.write(s.root.resolve("r"), 9L * MIB + 17, 3);
            Path dst = local.resolve("r");
            s.files(c).download("r", dst);
            assertEquals(-1, TestData.mismatch(src, dst));
        }
    }

    @Test
    void smallWindowsAndUploadBuffersStillByteExact() throws Exception {
        // Tiny read-ahead windows and upload buffers: many windows, many worker hand-offs, many pauses.
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.readAheadWindowBytes(4096).readAheadBytes(3 * 4096).uploadBufferBytes(4096).uploadBuffersPerUpload(2));
             FerryClient c = s.connect()) {
            Path src = TestData.write(local.resolve("src"), 3L * MIB + 5, 11);
            s.files(c).upload(src, "w");
            Path dst = local.resolve("dst");
            s.files(c).download("w", dst);
            assertEquals(-1, TestData.mismatch(src, dst));
        }
    }

    /** One big file (200 MiB): upload, then download, both verified, byte for byte equal, with progress. */
    @Test
    void bigFileRoundTrip() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 200L * MIB + 12345;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Path src = TestData.write(local.resolve("big"), size, 42);
            FileClient files = new FileClient(c, FileClient.Options.defaults().withProgressIntervalMillis(0));
            List<long[]> ups = new ArrayList<>();
            TransferResult up = files.upload(src, "big.bin", (done, total, rate) -> ups.add(new long[] {done, total}));
            assertTrue(ups.size() > 1, "progress reported along the way");
            assertArrayEquals(new long[] {size, size}, ups.get(ups.size() - 1));
            for (int i = 1; i < ups.size(); i++) {
                assertTrue(ups.get(i)[0] >= ups.get(i - 1)[0], "progress never goes back");
            }
            Path dst = local.resolve("big-back");
            long[] last = {-1, -1};
            TransferResult down = files.download("big.bin", dst, (done, total, rate) -> {
                assertTrue(done >= last[0] && rate >= 0);
                last[0] = done;
                last[1] = total;
            });
            assertArrayEquals(new long[] {size, size}, last);
            assertEquals(size, down.fileSize());
            assertEquals(up.digest(), down.digest());
            assertEquals(TestData.sha256(src), down.digest());
            assertEquals(-1, TestData.mismatch(src, dst));
        }
    }

    @Test
    void rangedGets() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            byte[] all = TestData.bytes(100_000, 5);
            Files.write(s.root.resolve("r"), all);
            assertArrayEquals(Arrays.copyOfRange(all, 1000, 1100), get(c, "r", 1000, 100));
            assertArrayEquals(Arrays.copyOfRange(all, 99_990, 100_000), get(c, "r", 99_990, 1000), "clipped at the end");
            assertArrayEquals(new byte[0], get(c, "r", 100_000, -1), "offset at the end: empty body");
            assertArrayEquals(Arrays.copyOfRange(all, 5, 100_000), get(c, "r", 5, -1));
            RemoteException e = assertThrows(RemoteException.class, () -> get(c, "r", 100_001, -1));
            assertEquals("bad_request", e.code());
            assertTrue(e.getMessage().contains("beyond the end"), e.getMessage());
            assertEquals("bad_request", assertThrows(RemoteException.class, () -> get(c, "r", -1, 5)).code());
            // the connection is still fine after the errors
            assertArrayEquals(Arrays.copyOfRange(all, 0, 10), get(c, "r", 0, 10));
        }
    }

    @Test
    void zeroLengthFile() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Files.write(s.root.resolve("empty"), new byte[0]);
            Header h = fileHeader(c, "empty", 0, -1);
            assertEquals(0, h.size());
            assertEquals(0, h.getLong(FileProtocol.FILE_SIZE, -1));
            FileClient files = s.files(c);
            TransferResult r = files.download("empty", local.resolve("empty"));
            assertEquals(TestData.sha256(new byte[0]), r.digest());
            assertEquals(0, Files.size(local.resolve("empty")));
            Path empty = Files.write(local.resolve("e2"), new byte[0]);
            files.upload(empty, "e2");
            assertEquals(0, Files.size(s.root.resolve("e2")));
            // and pipelined requests after an empty body still line up
            assertArrayEquals(new byte[0], get(c, "empty", 0, -1));
            assertEquals("PONG", c.call(Header.op("PING")).op());
        }
    }

    /**
     * A sparse file of more than 4 GiB proves 64-bit sizes and offsets end to end. Verification:
     * the file is zeros except five 4 KiB random markers placed across the 2 GiB and 4 GiB
     * boundaries and near the end; the full GET is checked byte for byte as it streams (zeros
     * checked eight bytes at a time, markers compared exactly) and counted, which catches any
     * truncation, wrap-around or misplaced range without hashing 4 GiB (SHA-256 here is ~1.5 GB/s,
     * which would double the test's time for no extra coverage). A ranged GET at an offset above
     * 4 GiB then checks the offset arithmetic directly. Nothing of it is written to the client's disk.
     *
     * <p>The server root is on /dev/shm when there is one: reading a hole of a tmpfs file splices
     * the shared zero page, while ext4 allocates and zeroes a page-cache page per 4 KiB of hole
     * (4 GiB of memory and seconds of CPU on a busy 2-core machine). Java's 64-bit arithmetic,
     * which is what this test is about, is the same on either.
     */
    @Test
    void sparseFileOver4GiB() throws Exception {
        long size = (4L << 30) + 3L * MIB + 5;
        long[] at = {0, (2L << 30) - 2048, (4L << 30) - 2048, (4L << 30) + 12345, size - 4096};
        byte[][] marks = new byte[at.length][];
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "ferry-sparse-") : tmp;
        try (FileTestServer s = FileTestServer.start(base.resolve("root")); FerryClient c = s.connect()) {
            Path f = s.root.resolve("sparse");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SPARSE)) {
                for (int i = 0; i < at.length; i++) {
                    marks[i] = TestData.bytes(4096, 100 + i);
                    ch.write(ByteBuffer.wrap(marks[i]), at[i]);
                }
                assertEquals(size, ch.size());
            }
            try {
                assertEquals(size, s.files(c).stat("sparse").fileSize());

                Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", "sparse");
                c.send(req);
                Header h = c.expect(c.readHeader(), "FILE", req.id());
                assertEquals(size, h.size());
                assertEquals(size, h.getLong("fileSize", -1));
                long[] pos = {0};
                while (c.readBodyChunk(chunk -> {
                    check(chunk, pos[0], at, marks);
                    pos[0] += chunk.remaining();
                    chunk.position(chunk.limit());
                })) {
                    // checked as it streams
                }
                assertEquals(size, pos[0]);

                long off = (4L << 30) + 12345 - 100;
                byte[] got = get(c, "sparse", off, 8192);
                byte[] want = new byte[8192];
                System.arraycopy(marks[3], 0, want, 100, 4096);
                assertArrayEquals(want, got);
                assertArrayEquals(Arrays.copyOfRange(marks[4], 4000, 4096), get(c, "sparse", size - 96, 1000));
            } finally {
                Files.delete(f); // frees whatever page cache its holes took
            }
        } finally {
            if (base != tmp) {
                Files.deleteIfExists(base.resolve("root"));
                Files.deleteIfExists(base);
            }
        }
    }

    /** Checks a body chunk starting at file offset {@code base}: markers exact, everything else zero. */
    private static void check(ByteBuffer chunk, long base, long[] at, byte[][] marks) {
        int n = chunk.remaining();
        int p = chunk.position();
        boolean touchesMarker = false;
        for (long a : at) {
            touchesMarker |= a < base + n && a + 4096 > base;
        }
        if (!touchesMarker) {
            long or = 0;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                or |= chunk.getLong(p + i);
            }
            for (; i < n; i++) {
                or |= chunk.get(p + i);
            }
            if (or != 0) {
                fail("non-zero byte in a hole within [" + base + ", " + (base + n) + ")");
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            long abs = base + i;
            byte want = 0;
            for (int k = 0; k < at.length; k++) {
                if (abs >= at[k] && abs < at[k] + 4096) {
                    want = marks[k][(int) (abs - at[k])];
                }
            }
            if (chunk.get(p + i) != want) {
                assertEquals(want, chunk.get(p + i), "byte at offset " + abs);
            }
        }
    }

    // ---- raw protocol helpers ----------------------------------------------------------------------

    static Header fileHeader(FerryClient c, String path, long offset, long length) throws IOException {
        Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", path).put("offset", offset).put("length", length);
        c.send(req);
        return c.expect(c.readHeader(), "FILE", req.id());
    }

    static byte[] get(FerryClient c, String path, long offset, long length) throws IOException {
        Header h = fileHeader(c, path, offset, length);
        ByteBuffer out = ByteBuffer.allocate((int) h.size());
        while (out.hasRemaining() && c.readBody(out) >= 0) {
            // read all
        }
        return out.array();
    }

    static Random seeded(long seed) {
        return new Random(seed);
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.client.FerryClient;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-ahead runs only where it helps: a GET whose windows the {@link PageCacheProbe} finds
 * cached sends them without a warm job on a worker; windows it does not are warmed as before.
 * Counted through the opener (the warmer's transfers into /dev/null), never timed.
 */
class ReadAheadProbeTest {
    private static final int FILE_BYTES = 2 << 20; // over GetOp.WARM_ON_OPEN_MAX_BYTES: warmed window by window
    private static final int WINDOW_BYTES = 256 * 1024;
    private static final int AHEAD_BYTES = 1 << 20;

    @TempDir
    Path tmp;

    private long warmTransfersForAGet(PageCacheProbe probe, byte[] content) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root-" + System.nanoTime()));
        Files.write(root.resolve("big.bin"), content);
        TrackingOpener opener = new TrackingOpener();
        try (FileTestServer s = FileTestServer.start(root, b -> { },
                f -> f.opener(opener).readAheadBytes(AHEAD_BYTES).readAheadWindowBytes(WINDOW_BYTES).pageCacheProbe(probe));
             FerryClient c = s.connect()) {
            assertArrayEquals(content, FileTransferTest.get(c, "big.bin", 0, -1));
            Eventually.until(() -> opener.open() == 0, "the download closed its file");
            return opener.warmTransfers.get();
        }
    }

    @Test
    void cachedWindowsAreSentWithoutAWarmJob() throws Exception {
        byte[] content = TestData.bytes(FILE_BYTES, 3);
        AtomicLong asked = new AtomicLong();
        PageCacheProbe cached = (file, position, length) -> {
            asked.incrementAndGet();
            return true;
        };
        assertEquals(0, warmTransfersForAGet(cached, content), "nothing warmed");
        assertTrue(asked.get() >= FILE_BYTES / AHEAD_BYTES, "every window was asked about: " + asked.get());
        assertTrue(warmTransfersForAGet(PageCacheProbe.NEVER, content) > 0, "windows not known cached are warmed");
    }

    @Test
    void theKernelProbeFindsAFreshlyWrittenFileCachedAndRefusesARangePastTheEnd() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "mincore semantics checked on Linux");
        Path f = tmp.resolve("fresh.bin");
        Files.write(f, TestData.bytes(WINDOW_BYTES, 5)); // its pages are in the cache (dirty, even)
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertTrue(PageCacheProbe.MINCORE.isCached(ch, 0, WINDOW_BYTES));
            assertFalse(PageCacheProbe.MINCORE.isCached(ch, WINDOW_BYTES, WINDOW_BYTES), "past the end: not cached, no error");
            assertTrue(PageCacheProbe.MINCORE.isCached(ch, 0, 0), "nothing to send is trivially there");
        }
    }

    @Test
    void aSessionKeepsOneMappingForItsWindowsAndUnmapsItWhenClosed() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps");
        Path f = tmp.resolve("mapped.bin");
        Files.write(f, TestData.bytes(4 * WINDOW_BYTES, 6));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            PageCacheProbe.Session s = PageCacheProbe.MINCORE.open(ch);
            for (int w = 0; w < 4; w++) {
                assertTrue(s.isCached((long) w * WINDOW_BYTES, WINDOW_BYTES), "window " + w);
            }
            assertEquals(1, mappingsOf(f), "one mapping for all the windows");
            s.close();
            assertEquals(0, mappingsOf(f), "unmapped at close, not left to the GC");
        }
    }

    private static long mappingsOf(Path f) throws Exception {
        String name = f.toRealPath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.endsWith(" " + name)).count();
        }
    }
}

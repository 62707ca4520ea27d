package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.RawPeer;
import ferry.reactor.RequestObserver;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only user must not be able to take the server's file descriptors by pipelining GETs and
 * never reading (issue: 128 GETs on such a connection held 128 descriptors; 156 connections used
 * up a 20,000-descriptor limit). Descriptors are counted in /proc/self/fd: the server runs in
 * this JVM, so every descriptor open on the served file is one of its downloads.
 */
class DownloadSlotsTest {
    static final int PIPELINED_GETS = 128;
    static final int FILE_BYTES = 256 * 1024;

    @TempDir
    Path tmp;

    @Test
    void pipelinedGetsOfAClientThatNeverReadsHoldAFewDescriptors() throws Exception {
        // One worker: a STAT sent last on another connection is served after every open queued before it.
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.workerThreads(1), f -> { });
             RawPeer stalled = new RawPeer(s.server.port());
             FerryClient other = s.connect()) {
            Path big = Files.write(s.root.resolve("big"), randomBytes(FILE_BYTES));
            long before = s.server.stats().requests.sum();
            for (int i = 1; i <= PIPELINED_GETS; i++) {
                stalled.send(Header.op("GET").put(Header.ID, (long) i).put("path", "big"));
            }
            Eventually.until(() -> s.server.stats().requests.sum() >= before + PIPELINED_GETS);
            new FileClient(other).stat("big"); // after every open the GETs above asked for
            long open = openDescriptorsOn(big);
            assertTrue(open <= FileServiceConfig.DEFAULT_MAX_OPEN_DOWNLOADS_PER_CONNECTION,
                    open + " descriptors open on the file for one connection that never reads");
            Eventually.until(() -> s.service.openDownloads() >= 1, "the first GET is being sent");
            assertEquals("big", new FileClient(other).stat("big").name(), "others are still served");
        }
    }

    @Test
    void waitingGetsAreServedInOrderOnceTheClientReads() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            int n = FileServiceConfig.DEFAULT_MAX_OPEN_DOWNLOADS_PER_CONNECTION * 3;
            for (int i = 0; i < n; i++) {
                Files.write(s.root.resolve("f" + i), ("file " + i).getBytes());
            }
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = c.nextId();
                c.send(Header.op("GET").put(Header.ID, ids[i]).put("path", "f" + i));
            }
            for (int i = 0; i < n; i++) {
                Header h = c.expect(c.readHeader(), "FILE", ids[i]);
                byte[] body = new byte[(int) h.size()];
                ByteBuffer dst = ByteBuffer.wrap(body);
                while (dst.hasRemaining()) {
                    assertTrue(c.readBody(dst) >= 0);
                }
                assertEquals("file " + i, new String(body));
            }
            Eventually.until(() -> s.service.openDownloads() == 0);
        }
    }

    @Test
    void overTheServerTotalAGetIsBusyAtOnce() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.maxOpenDownloads(1));
             RawPeer stalled = new RawPeer(s.server.port());
             FerryClient other = s.connect()) {
            Files.write(s.root.resolve("big"), randomBytes(8 * 1024 * 1024)); // more than the socket buffers take
            stalled.send(Header.op("GET").put(Header.ID, 1L).put("path", "big"));
            Eventually.until(() -> s.service.openDownloads() == 1);
            RemoteException e = assertThrows(RemoteException.class,
                    () -> other.call(Header.op("GET").put("path", "big")));
            assertEquals("busy", e.code());
            stalled.close(); // its download stops, its slot comes back
            Eventually.until(() -> s.service.openDownloads() == 0);
            Header ok = other.call(Header.op("GET").put("path", "big").put("length", 3L));
            assertEquals("FILE", ok.op());
            other.skipBody();
        }
    }

    @Test
    void filesOfGetsHeldBehindAStalledOneCloseWithTheConnection() throws Exception {
        // The first GET never ends (its windows wait for a reader); the second ends once its body is
        // queued, held back behind the first. Then the connection closes.
        AtomicInteger ended = new AtomicInteger();
        RequestObserver seen = r -> {
            if ("FILE".equals(r.outcome())) {
                ended.incrementAndGet();
            }
        };
        // Small socket buffers on both sides: the kernel must not take the first body whole.
        // Read-ahead (4 MiB) below the first file's size: its last window waits for the socket, so it never ends.
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.socketSendBufferBytes(64 * 1024),
                f -> f.readAheadBytes(4 << 20).readAheadWindowBytes(1 << 20), ServerLog.NONE, seen)) {
            Path big = Files.write(s.root.resolve("big"), randomBytes(8 * 1024 * 1024)); // more than the socket buffers take
            Path small = Files.write(s.root.resolve("small"), randomBytes(1000));
            try (RawPeer stalled = RawPeer.withReceiveBuffer(s.server.port(), 64 * 1024)) {
                stalled.send(Header.op("GET").put(Header.ID, 1L).put("path", "big"));
                stalled.send(Header.op("GET").put(Header.ID, 2L).put("path", "small")); // ends, its body held back
                Eventually.until(() -> ended.get() >= 1, "the second GET ended, its body held back");
                assertEquals(1, ended.get(), "the first GET cannot have ended: its client reads nothing");
                assertEquals(2, s.service.openDownloads(), "both GETs hold their file");
            }
            Eventually.until(() -> s.service.openDownloads() == 0, () -> s.service.openDownloads()
                    + " download slots still held after the connection closed");
            Eventually.until(() -> fdsOn(small) == 0 && fdsOn(big) == 0,
                    "the held-back GET's file is closed with its connection");
        }
    }

    private static long fdsOn(Path file) {
        try {
            return openDescriptorsOn(file);
        } catch (IOException e) {
            return -1;
        }
    }

    static long openDescriptorsOn(Path file) throws IOException {
        Path target = file.toRealPath();
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed between list and read
                }
            }
        }
        return n;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

}

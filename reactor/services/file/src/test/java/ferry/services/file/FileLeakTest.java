package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.reactor.EventLoop;
import ferry.reactor.FakeClock;
import ferry.reactor.FerryServer;
import ferry.reactor.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that vanish in the middle of a GET or a PUT (reset, half-close, close with the
 * body unread or half sent) leave nothing behind: afterwards the server's file descriptors (none
 * left open under the root: no FileChannel of the file service), threads, heap, upload buffers
 * and upload registry are back at their baseline, and every aborted upload is accounted for: its
 * temp exists with exactly the bytes the server reported, PARTIAL finds it, one of them resumes
 * to a byte-exact file, and the sweeper removes the rest once they are old enough (a fake wall
 * clock), after which the root holds exactly the files it should.
 *
 * <p>Client sockets live in this JVM too, so each client closes its socket before the comparison.
 */
class FileLeakTest {
    private static final int PER_MODE = 500;
    private static final int WARMUP_PER_MODE = 20;
    private static final int CLIENT_THREADS = 4;
    /** Sparse: costs no disk; far more than the socket buffers hold, so a GET is cut mid-body. */
    private static final long BIG_BYTES = 16L << 20;
    private static final int SMALL_BYTES = 64 * 1024;
    /** What an upload declares, and how much of it a vanishing client sends. */
    private static final int UPLOAD_BYTES = 48 * 1024;
    private static final int SENT_BYTES = 20 * 1024;
    private static final long TEMP_MAX_AGE_MILLIS = 60 * 60 * 1000;
    private static final long FD_TOLERANCE = 4;
    private static final long HEAP_TOLERANCE_BYTES = 6L * 1024 * 1024;

    enum Vanish {
        /** GET of a big file, read the FILE header and some body, then a TCP reset */
        GET_RESET,
        /** GET of a big file, read nothing, close (the unread data turns it into a reset) */
        GET_CLOSE_UNREAD,
        /** GET of a small file, then shutdownOutput; read the answer and the server's close */
        GET_HALF_CLOSE,
        /** PUT declaring 48 KiB, send 20 KiB, then a reset */
        PUT_RESET_MID_BODY,
        /** PUT declaring 48 KiB, send 20 KiB, then a plain close */
        PUT_CLOSE_MID_BODY,
        /** PUT declaring 48 KiB, send 20 KiB, then shutdownOutput; read until the server closes */
        PUT_HALF_CLOSE_MID_BODY,
    }

    @TempDir
    Path tmp;

    /** The last thing the service said about each upload path. */
    private final Map<String, String> uploadState = new ConcurrentHashMap<>();
    private final Map<String, Long> suspendedBytes = new ConcurrentHashMap<>();
    private final AtomicInteger tempsRemoved = new AtomicInteger();

    /** Waits until the service reported the upload of a path as started (or already suspended). */
    private final Consumer<String> awaitStarted = path -> {
        try {
            Eventually.until(() -> uploadState.containsKey(path), "upload of " + path + " started");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    };

    private final FileServiceEvents events = new FileServiceEvents() {
        @Override
        public void uploadStarted(String path, long offset) {
            uploadState.put(path, "started");
        }

        @Override
        public void uploadSuspended(String path, long bytes) {
            suspendedBytes.put(path, bytes);
            uploadState.put(path, "suspended");
        }

        @Override
        public void uploadCommitted(String path, long fileSize) {
            uploadState.put(path, "committed");
        }

        @Override
        public void uploadFailed(String path, String code) {
            uploadState.put(path, "failed " + code);
        }

        @Override
        public void tempRemoved(String path) {
            tempsRemoved.incrementAndGet();
        }
    };

    @Test
    void connectionsVanishingMidGetAndMidPutLeaveOnlyAccountedTemps() throws Exception {
        FakeClock wall = new FakeClock(); // the sweeper judges temp ages by its wall view
        Path root = Files.createDirectories(tmp.resolve("root"));
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            f.setLength(BIG_BYTES);
        }
        Files.write(root.resolve("small.bin"), TestData.bytes(SMALL_BYTES, 3));
        Files.createDirectories(root.resolve("up"));
        byte[] content = TestData.bytes(UPLOAD_BYTES, 4);
        String digest = DigestAlgorithm.hex(DigestAlgorithm.SHA_256.newDigest().digest(content));
        TrackingOpener files = new TrackingOpener();
        try (FileTestServer s = FileTestServer.start(root, b -> b.maxConnectionsPerAddress(100_000),
                f -> f.wallClock(wall.wall()).tempMaxAgeMillis(TEMP_MAX_AGE_MILLIS).syncOnCommit(false).events(events).opener(files))) {
            AtomicInteger uploads = new AtomicInteger();
            run(s, WARMUP_PER_MODE, uploads, content, digest); // classes, pools, JIT, worker threads: part of the baseline
            quiesce(s, uploads.get());
            Snapshot before = Snapshot.take(s);

            run(s, PER_MODE, uploads, content, digest);
            quiesce(s, uploads.get());
            Eventually.until(() -> files.open() == 0, () -> files.open() + " FileChannels still open"); // warm jobs finish on workers
            Snapshot after = Snapshot.take(s);
            System.out.println("file leak test: " + uploads.get() + " uploads, " + (6 * (PER_MODE + WARMUP_PER_MODE))
                    + " connections\n  before " + before + "\n  after  " + after);

            // The server itself: back at its baseline.
            assertEquals(0, s.server.stats().connectionsOpen.get());
            assertEquals(0, s.server.loopErrors());
            assertEquals(0, s.server.stats().handlerErrors.sum());
            assertEquals(0, s.service.activeUploads(), "the upload registry is empty");
            assertEquals(0, files.open(), "every FileChannel the service opened is closed (" + files.opened + " opened)");
            assertEquals(0, after.fdsUnderRoot, "no file of the root is still open: " + after.openUnderRoot);
            assertEquals(before.fdsOfRoot, after.fdsOfRoot, "of the root itself only its kept handle is open, as at the baseline");
            if (before.fds >= 0) {
                assertTrue(after.fds <= before.fds + FD_TOLERANCE, "file descriptors " + before.fds + " -> " + after.fds);
            }
            assertEquals(before.otherFerryThreads, after.otherFerryThreads, "the server's own threads");
            assertTrue(after.workerThreads <= s.server.config().workerThreads(), "workers stay within the pool");
            assertTrue(after.uploadBuffersAllocated - before.uploadBuffersAllocated <= s.service.config().maxPooledUploadBuffers(),
                    "upload buffers are reused: " + before.uploadBuffersAllocated + " -> " + after.uploadBuffersAllocated);
            assertTrue(after.heapUsed <= before.heapUsed + HEAP_TOLERANCE_BYTES,
                    "heap " + before.heapUsed / 1024 + " KiB -> " + after.heapUsed / 1024 + " KiB");

            // Every upload ended as a resumable temp (or, if all its bytes made it, a file).
            Set<String> expectedFiles = new HashSet<>(List.of("big.bin", "small.bin", "up"));
            List<String> suspended = new ArrayList<>();
            for (int i = 0; i < uploads.get(); i++) {
                String path = "up/u" + i;
                String state = uploadState.get(path);
                assertNotNull(state, path + " never started");
                if (state.equals("committed")) {
                    expectedFiles.add(path);
                    continue;
                }
                assertEquals("suspended", state, path);
                suspended.add(path);
            }
            assertFalse(suspended.isEmpty());
            Path realRoot = root.toRealPath();
            try (FerryClient c = s.connect()) {
                for (String path : suspended) {
                    Path temp = UploadTemps.tempFor(realRoot.resolve(path), Session.ANONYMOUS, UPLOAD_BYTES, DigestAlgorithm.SHA_256, digest);
                    long have = suspendedBytes.get(path);
                    assertTrue(have <= SENT_BYTES, path + " holds " + have);
                    assertEquals(have, Files.size(temp), "the temp of " + path + " holds what the server reported");
                    expectedFiles.add("up/" + temp.getFileName());
                    Header partial = c.call(Header.op("PARTIAL").put("path", path).put("fileSize", (long) UPLOAD_BYTES)
                            .put("algorithm", "sha-256").put("expect", digest));
                    assertEquals(have, partial.requireLong("offset"), "PARTIAL finds " + path);
                }
                // One of them resumes where it stopped and becomes the right file.
                String resumed = suspended.get(0);
                long have = suspendedBytes.get(resumed);
                Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", resumed).put("fileSize", (long) UPLOAD_BYTES)
                        .put("offset", have).put("algorithm", "sha-256").put("expect", digest);
                c.send(put, ByteBuffer.wrap(content, (int) have, (int) (UPLOAD_BYTES - have)));
                assertEquals(digest, c.expect(c.readHeader(), "OK", put.id()).requireString("digest"));
                assertArrayEquals(content, Files.readAllBytes(root.resolve(resumed)));
                expectedFiles.remove("up/" + UploadTemps.tempFor(realRoot.resolve(resumed), Session.ANONYMOUS, UPLOAD_BYTES,
                        DigestAlgorithm.SHA_256, digest).getFileName());
                expectedFiles.add(resumed);
            }
            assertEquals(expectedFiles, listTree(root), "the root holds the sources, committed files and accounted temps only");

            // The sweeper leaves young temps alone and removes them once they are old enough.
            assertEquals(0, s.service.sweepTempsNow());
            // The temps' times are real and the run took a while: catch up with real time first.
            wall.advance(Duration.between(wall.wall().instant(), Instant.now()).plusMillis(TEMP_MAX_AGE_MILLIS + 60_000));
            int stale = suspended.size() - 1;
            assertEquals(stale, s.service.sweepTempsNow());
            assertEquals(stale, tempsRemoved.get());
            expectedFiles.removeIf(p -> p.startsWith("up/" + UploadTemps.PREFIX));
            assertEquals(expectedFiles, listTree(root), "nothing else is left");
            try (FerryClient c = s.connect()) {
                Header partial = c.call(Header.op("PARTIAL").put("path", suspended.get(1)).put("fileSize", (long) UPLOAD_BYTES)
                        .put("algorithm", "sha-256").put("expect", digest));
                assertEquals(0, partial.requireLong("offset"), "a swept upload starts over");
            }
        }
    }

    /** {@code perMode} connections of every kind over a few client threads. */
    private void run(FileTestServer s, int perMode, AtomicInteger uploads, byte[] content, String digest) throws Exception {
        int n = perMode * Vanish.values().length;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        Vanish v = Vanish.values()[i % Vanish.values().length];
                        int upload = v.name().startsWith("PUT") ? uploads.getAndIncrement() : -1;
                        vanish(s.server.port(), v, upload, content, digest);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "file-leak-client-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a client failed", failure.get());
        }
    }

    private void vanish(int port, Vanish how, int upload, byte[] content, String digest) throws IOException {
        FrameEncoder enc = new FrameEncoder();
        try (Socket sock = new Socket()) {
            sock.setSoTimeout(20_000);
            sock.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = sock.getOutputStream();
            InputStream in = sock.getInputStream();
            out.write(Preamble.bytes());
            switch (how) {
                case GET_RESET, GET_CLOSE_UNREAD, GET_HALF_CLOSE -> {
                    String path = how == Vanish.GET_HALF_CLOSE ? "small.bin" : "big.bin";
                    write(out, enc.encode(Header.op("GET").put(Header.ID, 1).put("path", path)));
                    if (how == Vanish.GET_RESET) {
                        readAtLeast(in, Preamble.LENGTH + 64 * 1024); // the FILE header and some of the body
                        sock.setSoLinger(true, 0);
                    } else if (how == Vanish.GET_HALF_CLOSE) {
                        sock.shutdownOutput();
                        long got = 0;
                        byte[] b = new byte[16 * 1024];
                        for (int r; (r = in.read(b)) >= 0; ) {
                            got += r;
                        }
                        assertTrue(got > SMALL_BYTES, "the whole answer came before the close: " + got);
                    }
                }
                default -> {
                    Header put = Header.op("PUT").put(Header.ID, 1).put("path", "up/u" + upload)
                            .put("fileSize", (long) UPLOAD_BYTES).put("algorithm", "sha-256").put("expect", digest)
                            .put(Header.SIZE, (long) UPLOAD_BYTES);
                    write(out, enc.encode(put));
                    out.write(content, 0, SENT_BYTES);
                    out.flush();
                    if (how == Vanish.PUT_RESET_MID_BODY) {
                        // A reset throws away what the server has not read yet, the PUT header
                        // included: reset only once the upload is under way, or there is nothing to test.
                        awaitStarted.accept("up/u" + upload);
                        sock.setSoLinger(true, 0);
                    } else if (how == Vanish.PUT_HALF_CLOSE_MID_BODY) {
                        sock.shutdownOutput();
                        byte[] b = new byte[4096];
                        while (in.read(b) >= 0) {
                            // the server's preamble and its close
                        }
                    }
                }
            }
        }
    }

    private static void write(OutputStream out, ByteBuffer b) throws IOException {
        out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }

    private static void readAtLeast(InputStream in, int n) throws IOException {
        byte[] b = new byte[16 * 1024];
        int got = 0;
        while (got < n) {
            int r = in.read(b, 0, Math.min(b.length, n - got));
            if (r < 0) {
                throw new IOException("closed after " + got + " bytes");
            }
            got += r;
        }
    }

    /** Until every connection is gone, every upload has settled and no socket lingers. */
    private void quiesce(FileTestServer s, int uploads) throws Exception {
        Eventually.until(() -> s.server.stats().connectionsOpen.get() == 0, "all connections closed");
        Eventually.until(() -> {
            for (int i = 0; i < uploads; i++) {
                String st = uploadState.get("up/u" + i);
                if (st == null || st.equals("started")) {
                    return false;
                }
            }
            return s.service.activeUploads() == 0;
        }, () -> "every upload suspended or committed: " + pending(uploads) + " active " + s.service.activeUploads());
        Eventually.until(() -> registered(s.server) == 1, "lingering closes done"); // the listening socket only
    }

    private String pending(int uploads) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < uploads; i++) {
            String st = uploadState.get("up/u" + i);
            if (st == null || st.equals("started")) {
                sb.append("u").append(i).append('=').append(st).append(' ');
            }
        }
        return sb.toString();
    }

    private static int registered(FerryServer server) {
        try {
            Field f = FerryServer.class.getDeclaredField("loops");
            f.setAccessible(true);
            int n = 0;
            for (EventLoop l : (EventLoop[]) f.get(server)) {
                n += l.registeredCount();
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Every path under {@code root}, relative, '/'-separated (folders included). */
    private static Set<String> listTree(Path root) throws IOException {
        Set<String> out = new HashSet<>();
        try (Stream<Path> w = Files.walk(root)) {
            w.filter(p -> !p.equals(root)).forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
        }
        return out;
    }

    /** What is compared before and after. */
    /**
     * {@code fdsUnderRoot}: descriptors of anything below the root; {@code fdsOfRoot}: of the root
     * folder itself, which the service keeps one handle of (RootWalker: the JDK's folder stream
     * and its dup).
     */
    private record Snapshot(long fds, long fdsUnderRoot, long fdsOfRoot, List<String> openUnderRoot, int otherFerryThreads, int workerThreads,
                            long heapUsed, long uploadBuffersAllocated) {
        static Snapshot take(FileTestServer s) throws Exception {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long fds = -1;
            List<String> underRoot = new ArrayList<>();
            long ofRoot = 0;
            Path fdDir = Path.of("/proc/self/fd");
            String rootText = s.root.toRealPath().toString();
            if (Files.isDirectory(fdDir)) {
                try (Stream<Path> l = Files.list(fdDir)) {
                    List<Path> all = l.toList();
                    fds = all.size();
                    for (Path fd : all) {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            if (target.equals(rootText)) {
                                ofRoot++;
                            } else if (target.startsWith(rootText + "/")) {
                                underRoot.add(target);
                            }
                        } catch (IOException gone) {
                            // closed while listing (the listing's own descriptor)
                        }
                    }
                }
            }
            int workers = 0;
            int other = 0;
            for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                String name = t.getThreadName();
                if (name.startsWith("ferry-worker")) {
                    workers++;
                } else if (name.startsWith("ferry-")) {
                    other++;
                }
            }
            Field ctx = FileService.class.getDeclaredField("ctx");
            ctx.setAccessible(true);
            long allocated = ((FileContext) ctx.get(s.service)).uploadBuffers.allocated();
            return new Snapshot(fds, underRoot.size(), ofRoot, underRoot, other, workers,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), allocated);
        }

        @Override
        public String toString() {
            return "fds=" + fds + " underRoot=" + fdsUnderRoot + " ofRoot=" + fdsOfRoot + " ferryThreads=" + otherFerryThreads + "+" + workerThreads
                    + " workers heap=" + heapUsed / 1024 + "KiB uploadBuffers=" + uploadBuffersAllocated;
        }
    }
}

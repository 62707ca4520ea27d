package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import ferry.reactor.Quiesce;
import ferry.reactor.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interrupted transfers resume in both directions; unfinished uploads stay invisible and age out. */
class ResumeTest {
    private static final int MIB = 1024 * 1024;
    /** Seeded so a failure names an offset that can be replayed. */
    private final Random random = new Random(20261125L);

    @TempDir
    Path tmp;

    /** Records upload events so tests wait for the server instead of sleeping. */
    static final class Events implements FileServiceEvents {
        final BlockingQueue<String> started = new ArrayBlockingQueue<>(100);
        final BlockingQueue<Long> suspended = new ArrayBlockingQueue<>(100);
        final BlockingQueue<String> failed = new ArrayBlockingQueue<>(100);

        @Override
        public void uploadStarted(String path, long offset) {
            started.add(path);
        }

        @Override
        public void uploadSuspended(String path, long bytes) {
            suspended.add(bytes);
        }

        @Override
        public void uploadFailed(String path, String code) {
            failed.add(path + ":" + code);
        }

        static <T> T next(BlockingQueue<T> q) throws InterruptedException {
            T v = q.poll(30, TimeUnit.SECONDS);
            assertNotNull(v, "the server did not report the expected upload event");
            return v;
        }
    }

    @Test
    void downloadResumesAfterACutAtARandomOffset() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 9L * MIB + 777; // more than two read-ahead windows
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"))) {
            Path src = TestData.write(s.root.resolve("f"), size, 1);
            for (int round = 0; round < 3; round++) {
                long cut = 1 + (long) (random.nextDouble() * (size - 1));
                Path dst = local.resolve("f" + round);
                try (FerryClient c1 = s.connect()) {
                    readPrefixThenDrop(c1, "f", cut, FileClient.partialPath(dst));
                }
                assertEquals(cut, Files.size(FileClient.partialPath(dst)));
                assertFalse(Files.exists(dst), "nothing under the final name before it is complete");
                try (FerryClient c2 = s.connect()) {
                    TransferResult r = s.files(c2).download("f", dst);
                    assertEquals(cut, r.resumedFrom(), "resumed from the cut");
                    assertEquals(size - cut, r.transferred());
                    assertTrue(r.verified());
                }
                assertEquals(-1, TestData.mismatch(src, dst), "cut at " + cut);
                assertFalse(Files.exists(FileClient.partialPath(dst)));
            }
        }
    }

    @Test
    void downloadStoppedByItsProgressCallbackLeavesAResumablePartial() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 12L * MIB + 3;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"))) {
            Path src = TestData.write(s.root.resolve("g"), size, 2);
            Path dst = local.resolve("g");
            long stopAfter = 1 + (long) (random.nextDouble() * (size / 2));
            try (FerryClient c1 = s.connect()) {
                FileClient files = new FileClient(c1, FileClient.Options.defaults().withProgressIntervalMillis(0));
                IOException e = assertThrows(IOException.class, () -> files.download("g", dst, (done, total, rate) -> {
                    assertEquals(size, total);
                    if (done >= stopAfter) {
                        throw new IOException("user cancelled");
                    }
                }));
                assertEquals("user cancelled", e.getMessage());
            }
            long have = Files.size(FileClient.partialPath(dst));
            assertTrue(have >= stopAfter && have < size, "partial holds " + have);
            assertFalse(Files.exists(dst));
            try (FerryClient c2 = s.connect()) {
                TransferResult r = s.files(c2).download("g", dst);
                assertEquals(have, r.resumedFrom());
            }
            assertEquals(-1, TestData.mismatch(src, dst));
        }
    }

    @Test
    void uploadResumesAfterACutAtARandomOffset() throws Exception {
        Events events = new Events();
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 7L * MIB + 321;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.events(events))) {
            Path src = TestData.write(local.resolve("u"), size, 3);
            String digest = TestData.sha256(src);
            for (int round = 0; round < 3; round++) {
                String name = "u" + round;
                long cut = 1 + (long) (random.nextDouble() * (size - 1));
                sendPrefixThenDrop(s, src, name, size, digest, cut);
                assertEquals(cut, Events.next(events.suspended), "every byte received before the drop is kept");
                try (FerryClient probe = s.connect()) {
                    probe.call(Header.op("PING")); // read after the loop handled the drop
                    assertEquals(1, s.server.stats().connectionsOpen.get(), "the dropped connection is closed, not leaked");
                }
                assertFalse(Files.exists(s.root.resolve(name)), "an unfinished upload is not visible");
                try (FerryClient c2 = s.connect()) {
                    FileClient files = s.files(c2);
                    assertFalse(files.list("").stream().anyMatch(e -> e.name().startsWith(".ferry")), "LIST hides temps");
                    TransferResult r = files.upload(src, name);
                    assertEquals(cut, r.resumedFrom(), "resumed from what the server holds");
                    assertEquals(size - cut, r.transferred());
                }
                assertEquals(-1, TestData.mismatch(src, s.root.resolve(name)), "cut at " + cut);
            }
            assertEquals(List.of(), temps(s.root), "no temp is left behind");
        }
    }

    @Test
    void uploadResumesAfterAServerRestart() throws Exception {
        Events events = new Events();
        Path local = Files.createDirectories(tmp.resolve("local"));
        Path root = tmp.resolve("root");
        long size = 5L * MIB + 9;
        Path src = TestData.write(local.resolve("r"), size, 4);
        long cut = 1 + (long) (random.nextDouble() * (size - 1));
        try (FileTestServer s = FileTestServer.start(root, b -> { }, f -> f.events(events))) {
            sendPrefixThenDrop(s, src, "r", size, TestData.sha256(src), cut);
            assertEquals(cut, Events.next(events.suspended));
        }
        try (FileTestServer s = FileTestServer.start(root); FerryClient c = s.connect()) {
            TransferResult r = s.files(c).upload(src, "r");
            assertEquals(cut, r.resumedFrom());
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("r")));
        }
    }

    /**
     * A client that vanished mid-upload without closing (its machine crashed off the network)
     * leaves a connection the server cannot tell from a slow one. Once that upload has received
     * nothing for the takeover time, the same user's next request for the same upload stops it
     * (keeping its bytes) and the request after that resumes from them, instead of answering
     * {@code conflict} until the idle timeout closes the silent connection minutes later. Before
     * that time, asking again and again takes nothing over: a live upload on a slow link is safe.
     */
    @Test
    void aSilentConnectionsUploadIsTakenOverOnceItStalledForTheTakeoverTime() throws Exception {
        Events events = new Events();
        FakeClock clock = new FakeClock();
        Duration takeover = Duration.ofSeconds(20);
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 4L * MIB + 77;
        long cut = MIB; // one whole upload buffer: written as soon as it is in, so the temp shows it arrived
        Path src = TestData.write(local.resolve("s"), size, 6);
        String digest = TestData.sha256(src);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.clock(clock),
                f -> f.events(events).uploadTakeoverAfterMillis(takeover.toMillis()));
             FerryClient silent = s.connect(); FerryClient back = s.connect()) {
            silent.hello();
            Header put = putHeader(silent, "s", size, digest);
            silent.send(put);
            try (FileChannel in = FileChannel.open(src)) {
                silent.sendFileBody(in, 0, cut);
            }
            Events.next(events.started);
            Path temp = UploadTemps.tempFor(s.root.toRealPath().resolve("s"), Session.ANONYMOUS, size,
                    DigestAlgorithm.SHA_256, digest);
            Eventually.until(() -> sizeOf(temp) == cut, "the server received the bytes sent"); // at this clock time
            Quiesce.server(s.server); // the write's completion stamps the clock too: let it land before the clock moves
            // From here on the silent connection stays open and sends nothing.

            FileClient files = s.files(back);
            clock.advance(takeover.minusSeconds(1));
            for (int ask = 0; ask < 5; ask++) {
                RemoteException e = assertThrows(RemoteException.class,
                        () -> files.partial("s", size, DigestAlgorithm.SHA_256, digest));
                assertEquals("conflict", e.code());
                assertTrue(e.getMessage().contains("receives nothing for 20 s"), e.getMessage());
            }
            clock.advance(Duration.ofSeconds(1));
            RemoteException stopping = assertThrows(RemoteException.class,
                    () -> files.partial("s", size, DigestAlgorithm.SHA_256, digest));
            assertEquals("conflict", stopping.code());
            assertTrue(stopping.getMessage().contains("received nothing for 20 s; it is being stopped"), stopping.getMessage());
            assertEquals(cut, Events.next(events.suspended), "the stopped upload kept every byte it received");
            assertEquals(cut, files.partial("s", size, DigestAlgorithm.SHA_256, digest));
            TransferResult r = files.upload(src, "s");
            assertEquals(cut, r.resumedFrom(), "resumed from the stopped upload's bytes");
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("s")));
            assertEquals(List.of(), temps(s.root));

            RemoteException told = assertThrows(RemoteException.class, () -> silent.expect(silent.readHeader(), "OK", put.id()));
            assertEquals("conflict", told.code());
            assertTrue(told.getMessage().contains("taken over"), told.getMessage());
            assertThrows(IOException.class, silent::readHeader, "and its connection is closed");
        }
    }

    @Test
    void anUploadIsNeverVisibleUnderItsNameBeforeItCompletes() throws Exception {
        Events events = new Events();
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 4L * MIB + 1;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.events(events));
             FerryClient up = s.connect(); FerryClient look = s.connect()) {
            Path src = TestData.write(local.resolve("v"), size, 5);
            Files.write(s.root.resolve("v"), "old contents".getBytes());
            Header put = putHeader(up, "v", size, TestData.sha256(src));
            up.send(put);
            try (FileChannel in = FileChannel.open(src)) {
                up.sendFileBody(in, 0, size / 2);
                Events.next(events.started);
                FileClient files = s.files(look);
                assertEquals(12, files.stat("v").fileSize(), "readers still see the old file");
                assertEquals("old contents", new String(Files.readAllBytes(s.root.resolve("v"))));
                assertEquals(List.of("v"), files.list("").stream().map(e -> e.name()).toList());
                up.sendFileBody(in, size / 2, size - size / 2);
            }
            Header ok = up.expect(up.readHeader(), "OK", put.id());
            assertEquals(size, ok.getLong("fileSize", -1));
            assertEquals(size, s.files(look).stat("v").fileSize());
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("v")));
        }
    }

    @Test
    void staleTempsAreSweptByAgeAndActiveOnesNever() throws Exception {
        Events events = new Events();
        FakeClock clock = new FakeClock();
        Duration maxAge = Duration.ofHours(24);
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 2L * MIB;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { },
                f -> f.events(events).wallClock(clock.wall()).tempMaxAgeMillis(maxAge.toMillis()))) {
            Path src = TestData.write(local.resolve("t"), size, 6);
            String digest = TestData.sha256(src);
            sendPrefixThenDrop(s, src, "t", size, digest, MIB);
            assertEquals(MIB, Events.next(events.suspended));
            assertEquals(1, temps(s.root).size());

            assertEquals(0, s.service.sweepTempsNow(), "a fresh temp stays");
            clock.advance(maxAge.minusSeconds(60));
            assertEquals(0, s.service.sweepTempsNow(), "still younger than the limit");
            clock.advance(Duration.ofSeconds(120));
            assertEquals(1, s.service.sweepTempsNow(), "older than the limit: removed");
            assertEquals(List.of(), temps(s.root));

            // An upload in progress keeps its temp whatever the clock says.
            try (FerryClient c = s.connect(); FileChannel in = FileChannel.open(src)) {
                assertEquals(0, s.files(c).partial("t", size, DigestAlgorithm.SHA_256, digest));
                Header put = putHeader(c, "t", size, digest);
                c.send(put);
                c.sendFileBody(in, 0, MIB);
                Events.next(events.started);
                clock.advance(maxAge.multipliedBy(10));
                assertEquals(0, s.service.sweepTempsNow());
                c.sendFileBody(in, MIB, size - MIB);
                c.expect(c.readHeader(), "OK", put.id());
            }
            assertEquals(-1, TestData.mismatch(src, s.root.resolve("t")));
        }
    }

    @Test
    void aRefusedDownloadLeavesNothingBehindAndTheConnectionGoesOn() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Files.write(s.root.resolve("there"), "x".getBytes());
            FileClient files = s.files(c);
            assertEquals("not_found", assertThrows(RemoteException.class,
                    () -> files.download("missing", local.resolve("missing"))).code());
            assertFalse(Files.exists(FileClient.partialPath(local.resolve("missing"))));
            assertThrows(NoSuchFileException.class, () -> files.download("there", local.resolve("no/such/dir/f")));
            files.download("there", local.resolve("there"));
            assertEquals("x", Files.readString(local.resolve("there")));
        }
    }

    @Test
    void resumingFromMoreThanTheServerHoldsIsAConflict() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "x").put("fileSize", 100L)
                    .put("offset", 40L).put("algorithm", "none");
            c.send(put, ByteBuffer.wrap(new byte[60]));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id()));
            assertEquals("conflict", e.code());
            assertTrue(e.getMessage().contains("holds 0 bytes"), e.getMessage());
            assertFalse(Files.exists(s.root.resolve("x")));
            assertEquals("PONG", c.call(Header.op("PING")).op(), "the connection goes on");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    static Header putHeader(FerryClient c, String path, long size, String digest) {
        return Header.op("PUT").put(Header.ID, c.nextId()).put("path", path).put("fileSize", size)
                .put("algorithm", "sha-256").put("expect", digest).put(Header.SIZE, size);
    }

    /** Sends a PUT with the first {@code cut} body bytes, then drops the connection. */
    static void sendPrefixThenDrop(FileTestServer s, Path src, String name, long size, String digest, long cut)
            throws IOException {
        try (FerryClient c = s.connect(); FileChannel in = FileChannel.open(src)) {
            c.hello(); // read the server's preamble, so closing sends FIN (no RST that could drop bytes)
            c.send(putHeader(c, name, size, digest));
            c.sendFileBody(in, 0, cut);
        }
    }

    /** Reads {@code cut} body bytes of a GET into {@code partial}, then drops the connection. */
    static void readPrefixThenDrop(FerryClient c, String path, long cut, Path partial) throws IOException {
        Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", path);
        c.send(req);
        c.expect(c.readHeader(), "FILE", req.id());
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long got = 0;
            while (got < cut) {
                buf.clear().limit((int) Math.min(buf.capacity(), cut - got));
                int n = c.readBody(buf);
                buf.flip();
                while (buf.hasRemaining()) {
                    got += out.write(buf, got);
                }
                assertTrue(n >= 0);
            }
        }
    }

    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    static List<Path> temps(Path root) throws IOException {
        try (Stream<Path> w = Files.walk(root)) {
            return w.filter(p -> UploadTemps.isTempName(p.getFileName().toString())).toList();
        }
    }
}

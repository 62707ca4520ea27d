package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NIO traps other servers' bug trackers are full of, end to end through real sockets: files
 * sent with and without sendfile, empty files, files that shrink mid-send, and output produced by
 * another thread for a client that does not read. (The empty-select spin is in SelectorSpinGuardTest.)
 */
class NioTrapsTest {
    private static final int CHUNK_BYTES = 16 * 1024;

    @TempDir
    Path tmp;

    private FerryServer server;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RegionOutcome> regions = new LinkedBlockingQueue<>();

    /** What a FileRegion's listener reported. */
    private record RegionOutcome(boolean copyMode, long sent, Throwable error) {}

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private void start(ServerConfig config) throws Exception {
        ServerLog log = RecordingLog.lines(logged, ServerLog.Level.DEBUG);
        server = new FerryServer(config, log);
        server.install(this::install);
        server.start();
    }

    /**
     * Test ops. FILE {path}: opens the file on a worker, answers with a FileRegion of all of it.
     * STREAM {chunks, careful}: a worker thread produces chunks of a body and hands each to the
     * loop; a careful producer waits for room with isOutputSaturated/whenDrained, a careless one
     * does not.
     */
    private void install(ServerContext ctx) {
        ctx.register("FILE", call -> {
            Path path = Path.of(call.request().requireString("path"));
            ctx.workers().submit(call, () -> {
                FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                return new Object[] {ch, ch.size()};
            }, (opened, error) -> {
                if (error != null) {
                    call.fail(error);
                    return;
                }
                FileRegion region = new FileRegion((FileChannel) opened[0], 0, (Long) opened[1], true)
                        .whenDone((r, sent, e) -> regions.add(new RegionOutcome(r.isCopyMode(), sent, e)));
                call.replyFile(Header.reply("FILE", call.id()), region);
            });
            return null;
        });
        ctx.register("STREAM", call -> {
            long chunks = call.request().requireLong("chunks");
            boolean careful = call.request().optBoolean("careful", true);
            call.send(Header.reply("DATA", call.id()).put(Header.SIZE, chunks * CHUNK_BYTES));
            Thread producer = new Thread(() -> produce(call, chunks, careful), "test-producer");
            producer.setDaemon(true);
            producer.start();
            return null;
        });
    }

    // ---- producers on another thread -----------------------------------------------------------

    private final AtomicLong maxPendingSeen = new AtomicLong();
    private final AtomicBoolean producerWaiting = new AtomicBoolean();
    private final AtomicBoolean producerSawCancel = new AtomicBoolean();
    private final CompletableFuture<Long> producerDone = new CompletableFuture<>();

    private void produce(Call call, long chunks, boolean careful) {
        try {
            for (long i = 0; i < chunks; i++) {
                ByteBuffer chunk = pattern(i * CHUNK_BYTES, CHUNK_BYTES);
                CompletableFuture<Boolean> room = new CompletableFuture<>();
                call.loop().execute(() -> {
                    if (call.isCancelled()) {
                        producerSawCancel.set(true);
                        room.complete(false);
                        return;
                    }
                    call.sendBody(chunk);
                    maxPendingSeen.accumulateAndGet(call.pendingOutputBytes(), Math::max);
                    if (careful && call.isOutputSaturated()) {
                        producerWaiting.set(true);
                        call.whenDrained(() -> room.complete(!call.isCancelled()));
                    } else {
                        room.complete(true);
                    }
                });
                if (careful && !room.get(30, TimeUnit.SECONDS)) {
                    producerDone.complete(i);
                    return;
                }
                producerWaiting.set(false);
            }
            call.loop().execute(call::end);
            producerDone.complete(chunks);
        } catch (Exception e) {
            producerDone.completeExceptionally(e);
        }
    }

    /** Bytes whose value depends on their offset in the stream, so any loss or reordering shows. */
    private static ByteBuffer pattern(long offset, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) ((offset + i) % 251));
        }
        return b.flip();
    }

    @Test
    void workerOutputForAClientThatDoesNotReadStaysBoundedWhenTheProducerWaitsForRoom() throws Exception {
        ServerConfig cfg = TestServers.config().socketSendBufferBytes(64 * 1024).build();
        start(cfg);
        long chunks = 512; // 8 MiB: far more than the socket buffers and the high-water mark
        try (StreamingPeer p = new StreamingPeer(server.port(), 64 * 1024)) {
            p.request(Header.op("STREAM").put(Header.ID, 1).put("chunks", chunks).put("careful", true));
            // the client reads nothing: the producer ends up waiting for room
            ReactorTest.waitUntil(producerWaiting::get);
            long bound = cfg.highWaterBytes() + CHUNK_BYTES;
            assertTrue(maxPendingSeen.get() <= bound, "buffered " + maxPendingSeen.get() + " > " + bound);
            assertTrue(server.maxPendingBytes() <= bound);
            assertFalse(producerDone.isDone(), "the producer is held back, not finished");
            // now read: every byte arrives, in order, and the producer finishes
            p.readHeader();
            assertEquals(chunks * CHUNK_BYTES, p.header.size());
            p.readBody(true);
            assertTrue(p.ended);
            assertEquals(chunks * CHUNK_BYTES, p.bodyBytes);
            assertEquals(chunks, producerDone.get(10, TimeUnit.SECONDS));
            assertTrue(maxPendingSeen.get() <= bound, "buffered " + maxPendingSeen.get() + " > " + bound);
            assertEquals(0, server.stats().outputOverflows.sum());
        }
    }

    /**
     * A careless producer ignores backpressure. The core counts its output against the high-water
     * mark like any other, but nothing slows a foreign thread, so past maxBufferedOutputBytes the
     * connection is closed (loudly) rather than letting one call run the server out of memory.
     */
    @Test
    void producerThatIgnoresBackpressureGetsItsConnectionClosedAtTheHardCap() throws Exception {
        long cap = 1024 * 1024;
        start(TestServers.config().socketSendBufferBytes(64 * 1024).maxBufferedOutputBytes(cap).build());
        try (StreamingPeer p = new StreamingPeer(server.port(), 64 * 1024);
             FerryClient other = FerryClient.connect("127.0.0.1", server.port())) {
            p.request(Header.op("STREAM").put(Header.ID, 1).put("chunks", 512L).put("careful", false));
            producerDone.get(30, TimeUnit.SECONDS);
            ReactorTest.waitUntil(() -> server.stats().outputOverflows.sum() == 1);
            assertTrue(maxPendingSeen.get() <= cap + CHUNK_BYTES, "buffered " + maxPendingSeen.get());
            ReactorTest.waitUntil(producerSawCancel::get); // later chunks found the call cancelled
            p.readHeader();
            p.readBody(false);
            assertFalse(p.ended, "the client sees the stream end early");
            assertTrue(p.bodyBytes < 512L * CHUNK_BYTES);
            assertTrue(p.endedByServer, "the connection was closed, not left hanging");
            assertTrue(logged.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("maxBufferedOutputBytes")
                    && l.contains("STREAM")), String.valueOf(logged));
            assertArrayEquals(new byte[] {5}, other.ping(new byte[] {5}), "others are served");
            assertEquals(0, server.loopErrors());
        }
    }

    // ---- files ---------------------------------------------------------------------------------

    /** Through sendfile, and through the copy path an operator selects where sendfile misbehaves. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fileRegionArrivesIntactWithAndWithoutSendfile(boolean zeroCopy) throws Exception {
        start(TestServers.config().zeroCopy(zeroCopy).build());
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(zeroCopy ? 1 : 2).nextBytes(data);
        Path f = tmp.resolve("data");
        Files.write(f, data);
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            c.send(Header.op("FILE").put(Header.ID, 1).put("path", f.toString()));
            Header h = c.expect(c.readHeader(), "FILE", 1);
            assertEquals(data.length, h.size());
            ByteBuffer got = ByteBuffer.allocate(data.length);
            while (got.hasRemaining() && c.readBody(got) >= 0) {
                // until the body is in
            }
            assertEquals(0, c.bodyRemaining());
            assertArrayEquals(data, got.array());
            RegionOutcome r = regions.poll(10, TimeUnit.SECONDS);
            assertNotNull(r);
            assertNull(r.error());
            assertEquals(data.length, r.sent());
            assertEquals(!zeroCopy, r.copyMode(), "zeroCopy(false) forces the copy path");
            assertTrue(c.ping() > 0, "the connection is in sync after the file");
        }
    }

    @Test
    void zeroLengthFileIsAnEmptyBodyAndTheConnectionStaysInSync() throws Exception {
        start(TestServers.config().build());
        Path empty = tmp.resolve("empty");
        Files.write(empty, new byte[0]);
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("FILE").put(Header.ID, 1).put("path", empty.toString()));
            p.send(Header.op("PING").put(Header.ID, 2), new byte[] {9});
            RawPeer.Frame file = p.read();
            assertEquals("FILE", file.op());
            assertEquals(0, file.header().size());
            assertTrue(file.header().has(Header.SIZE), "size 0 is stated, not left out");
            assertEquals(0, file.body().length);
            RawPeer.Frame pong = p.read();
            assertEquals(2, pong.header().id());
            assertArrayEquals(new byte[] {9}, pong.body());
            RegionOutcome r = regions.poll(10, TimeUnit.SECONDS);
            assertEquals(new RegionOutcome(false, 0, null), r);
        }
    }

    /**
     * The file shrinks while it is being sent: transferTo (or the copy path's read) comes back with
     * nothing before the region's end. The transfer must end with an error, never spin on a socket
     * that is writable for ever; the client sees its body cut short by the close; the server logs
     * why and goes on serving others.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fileThatShrinksWhileSentEndsTheConnectionWithAnError(boolean zeroCopy) throws Exception {
        start(TestServers.config().zeroCopy(zeroCopy).socketSendBufferBytes(64 * 1024).build());
        Path f = tmp.resolve("shrinks");
        long size = 64L * 1024 * 1024; // sparse: costs no disk
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
        try (StreamingPeer p = new StreamingPeer(server.port(), 64 * 1024);
             FerryClient other = FerryClient.connect("127.0.0.1", server.port())) {
            p.request(Header.op("FILE").put(Header.ID, 1).put("path", f.toString()));
            p.readHeader();
            assertEquals(size, p.header.size());
            assertNull(regions.peek(), "the transfer is under way, held back by a client that reads slowly");
            long cut = 1024 * 1024;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            p.readBody(false);
            assertTrue(p.endedByServer, "the server closed the connection");
            assertFalse(p.ended);
            assertTrue(p.bodyBytes <= cut, "got " + p.bodyBytes);
            RegionOutcome r = regions.poll(10, TimeUnit.SECONDS);
            assertNotNull(r);
            assertNotNull(r.error());
            assertTrue(r.error().getMessage().contains("shrank"), r.error().getMessage());
            ReactorTest.waitUntil(() -> logged.stream().anyMatch(l -> l.contains("file shrank under the transfer")));
            assertArrayEquals(new byte[] {1, 2}, other.ping(new byte[] {1, 2}), "others are served");
            assertEquals(0, server.loopErrors());
        }
    }

    /**
     * A {@link RawPeer} with a small receive buffer that reads one step at a time: nothing is read
     * until the test says so, which keeps the server's output pending. Counts body bytes (checking
     * the offset pattern of DATA) instead of keeping them.
     */
    private static final class StreamingPeer implements AutoCloseable {
        final RawPeer raw;
        Header header;
        long bodyBytes;
        /** The whole body of {@link #header} arrived. */
        boolean ended;
        boolean endedByServer;

        StreamingPeer(int port, int receiveBufferBytes) throws IOException {
            raw = RawPeer.withReceiveBuffer(port, receiveBufferBytes);
        }

        void request(Header h) throws IOException {
            raw.send(h);
        }

        /** Reads until the next header. */
        void readHeader() throws IOException {
            header = raw.readHeader();
            bodyBytes = 0;
            ended = false;
        }

        /**
         * Reads the body to its end, or until the server closes. With {@code mustEnd} a close first
         * is a failure; a read timeout always is (it means the server neither sent nor closed).
         */
        void readBody(boolean mustEnd) throws IOException {
            try {
                readBodyBytes();
            } catch (EOFException | SocketException e) {
                if (mustEnd) {
                    throw e;
                }
                endedByServer = true;
            } catch (SocketTimeoutException e) {
                fail("the server neither finished the body nor closed the connection within 10 s");
            }
        }

        private void readBodyBytes() throws IOException {
            byte[] buf = new byte[8192];
            boolean pattern = "DATA".equals(header.op());
            while (bodyBytes < header.size()) {
                int n = raw.in.read(buf, 0, (int) Math.min(buf.length, header.size() - bodyBytes));
                if (n < 0) {
                    throw new EOFException("server closed the connection");
                }
                for (int i = 0; i < n; i++) {
                    if (pattern) {
                        assertEquals((byte) (bodyBytes % 251), buf[i], "byte " + bodyBytes);
                    }
                    bodyBytes++;
                }
            }
            ended = true;
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}

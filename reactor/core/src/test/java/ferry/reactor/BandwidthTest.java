package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bandwidth limits against a fake clock: tokens come only from simulated time, so the bytes a
 * limited transfer moves per simulated second are deterministic up to one chunk, whatever the
 * machine's load. Real sockets on loopback carry the bytes; the test drains them and steps the
 * clock, waiting (with a deadline) for the socket to be empty before each step.
 */
class BandwidthTest {
    static final long RATE = 1 << 20; // 1 MiB/s
    static final long FILE_BYTES = 32L << 20; // more than the test's 12 simulated seconds move
    static final int STEP_MILLIS = 10;
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock();
    FerryServer server;
    final List<AutoCloseable> closers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closers) {
            c.close();
        }
        if (server != null) {
            server.stop(0, TimeUnit.MILLISECONDS);
        }
    }

    private void start(ServerConfig.Builder b) throws Exception {
        Path file = dir.resolve("blob");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), FILE_BYTES - 1); // sparse
        }
        server = new FerryServer(b.port(0).clock(clock).handshakeTimeoutMillis(3_600_000).idleTimeoutMillis(3_600_000)
                .build(), ServerLog.NONE);
        server.register("BLOB", call -> {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            call.replyFile(Header.reply("DATA", call.id()), new FileRegion(ch, 0, FILE_BYTES, true));
            return null;
        });
        server.register("SINK", call -> BodySink.DISCARD);
        server.registerPublic("LOGIN_AS", call -> { // as the auth service does: the user store's limits on the session
            call.session().login(call.request().requireString("user"), java.util.EnumSet.allOf(Right.class), "");
            long rate = call.request().getLong("downloadRate", UserLimits.SERVER_DEFAULT);
            call.session().put(UserLimits.SESSION_KEY, UserLimits.DEFAULTS.withDownloadRate(rate));
            call.reply(Header.reply("OK", call.id()));
            return null;
        });
        server.start();
    }

    /** A connected client that has had its PONG (before any limit could hold it back). */
    private FerryClient client() throws IOException {
        FerryClient c = FerryClient.connect("127.0.0.1", server.port());
        closers.add(c);
        c.ping();
        return c;
    }

    /** A client downloading BLOB on its own thread, counting what it receives. */
    private AtomicLong download() throws IOException {
        return download(client());
    }

    private AtomicLong download(FerryClient c) throws IOException {
        AtomicLong got = new AtomicLong();
        c.send(Header.op("BLOB").put(Header.ID, c.nextId()));
        Thread t = new Thread(() -> {
            try {
                c.readHeader();
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                int n;
                while ((n = c.readBody(b.clear())) > 0) {
                    got.addAndGet(n);
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "downloader");
        t.setDaemon(true);
        t.start();
        return got;
    }

    /** Bytes the server wrote to (or read from) each connection, read on the loops. */
    private long[] serverBytes(boolean out) {
        return server.admin().list().stream().mapToLong(i -> out ? i.bytesOut() : i.bytesIn()).toArray();
    }

    private static void await(String what, java.util.function.BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!ok.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within the deadline: " + what);
            Thread.sleep(1); // polling with a deadline; simulated time does not move meanwhile
        }
    }

    /**
     * Moves simulated time by {@code millis} in steps, letting the loops run the timers due; after
     * each step waits until every connection is held back by its limit again (its bytes for the
     * step moved), so what moved is a function of simulated time only.
     */
    private void advance(long millis) throws InterruptedException {
        for (long t = 0; t < millis; t += STEP_MILLIS) {
            clock.advanceMillis(STEP_MILLIS);
            runTimersDue();
            await("every connection throttled again", () -> server.admin().list().stream().allMatch(ConnectionInfo::throttled));
        }
    }

    /**
     * Returns once every loop has run the timers due at the fake clock's time: a timer scheduled
     * now with no delay runs after them (timers run in deadline order).
     */
    private void runTimersDue() throws InterruptedException {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(server.config().loops());
        server.onEveryLoop((loop, connections) -> loop.schedule(0, ran::countDown));
        assertTrue(ran.await(DEADLINE_NANOS, TimeUnit.NANOSECONDS), "the loops ran their timers");
    }

    private long totalOut() {
        return java.util.Arrays.stream(serverBytes(true)).sum();
    }

    @Test
    void aLimitedDownloadMovesTheRatePerSimulatedSecondAndEachConnectionHasItsOwn() throws Exception {
        start(ServerConfig.builder().maxDownloadRate(RATE));
        AtomicLong a = download();
        AtomicLong b = download();
        advance(1000); // past the initial burst
        long[] before = serverBytes(true);
        advance(10_000);
        long[] after = serverBytes(true);
        double aRate = (after[0] - before[0]) / 10.0;
        double bRate = (after[1] - before[1]) / 10.0;
        assertEquals(RATE, aRate, RATE * 0.05, "connection a: " + aRate + " B/s");
        assertEquals(RATE, bRate, RATE * 0.05, "connection b has its own limit, not a share: " + bRate + " B/s");
        assertTrue(a.get() > 0 && b.get() > 0, "the bytes reached the clients");
    }

    @Test
    void aUsersConnectionsShareThePerUserLimit() throws Exception {
        start(ServerConfig.builder().maxDownloadRatePerUser(RATE)); // every connection is user "anonymous"
        FerryClient ca = client();
        FerryClient cb = client();
        AtomicLong a = download(ca);
        AtomicLong b = download(cb);
        advance(1000);
        long before = totalOut();
        advance(10_000);
        double rate = (totalOut() - before) / 10.0;
        assertEquals(RATE, rate, RATE * 0.05, "the two together: " + rate + " B/s");
        assertTrue(a.get() > 0 && b.get() > 0, "both got bytes");
        for (AutoCloseable c : closers) {
            c.close();
        }
        closers.clear();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (server.userRates().users() != 0) { // the server notices the closes at its next (paced) writes
            assertTrue(System.nanoTime() < deadline, "the user's shared bucket goes with the last connection");
            clock.advanceMillis(STEP_MILLIS);
            runTimersDue();
        }
    }

    @Test
    void aLimitedUploadIsReadAtTheRatePerSimulatedSecond() throws Exception {
        start(ServerConfig.builder().maxUploadRate(RATE));
        FerryClient c = client();
        long size = 64L << 20;
        Thread t = new Thread(() -> {
            try {
                c.send(Header.op("SINK").put(Header.ID, c.nextId()).put(Header.SIZE, size));
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
                for (long sent = 0; sent < size; sent += chunk.capacity()) {
                    c.sendBody(chunk.clear());
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "uploader");
        t.setDaemon(true);
        t.start();
        // The sender keeps the socket full: each step's bytes are read, then reading pauses again.
        advance(1000);
        long in0 = serverBytes(false)[0];
        advance(10_000);
        double rate = (serverBytes(false)[0] - in0) / 10.0;
        assertEquals(RATE, rate, RATE * 0.05, rate + " B/s read");
    }

    @Test
    void otherConnectionsAreNotHeldBack() throws Exception {
        start(ServerConfig.builder().maxDownloadRate(RATE));
        download();
        advance(100);
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            for (int i = 0; i < 10; i++) { // 40 KiB of PONGs: within this connection's own burst
                assertTrue(c.ping(new byte[4096]).length == 4096, "answered without simulated time passing");
            }
        }
    }

    @Test
    void withoutALimitNothingIsPaced() throws Exception {
        start(ServerConfig.builder());
        AtomicLong a = download();
        await("the whole file arrives without simulated time passing", () -> a.get() == FILE_BYTES);
    }

    @Test
    void aUsersOwnRateFromTheStoreLimitsOnlyThatUser() throws Exception {
        start(ServerConfig.builder());
        FerryClient alice = client();
        alice.call(Header.op("LOGIN_AS").put("user", "alice").put("downloadRate", RATE));
        FerryClient bob = client();
        bob.call(Header.op("LOGIN_AS").put("user", "bob"));
        AtomicLong b = download(bob);
        await("bob, without a limit, gets the whole file without simulated time passing", () -> b.get() == FILE_BYTES);
        bob.close();
        await("bob's connection closed", () -> server.admin().list().size() == 1);
        AtomicLong a = download(alice);
        advance(1000);
        long before = serverBytes(true)[0];
        advance(5_000);
        double rate = (serverBytes(true)[0] - before) / 5.0;
        assertEquals(RATE, rate, RATE * 0.05, "alice: " + rate + " B/s");
        assertTrue(a.get() < FILE_BYTES);
    }
}

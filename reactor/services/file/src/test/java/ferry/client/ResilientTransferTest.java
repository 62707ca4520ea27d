package ferry.client;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import ferry.services.file.FileServiceEvents;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers that lose their connection, in-process through a {@link FaultRelay} that cuts at an
 * exact byte: each resumes where the destination stopped, ends byte-exact and verified, and never
 * leaves a corrupt or partial file under the final name. Waits between attempts are recorded, not
 * slept; where a retry must wait for the server, the fake sleeper waits for the server's own
 * upload events.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResilientTransferTest {
    private static final int KIB = 1024;
    private static final int SIZE = 2 * 1024 * KIB;

    @TempDir
    Path dir;

    private final List<FerryServer> servers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (FerryServer s : servers) {
            s.stop(0, TimeUnit.SECONDS);
        }
    }

    /** Upload events of one server, to wait on instead of sleeping. */
    static final class Events implements FileServiceEvents {
        final BlockingQueue<Long> started = new ArrayBlockingQueue<>(100);
        final BlockingQueue<Long> suspended = new ArrayBlockingQueue<>(100);
        final BlockingQueue<Long> committed = new ArrayBlockingQueue<>(100);

        @Override
        public void uploadStarted(String path, long offset) {
            started.add(offset);
        }

        @Override
        public void uploadSuspended(String path, long bytes) {
            suspended.add(bytes);
        }

        @Override
        public void uploadCommitted(String path, long fileSize) {
            committed.add(fileSize);
        }

        static long next(BlockingQueue<Long> q) {
            try {
                Long v = q.poll(30, TimeUnit.SECONDS);
                assertNotNull(v, "the server reported nothing in 30 s");
                return v;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private FerryServer server(Path root, int port, Events events) throws Exception {
        FerryServer s = new FerryServer(ServerConfig.builder().port(port).build());
        s.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).events(events).build()));
        s.start();
        servers.add(s);
        return s;
    }

    private FaultRelay relay(int port) throws IOException {
        FaultRelay r = new FaultRelay(port);
        closeables.add(r);
        return r;
    }

    private ConnectionSource via(int port) {
        ConnectionSource s = ConnectionSource.reconnecting(null, () -> {
            FerryClient c = FerryClient.connect("127.0.0.1", port);
            try {
                c.hello();
            } catch (IOException e) {
                c.close();
                throw e;
            }
            return c;
        });
        closeables.add(s::discard);
        return s;
    }

    /** Records the waits and the retries; runs {@code onWait} at each wait instead of sleeping. */
    static final class Recorder implements ResilientTransfer.Listener, ResilientTransfer.Sleeper {
        final List<Long> waits = new ArrayList<>();
        final List<ResilientTransfer.Retry> retries = new ArrayList<>();
        Runnable onWait = () -> { };

        @Override
        public void onRetry(ResilientTransfer.Retry retry) {
            retries.add(retry);
        }

        @Override
        public void sleep(long millis) {
            waits.add(millis);
            onWait.run();
        }
    }

    private ResilientTransfer transfer(ConnectionSource source, Recorder rec) {
        return transfer(source, rec, RetryPolicy.defaults());
    }

    private ResilientTransfer transfer(ConnectionSource source, Recorder rec, RetryPolicy policy) {
        return new ResilientTransfer(source, FileClient.Options.defaults().withSync(false), policy, rec, new Random(7));
    }

    private byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void downloadCutMidBodyResumesFromThePartialAndEndsByteExact() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        byte[] bytes = data(SIZE, 1);
        Files.write(root.resolve("video.bin"), bytes);
        FerryServer s = server(root, 0, new Events());
        FaultRelay relay = relay(s.port());
        relay.cutDownstreamAfter(SIZE / 2);
        Path local = dir.resolve("video.bin");
        Path part = FileClient.partialPath(local);
        Recorder rec = new Recorder();
        rec.onWait = () -> {
            assertFalse(Files.exists(local), "nothing under the final name while incomplete");
            assertTrue(Files.isRegularFile(part), "the partial is kept for the resume");
        };

        ResilientTransfer.Result r = transfer(via(relay.port()), rec).download("video.bin", local, rec);

        assertArrayEquals(bytes, Files.readAllBytes(local));
        assertFalse(Files.exists(part));
        assertEquals(1, r.resumes());
        assertEquals(1, rec.waits.size());
        assertEquals(1, rec.retries.get(0).attempt());
        assertTrue(RetryPolicy.isRetryable(rec.retries.get(0).cause()), rec.retries.get(0).cause().toString());
        assertTrue(r.verified());
        assertEquals(DigestAlgorithm.SHA_256.wireName(), r.algorithm());
        List<FaultRelay.Link> links = relay.links();
        assertEquals(2, links.size());
        assertTrue(links.get(0).wasCut());
        long restFetched = links.get(1).downstreamBytes();
        assertTrue(restFetched < SIZE / 2 + 4 * KIB, "only the rest was fetched again: " + restFetched);
        assertTrue(restFetched > SIZE / 2 - 64 * KIB, "the rest: " + restFetched);
    }

    @Test
    void uploadCutMidBodyResumesFromWhatTheServerHolds() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        Events events = new Events();
        FerryServer s = server(root, 0, events);
        FaultRelay relay = relay(s.port());
        byte[] bytes = data(SIZE, 2);
        Path local = Files.write(dir.resolve("up.bin"), bytes);
        relay.cutUpstreamAfter(SIZE / 2);
        Recorder rec = new Recorder();
        long[] held = {-1};
        rec.onWait = () -> {
            if (held[0] < 0) {
                held[0] = Events.next(events.suspended); // the server noticed the cut and kept the temp
            }
            assertFalse(Files.exists(root.resolve("up.bin")), "nothing under the final name while incomplete");
        };

        ResilientTransfer.Result r = transfer(via(relay.port()), rec).upload(local, "up.bin", rec);

        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("up.bin")));
        assertEquals(0, Events.next(events.started), "the first attempt starts at 0");
        assertEquals(held[0], Events.next(events.started), "the resume starts where the server's temp ends");
        assertTrue(held[0] > 0 && held[0] < SIZE, "held " + held[0]);
        assertTrue(relay.last().upstreamBytes() < SIZE - held[0] + 4 * KIB, "only the rest was sent again");
        assertEquals(1, r.resumes());
        assertTrue(r.verified());
        try (Stream<Path> files = Files.list(root)) {
            assertEquals(List.of("up.bin"), files.map(p -> p.getFileName().toString()).toList(), "no temp left behind");
        }
    }

    @Test
    void downloadCutBeforeItsLastByteResumesForOneByte() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        byte[] bytes = data(SIZE, 3);
        Files.write(root.resolve("f.bin"), bytes);
        FerryServer s = server(root, 0, new Events());
        FaultRelay relay = relay(s.port());
        Recorder rec = new Recorder();
        transfer(via(relay.port()), rec).download("f.bin", dir.resolve("clean.bin"), rec);
        long total = relay.last().downstreamBytes(); // a clean run's bytes: the next run sends the same ones

        relay.cutDownstreamAfter(total - 1);
        Path local = dir.resolve("f.bin");
        rec.onWait = () -> assertFalse(Files.exists(local), "not under its final name with a byte missing");
        ResilientTransfer.Result r = transfer(via(relay.port()), rec).download("f.bin", local, rec);

        assertArrayEquals(bytes, Files.readAllBytes(local));
        assertEquals(1, r.resumes());
        assertTrue(relay.last().downstreamBytes() < 2 * KIB, "one byte and headers: " + relay.last().downstreamBytes());
    }

    @Test
    void uploadWhoseAnswerIsLostIsRecognisedAsCompleteWithoutSendingItAgain() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        Events events = new Events();
        FerryServer s = server(root, 0, events);
        FaultRelay relay = relay(s.port());
        byte[] bytes = data(SIZE, 4);
        Path local = Files.write(dir.resolve("up.bin"), bytes);
        Recorder rec = new Recorder();
        transfer(via(relay.port()), rec).upload(local, "up.bin", rec);
        long answerEnd = relay.last().downstreamBytes();
        Events.next(events.committed);
        Files.delete(root.resolve("up.bin"));

        // Everything reaches the server, which commits; the client never sees the OK.
        relay.cutDownstreamAfter(answerEnd - 1);
        rec.onWait = () -> Events.next(events.committed);
        ResilientTransfer.Result r = transfer(via(relay.port()), rec).upload(local, "up.bin", rec);

        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("up.bin")));
        assertEquals(1, r.resumes());
        assertTrue(r.verified());
        assertTrue(relay.last().upstreamBytes() < 4 * KIB, "not sent again: " + relay.last().upstreamBytes());
        assertEquals(2, events.started.size(), "two PUTs in all: the clean run's and this run's first");
    }

    @Test
    void serverRestartMidUploadIsWaitedForAndTheNewServerResumesTheTemp() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        Events first = new Events();
        FerryServer s1 = server(root, 0, first);
        int port = s1.port();
        FaultRelay relay = relay(port);
        byte[] bytes = data(SIZE, 5);
        Path local = Files.write(dir.resolve("up.bin"), bytes);
        relay.cutUpstreamAfter(SIZE * 3 / 4); // the link dies as the server goes down
        Events second = new Events();
        Recorder rec = new Recorder();
        long[] held = {-1};
        rec.onWait = () -> {
            try {
                if (held[0] < 0) {
                    held[0] = Events.next(first.suspended);
                    s1.stop(0, TimeUnit.SECONDS); // down: the next attempt finds nothing listening
                } else if (rec.waits.size() == 2) {
                    server(root, port, second); // back, same root and port
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };

        ResilientTransfer.Result r = transfer(via(relay.port()), rec).upload(local, "up.bin", rec);

        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("up.bin")));
        assertEquals(2, rec.waits.size(), "one wait for the cut, one after the refused reconnect");
        assertEquals(2, rec.retries.get(1).attempt(), "the refused reconnect counts as an attempt");
        assertEquals(held[0], Events.next(second.started), "the new server resumed the old one's temp");
        assertTrue(held[0] > 0);
        assertEquals(1, r.resumes(), "one continuation on a new connection");
    }

    @Test
    void givesUpAfterTheAllowedAttemptsWithGrowingWaitsAndKeepsThePartial() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        Files.write(root.resolve("f.bin"), data(SIZE, 6));
        FerryServer s = server(root, 0, new Events());
        FaultRelay relay = relay(s.port());
        relay.cutDownstreamAfter(SIZE / 4);
        Recorder rec = new Recorder();
        rec.onWait = () -> s.stop(0, TimeUnit.SECONDS); // gone for good
        Path local = dir.resolve("f.bin");
        RetryPolicy policy = RetryPolicy.defaults().withMaxAttempts(3).withWaits(100, 250);

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> transfer(via(relay.port()), rec, policy).download("f.bin", local, rec));

        assertEquals(3, e.attempts());
        assertTrue(e.getMessage().startsWith("gave up after 3 attempts to reconnect: "), e.getMessage());
        assertEquals(3, rec.waits.size());
        long[][] bounds = {{50, 100}, {100, 200}, {125, 250}};
        for (int i = 0; i < 3; i++) {
            long w = rec.waits.get(i);
            assertTrue(w >= bounds[i][0] && w <= bounds[i][1], "wait " + (i + 1) + ": " + w);
        }
        assertFalse(Files.exists(local));
        assertTrue(Files.size(FileClient.partialPath(local)) > 0, "kept for a later run");
    }

    @Test
    void whatTheServerRefusesFailsAtOnce() throws Exception {
        Path root = Files.createDirectories(dir.resolve("srv"));
        FerryServer s = server(root, 0, new Events());
        Recorder rec = new Recorder();
        RemoteException e = assertThrows(RemoteException.class,
                () -> transfer(via(s.port()), rec).download("missing.bin", dir.resolve("m.bin"), rec));
        assertEquals("not_found", e.code());
        assertThrows(NoSuchFileException.class,
                () -> transfer(via(s.port()), rec).upload(dir.resolve("nope"), "x", rec));
        assertEquals(List.of(), rec.waits, "no retries for a refusal or a local error");
        assertFalse(Files.exists(FileClient.partialPath(dir.resolve("m.bin"))));
    }

    @Test
    void copyStreamsFromOneServerIntoAnotherAndResumesAfterACut() throws Exception {
        Path rootA = Files.createDirectories(dir.resolve("a"));
        Path rootB = Files.createDirectories(dir.resolve("b"));
        byte[] bytes = data(SIZE, 8);
        Files.write(rootA.resolve("v.bin"), bytes);
        Files.setLastModifiedTime(rootA.resolve("v.bin"), FileTime.fromMillis(1_700_000_000_000L));
        FerryServer a = server(rootA, 0, new Events());
        Events eventsB = new Events();
        FerryServer b = server(rootB, 0, eventsB);
        FaultRelay relayA = relay(a.port());
        relayA.cutDownstreamAfter(SIZE / 2);
        Recorder rec = new Recorder();
        long[] held = {-1};
        rec.onWait = () -> held[0] = Events.next(eventsB.suspended);

        ResilientTransfer.Result r = transfer(via(relayA.port()), rec).copy("v.bin", via(b.port()), "copy.bin", rec);

        assertArrayEquals(bytes, Files.readAllBytes(rootB.resolve("copy.bin")));
        assertEquals(1_700_000_000_000L, Files.getLastModifiedTime(rootB.resolve("copy.bin")).toMillis(), "mtime kept");
        assertEquals(1, r.resumes());
        assertTrue(r.verified(), "B checked A's digest");
        assertEquals(0, Events.next(eventsB.started));
        assertEquals(held[0], Events.next(eventsB.started), "resumed where B's temp ends");
        assertTrue(held[0] > 0);
        assertTrue(relayA.last().downstreamBytes() < SIZE - held[0] + 4 * KIB, "only the rest read from A");
        assertFalse(Files.exists(FileClient.partialPath(dir.resolve("copy.bin"))), "no local copy");
    }

    @Test
    void retryPolicyWaitsDoubleUpToTheCapWithJitterInTheUpperHalf() {
        RetryPolicy p = RetryPolicy.defaults();
        long[] expected = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], p.baseWaitMillis(i + 1), "attempt " + (i + 1));
        }
        Random random = new Random(1);
        for (int k = 1; k <= 9; k++) {
            for (int i = 0; i < 200; i++) {
                long w = p.waitMillis(k, random);
                assertTrue(w >= expected[k - 1] / 2 && w <= expected[k - 1], k + ": " + w);
            }
        }
        assertEquals(0, new RetryPolicy(3, 0, 0).waitMillis(2, random));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(-1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(1, 3, 2));
    }

    @Test
    void onlyLostConnectionsAndPassingRefusalsAreRetried() {
        assertTrue(RetryPolicy.isRetryable(new ConnectionLostException(new IOException("Broken pipe"))));
        assertTrue(RetryPolicy.isRetryable(new EOFException("server closed the connection")));
        assertTrue(RetryPolicy.isRetryable(new ConnectException("Connection refused")));
        assertTrue(RetryPolicy.isRetryable(new SocketTimeoutException("no data")));
        assertTrue(RetryPolicy.isRetryable(new IOException("cannot connect", new ConnectException("refused"))));
        assertTrue(RetryPolicy.isRetryable(error("busy")));
        assertTrue(RetryPolicy.isRetryable(error("conflict")));
        assertFalse(RetryPolicy.isRetryable(error("not_found")));
        assertFalse(RetryPolicy.isRetryable(error("forbidden")));
        assertFalse(RetryPolicy.isRetryable(error("digest_mismatch")));
        assertFalse(RetryPolicy.isRetryable(new IOException("No space left on device")), "a local disk error");
        assertFalse(RetryPolicy.isRetryable(new NoSuchFileException("x")));
        assertFalse(RetryPolicy.isRetryable(new DigestMismatchException("x", "sha-256", "a", "b")));
        assertFalse(RetryPolicy.isRetryable(new AuthenticationException("bad server signature")));
        assertFalse(RetryPolicy.isRetryable(new RetriesExhaustedException(3, new EOFException("x"))));
        assertFalse(RetryPolicy.NONE.shouldRetry(new EOFException("x")), "retries off");
        ConnectionSource bad = ConnectionSource.reconnecting(null, () -> FerryClient.connect("no-such-host.invalid", 7373));
        assertThrows(UnknownHostException.class, bad::connection, "checked, not UnresolvedAddressException");
    }

    private static RemoteException error(String code) {
        return new RemoteException(Header.op("ERROR").put("code", code).put("message", code));
    }
}

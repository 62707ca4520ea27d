package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.reactor.FakeClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can do to other people's uploads, and to the server's upload slots (issue 13,
 * "Under attack"): another user's unfinished upload is invisible and untouchable; a live upload
 * is never taken over by quick asks; one user or address cannot take every slot; an upload
 * dribbling bytes is stopped, while time the server itself spent not reading is never held
 * against the client. Time is a fake clock the test moves; the loop is nudged with a PING on
 * another connection, whose answer goes out only after the timers due at that time have run.
 */
class UploadAbuseTest {
    private static final Duration WINDOW = Duration.ofMillis(FileServiceConfig.DEFAULT_UPLOAD_RATE_WINDOW_MILLIS);
    private static final long MIN_RATE = FileServiceConfig.DEFAULT_MIN_UPLOAD_RATE_BYTES_PER_SECOND;
    private static final Duration TAKEOVER = Duration.ofMillis(FileServiceConfig.DEFAULT_UPLOAD_TAKEOVER_AFTER_MILLIS);

    @TempDir
    Path tmp;

    private final FakeClock clock = new FakeClock();
    private final ResumeTest.Events events = new ResumeTest.Events();

    private static Header put(FerryClient c, String path, long fileSize, long offset) {
        return Header.op("PUT").put(Header.ID, c.nextId()).put("path", path).put("fileSize", fileSize)
                .put("offset", offset).put("algorithm", "none").put(Header.SIZE, fileSize - offset);
    }

    private static long partial(FerryClient c, String path, long fileSize) throws IOException {
        return new FileClient(c).partial(path, fileSize, DigestAlgorithm.NONE, null);
    }

    /** Makes the loop run a pass (and its due timers) and waits for it. */
    private static void nudge(FileTestServer s) throws IOException {
        try (FerryClient c = s.connect()) {
            assertEquals("PONG", c.call(Header.op("PING")).op());
        }
    }

    // ---- D11: partials belong to their user ------------------------------------------------------

    @Test
    void anotherUserNeitherSeesNorCompletesNorTruncatesAPartial() throws Exception {
        byte[] alices = TestData.bytes(200_000, 1);
        byte[] bobs = TestData.bytes(200_000, 2);
        int cut = 70_000;
        try (FileTestServer s = FileTestServer.startWithTestLogin(tmp.resolve("root"), b -> { }, f -> f.events(events))) {
            try (FerryClient alice = s.connect()) {
                alice.hello();
                FileTestServer.testLogin(alice, "alice", "read,write,delete");
                alice.send(put(alice, "shared.bin", alices.length, 0));
                alice.sendBody(ByteBuffer.wrap(alices, 0, cut));
                ResumeTest.Events.next(events.started);
            } // dropped mid-body: alice's bytes stay in her temp
            assertEquals((long) cut, ResumeTest.Events.next(events.suspended));

            try (FerryClient bob = s.connect()) {
                FileTestServer.testLogin(bob, "bob", "read,write,delete");
                assertEquals(0, partial(bob, "shared.bin", alices.length), "bob is told of no partial");
                Header resume = put(bob, "shared.bin", bobs.length, cut);
                bob.send(resume, ByteBuffer.wrap(bobs, cut, bobs.length - cut));
                RemoteException e = assertThrows(RemoteException.class, () -> bob.expect(bob.readHeader(), "OK", resume.id()));
                assertEquals("conflict", e.code(), "bob cannot complete alice's bytes with his");
                assertTrue(e.getMessage().contains("holds 0 bytes"), e.getMessage());
                Header whole = put(bob, "shared.bin", bobs.length, 0);
                bob.send(whole, ByteBuffer.wrap(bobs));
                bob.expect(bob.readHeader(), "OK", whole.id());
                assertArrayEquals(bobs, Files.readAllBytes(s.root.resolve("shared.bin")));
            }
            try (FerryClient alice = s.connect()) {
                FileTestServer.testLogin(alice, "alice", "read,write,delete");
                assertEquals(cut, partial(alice, "shared.bin", alices.length), "bob's upload did not truncate hers");
                Header rest = put(alice, "shared.bin", alices.length, cut);
                alice.send(rest, ByteBuffer.wrap(alices, cut, alices.length - cut));
                alice.expect(alice.readHeader(), "OK", rest.id());
                assertArrayEquals(alices, Files.readAllBytes(s.root.resolve("shared.bin")));
            }
            assertEquals(List.of(), ResumeTest.temps(s.root));
        }
    }

    @Test
    void partialSeesNothingOfAnotherUsersRunningUpload() throws Exception {
        byte[] body = TestData.bytes(100_000, 3);
        try (FileTestServer s = FileTestServer.startWithTestLogin(tmp.resolve("root"), b -> { }, f -> f.events(events));
             FerryClient alice = s.connect(); FerryClient aliceAgain = s.connect(); FerryClient bob = s.connect()) {
            FileTestServer.testLogin(alice, "alice", "read,write");
            FileTestServer.testLogin(aliceAgain, "alice", "read,write");
            FileTestServer.testLogin(bob, "bob", "read,write");
            Header up = put(alice, "live.bin", body.length, 0);
            alice.send(up);
            alice.sendBody(ByteBuffer.wrap(body, 0, 10_000));
            ResumeTest.Events.next(events.started);
            assertEquals(0, partial(bob, "live.bin", body.length), "answered as if nothing were there");
            assertEquals("conflict", assertThrows(RemoteException.class, () -> partial(aliceAgain, "live.bin", body.length)).code(),
                    "alice herself is told her upload runs");
            alice.sendBody(ByteBuffer.wrap(body, 10_000, body.length - 10_000));
            alice.expect(alice.readHeader(), "OK", up.id());
        }
    }

    // ---- D12: a live upload is not taken over by quick asks ------------------------------------

    /**
     * Takeover needs the upload to have received nothing for the takeover time, and time the
     * server held the upload paused (here: its temp being opened on a stuck disk) is no stall; nor
     * does it count against the minimum rate.
     */
    @Test
    void timeTheServerHeldTheUploadPausedIsNeitherAStallNorSlowness() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch disk = new CountDownLatch(1);
        FileOpener stuckOnce = (path, options) -> {
            if (UploadTemps.isTempName(path.getFileName().toString()) && opening.getCount() > 0) {
                opening.countDown();
                awaitQuietly(disk);
            }
            return FileChannel.open(path, options);
        };
        byte[] body = TestData.bytes(100_000, 4);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.clock(clock),
                f -> f.events(events).opener(stuckOnce));
             FerryClient up = s.connect()) {
            Header req = put(up, "slow-disk.bin", body.length, 0);
            up.send(req);
            up.sendBody(ByteBuffer.wrap(body, 0, 1000));
            assertTrue(opening.await(30, TimeUnit.SECONDS));
            // The disk is stuck for two windows and the takeover time (less than the idle timeout, which
            // the connection layer counts from the last byte, paused or not).
            clock.advance(WINDOW.multipliedBy(2).plus(TAKEOVER));
            nudge(s);
            try (FerryClient again = s.connect()) { // connected now: a connection idle all that time would be closed
                for (int ask = 0; ask < 3; ask++) {
                    RemoteException e = assertThrows(RemoteException.class, () -> partial(again, "slow-disk.bin", body.length));
                    assertEquals("conflict", e.code());
                    assertFalse(e.getMessage().contains("being stopped"), "paused by the server is no stall: " + e.getMessage());
                }
            }
            disk.countDown();
            ResumeTest.Events.next(events.started); // reported once its rate check is scheduled
            clock.advance(WINDOW.minusSeconds(1)); // less than a window of reading time since the disk came back
            nudge(s);
            up.sendBody(ByteBuffer.wrap(body, 1000, body.length - 1000));
            up.expect(up.readHeader(), "OK", req.id());
            assertArrayEquals(body, Files.readAllBytes(s.root.resolve("slow-disk.bin")));
            assertTrue(events.failed.isEmpty(), events.failed.toString());
        }
    }

    // ---- D6: slots and rate ---------------------------------------------------------------------

    @Test
    void oneUserOrOneAddressCannotTakeEveryUploadSlot() throws Exception {
        try (FileTestServer s = FileTestServer.startWithTestLogin(tmp.resolve("root"), b -> { },
                f -> f.events(events).maxConcurrentUploads(10).maxUploadsPerUser(2).maxUploadsPerAddress(3))) {
            FerryClient[] alice = {s.connect(), s.connect(), s.connect()};
            FerryClient[] bob = {s.connect(), s.connect()};
            try {
                for (FerryClient c : alice) {
                    FileTestServer.testLogin(c, "alice", "read,write");
                }
                for (FerryClient c : bob) {
                    FileTestServer.testLogin(c, "bob", "read,write");
                }
                Header a0 = startUpload(alice[0], "a0");
                Header a1 = startUpload(alice[1], "a1");
                RemoteException user = refused(alice[2], "a2");
                assertEquals("busy", user.code());
                assertTrue(user.getMessage().contains("user alice has 2 uploads in progress"), user.getMessage());

                Header b0 = startUpload(bob[0], "b0"); // another user still gets a slot...
                RemoteException address = refused(bob[1], "b1");
                assertEquals("busy", address.code(), "...until the address has its share");
                assertTrue(address.getMessage().contains("address 127.0.0.1 has 3 uploads in progress"), address.getMessage());

                finish(alice[0], a0);
                finish(alice[2], startUpload(alice[2], "a2")); // a slot freed is a slot again
                finish(alice[1], a1);
                finish(bob[0], b0);
            } finally {
                for (FerryClient c : alice) {
                    c.close();
                }
                for (FerryClient c : bob) {
                    c.close();
                }
            }
        }
    }

    private static final int SLOT_FILE_BYTES = 2000;
    private static final int SLOT_HEAD_BYTES = 100;

    /** Starts an upload: its header and the head of its body; waits until the server runs it. */
    private Header startUpload(FerryClient c, String path) throws Exception {
        Header h = put(c, path, SLOT_FILE_BYTES, 0);
        c.send(h);
        c.sendBody(ByteBuffer.wrap(new byte[SLOT_HEAD_BYTES]));
        ResumeTest.Events.next(events.started);
        return h;
    }

    /** Sends the rest of an upload {@link #startUpload} started and expects it stored. */
    private static void finish(FerryClient c, Header h) throws IOException {
        c.sendBody(ByteBuffer.wrap(new byte[SLOT_FILE_BYTES - SLOT_HEAD_BYTES]));
        c.expect(c.readHeader(), "OK", h.id());
    }

    /** A whole PUT expected to be refused: the answer's error (its body is read and dropped by the server). */
    private static RemoteException refused(FerryClient c, String path) throws IOException {
        Header h = put(c, path, SLOT_FILE_BYTES, 0);
        c.send(h, ByteBuffer.wrap(new byte[SLOT_FILE_BYTES]));
        RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", h.id()));
        assertEquals("PONG", c.call(Header.op("PING")).op(), "the refused connection goes on");
        return e;
    }

    @Test
    void anUploadSlowerThanTheMinimumRateIsStoppedWithItsBytesKept() throws Exception {
        byte[] body = TestData.bytes(1_000_000, 5);
        int sent = 100;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.clock(clock), f -> f.events(events));
             FerryClient up = s.connect()) {
            up.hello();
            Header req = put(up, "dribble.bin", body.length, 0);
            up.send(req);
            up.sendBody(ByteBuffer.wrap(body, 0, sent));
            ResumeTest.Events.next(events.started); // reported once its rate check is scheduled
            clock.advance(WINDOW.minusSeconds(1));
            nudge(s);
            assertTrue(events.suspended.isEmpty() && events.failed.isEmpty(), "not judged before a window is over");
            clock.advance(Duration.ofSeconds(2));
            nudge(s);

            RemoteException e = assertThrows(RemoteException.class, () -> up.expect(up.readHeader(), "OK", req.id()));
            assertEquals("timed_out", e.code());
            assertTrue(e.getMessage().contains("received " + sent + " bytes in 61 s, under the server's minimum of "
                    + MIN_RATE + " bytes/s"), e.getMessage());
            assertThrows(IOException.class, up::readHeader, "and its connection is closed");
            assertEquals((long) sent, ResumeTest.Events.next(events.suspended), "the bytes it sent are kept");
            try (FerryClient back = s.connect()) {
                assertEquals(sent, partial(back, "dribble.bin", body.length), "for a resume on a better link");
            }
        }
    }

    @Test
    void anUploadKeepingTheMinimumRateRunsAsLongAsItNeeds() throws Exception {
        int perWindow = (int) (MIN_RATE * WINDOW.toSeconds());
        int windows = 3;
        byte[] body = TestData.bytes(perWindow * windows, 6);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.clock(clock), f -> f.events(events));
             FerryClient up = s.connect()) {
            Header req = put(up, "steady.bin", body.length, 0);
            up.send(req);
            for (int w = 0; w < windows; w++) {
                up.sendBody(ByteBuffer.wrap(body, w * perWindow, perWindow));
                if (w == 0) {
                    ResumeTest.Events.next(events.started);
                }
                nudge(s); // the window's bytes are read before its time passes
                clock.advance(WINDOW);
                nudge(s);
            }
            up.expect(up.readHeader(), "OK", req.id());
            assertArrayEquals(body, Files.readAllBytes(s.root.resolve("steady.bin")));
            assertTrue(events.failed.isEmpty(), events.failed.toString());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the disk");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * A user's own upload limit from the store: over it {@code busy}, and a slot comes back on every
     * way an upload ends (completed, its connection dropped mid-body), many times over.
     */
    @Test
    void aUsersOwnUploadLimitHoldsAndItsSlotComesBackHoweverUploadsEnd() throws Exception {
        byte[] body = TestData.bytes(100_000, 3);
        try (FileTestServer s = FileTestServer.startWithTestLogin(tmp.resolve("root"), b -> { }, f -> f.events(events))) {
            for (int round = 0; round < 10; round++) {
                try (FerryClient first = s.connect(); FerryClient second = s.connect()) {
                    first.call(Header.op(FileTestServer.TEST_LOGIN).put("user", "carol").put("rights", "read,write,delete")
                            .put("maxUploads", 1L));
                    second.call(Header.op(FileTestServer.TEST_LOGIN).put("user", "carol").put("rights", "read,write,delete")
                            .put("maxUploads", 1L));
                    first.send(put(first, "a" + round + ".bin", body.length, 0));
                    first.sendBody(ByteBuffer.wrap(body, 0, 1000));
                    ResumeTest.Events.next(events.started);
                    Header over = put(second, "b" + round + ".bin", body.length, 0);
                    second.send(over, ByteBuffer.wrap(body));
                    RemoteException busy = assertThrows(RemoteException.class,
                            () -> second.expect(second.readHeader(), "OK", over.id()));
                    assertEquals("busy", busy.code());
                    assertTrue(busy.serverMessage().contains("user carol has 1 uploads"), busy.serverMessage());
                    if (round % 2 == 0) {
                        first.sendBody(ByteBuffer.wrap(body, 1000, body.length - 1000)); // completes
                        first.readHeader();
                    }
                } // odd rounds: dropped mid-body
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (s.service.activeUploads() != 0) {
                    assertTrue(System.nanoTime() < deadline, "round " + round + ": the upload slot came back");
                    Thread.sleep(5); // polling with a deadline
                }
            }
        }
    }

    /**
     * Under the server's own upload bandwidth limit the client cannot send faster than the limit:
     * the minimum-rate check must not stop it for that (here the limit, 1 KiB/s, is far under the
     * 64 KiB/s minimum; without the exemption the first 1 s window stops the upload).
     */
    @Test
    void anUploadPacedByTheServersLimitIsNotStoppedAsTooSlow() throws Exception {
        byte[] body = TestData.bytes(6 * 1024, 4); // a 4 KiB burst, then 2 s at 1 KiB/s
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.maxUploadRate(1024),
                f -> f.minUploadRateBytesPerSecond(64 * 1024).uploadRateWindowMillis(1000));
             FerryClient c = s.connect()) {
            Header req = put(c, "paced.bin", body.length, 0);
            c.send(req, ByteBuffer.wrap(body));
            assertEquals("OK", c.expect(c.readHeader(), null, req.id()).op());
            assertArrayEquals(body, Files.readAllBytes(tmp.resolve("root/paced.bin")));
        }
    }
}

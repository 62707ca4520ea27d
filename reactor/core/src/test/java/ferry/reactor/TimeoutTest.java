package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Handshake, slow-header and idle timeouts on the in-memory harness: the fake clock moves, the
 * timeout sweep runs as the loop's timer, and nothing sleeps or races a socket.
 */
class TimeoutTest {
    private static ServerConfig.Builder config() {
        return TestServers.config().handshakeTimeoutMillis(5_000).headerTimeoutMillis(10_000).idleTimeoutMillis(60_000);
    }

    private static void assertTimedOut(RawPeer.Frame f, String messagePart) {
        assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
        assertTrue(f.header().getString("message", "").contains(messagePart), f.header().toString());
    }

    @Test
    void peerThatNeverSendsThePreambleIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (MemoryServer s = MemoryServer.start(config())) {
            MemoryPeer silent = s.connect(false);
            assertEquals(1, s.server().stats().connectionsOpen.get());
            s.advanceMillis(4_000);
            assertEquals(1, s.server().stats().connectionsOpen.get(), "not yet: 4 s < 5 s");
            assertFalse(silent.closedByServer());
            s.advanceMillis(2_000);
            assertTimedOut(silent.read(), "no preamble");
            assertTrue(silent.closedByServer());
            assertEquals(0, s.server().stats().connectionsOpen.get());
        }
    }

    @Test
    void aHalfSentPreambleFallsUnderTheHandshakeTimeoutNotTheHeaderOne() throws Exception {
        try (MemoryServer s = MemoryServer.start(config().handshakeTimeoutMillis(30_000))) {
            MemoryPeer p = s.connect(false);
            p.sendRaw(new byte[] {'F', 'E', 'R'});
            s.advanceMillis(11_000); // past the header timeout, inside the handshake one
            assertEquals(1, s.server().stats().connectionsOpen.get(), "not closed by the header timeout");
            s.advanceMillis(20_000);
            assertTimedOut(p.read(), "handshake timeout: no preamble");
        }
    }

    @Test
    void theIdleClockRestartsWhenTheServerResumesReading() throws Exception {
        AtomicReference<Call> held = new AtomicReference<>();
        try (MemoryServer s = MemoryServer.start(config(), ctx -> ctx.register("HOLD", call -> {
            call.pauseReading(); // an upload whose consumer paused reading for a slow disk
            held.set(call);
            return new BodySink() {
                @Override
                public void onData(ByteBuffer chunk) {
                    chunk.position(chunk.limit());
                }

                @Override
                public void onEnd() {
                    call.reply(Header.reply("OK", call.id()));
                }
            };
        }))) {
            MemoryPeer p = s.connect();
            p.sendRaw(p.frameBytes(Header.op("HOLD").put(Header.ID, 1).put(Header.SIZE, 4L), new byte[0]));
            assertNotNull(held.get());
            s.advanceMillis(61_000); // the server held reading paused longer than the idle timeout
            held.get().resumeReading(); // the test's thread is the loop's
            s.runUntilIdle();
            s.server().sweepAllNow();
            assertEquals(1, s.server().stats().connectionsOpen.get(), "not idle: the peer was waiting for us");
            p.sendRaw(new byte[] {1, 2, 3, 4}); // the rest of the body
            assertEquals("OK", p.read().op());
        }
    }

    @Test
    void headerThatStartsButNeverFinishesIsClosed() throws Exception {
        try (MemoryServer s = MemoryServer.start(config())) {
            MemoryPeer fine = s.connect();
            fine.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", fine.read().op());
            MemoryPeer slowloris = s.connect();
            slowloris.sendRaw(new byte[] {0, 0, 0, 40, '{', '"'}); // a 40-byte header, 2 bytes of it sent
            s.advanceMillis(9_000);
            slowloris.sendRaw(new byte[] {'o'}); // dribbling a byte does not reset the header clock
            s.advanceMillis(2_000);
            assertTimedOut(slowloris.read(), "header timeout");
            assertTrue(slowloris.closedByServer());
        }
    }

    @Test
    void idleConnectionIsClosedButAnActiveOneIsNot() throws Exception {
        try (MemoryServer s = MemoryServer.start(config())) {
            MemoryPeer idle = s.connect();
            MemoryPeer active = s.connect();
            idle.send(Header.op("PING").put(Header.ID, 1));
            active.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", idle.read().op());
            assertEquals("PONG", active.read().op());
            for (int i = 0; i < 4; i++) {
                s.advanceMillis(20_000);
                active.send(Header.op("PING").put(Header.ID, i + 2));
                assertEquals("PONG", active.read().op());
            }
            RawPeer.Frame f = idle.read();
            assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
            assertTrue(f.header().getString("message", "").startsWith("idle"));
            assertTrue(idle.closedByServer());
            active.send(Header.op("PING").put(Header.ID, 99));
            assertEquals(99, active.read().header().id(), "the active connection survived 80 s of fake time");
        }
    }

    @Test
    void aPeerThatStopsReadingIsClosedAsWriteStalled() throws Exception {
        try (MemoryServer s = MemoryServer.start(config())) {
            MemoryPeer p = s.connect();
            p.transport.room(0); // reads nothing from now on
            p.send(Header.op("PING").put(Header.ID, 1), new byte[100]);
            assertEquals(Transport.WRITE, p.transport.interestOps() & Transport.WRITE, "the answer waits for room");
            s.advanceMillis(59_000);
            assertEquals(1, s.server().stats().connectionsOpen.get());
            s.advanceMillis(2_000);
            assertEquals(0, s.server().stats().connectionsOpen.get(), "closed once stalled past the idle timeout");
            assertEquals(1, s.server().stats().timeouts.sum());
        }
    }

    /**
     * A client that streams frames back to back, each read ending inside the next header (a slow
     * link and small frames), completes a header every few seconds: it is making progress and must
     * not be timed out. The header clock used to be inherited from the first header that started
     * a read until some read happened to end on a frame boundary. (Moved from SlowPeersTest: the
     * harness makes each piece exactly one read.)
     */
    @Test
    void headerClockRestartsWithEachHeaderWhenReadsEndMidHeader() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config().handshakeTimeoutMillis(60_000)
                .headerTimeoutMillis(10_000).idleTimeoutMillis(300_000))) {
            MemoryPeer p = s.connect();
            byte[] f1 = p.frameBytes(Header.op("PING").put(Header.ID, 1), new byte[0]);
            byte[] f2 = p.frameBytes(Header.op("PING").put(Header.ID, 2), new byte[0]);
            byte[] f3 = p.frameBytes(Header.op("PING").put(Header.ID, 3), new byte[0]);
            byte[] stream = java.nio.ByteBuffer.allocate(f1.length + f2.length + f3.length).put(f1).put(f2).put(f3).array();
            p.sendRaw(java.util.Arrays.copyOf(stream, f1.length + 2)); // a read ending 2 bytes into f2's header
            s.advanceMillis(6_000);
            p.sendRaw(java.util.Arrays.copyOfRange(stream, f1.length + 2, f1.length + f2.length + 2)); // into f3's
            s.advanceMillis(6_000); // 12 s since the first partial header, 6 s since the current one
            assertEquals(0, s.server().stats().timeouts.sum(), "a peer completing headers is not a slowloris");
            p.sendRaw(java.util.Arrays.copyOfRange(stream, f1.length + f2.length + 2, stream.length));
            for (long id = 1; id <= 3; id++) {
                RawPeer.Frame f = p.read();
                assertEquals("PONG", f.op());
                assertEquals(id, f.header().id());
            }
            // and the clock still runs for a header that really stalls
            p.sendRaw(java.util.Arrays.copyOf(f1, 3));
            s.advanceMillis(10_001);
            assertTimedOut(p.read(), "header timeout");
            assertTrue(p.closedByServer());
        }
    }
}

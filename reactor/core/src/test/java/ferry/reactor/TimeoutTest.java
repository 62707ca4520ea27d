package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Handshake, slow-header and idle timeouts, driven by a fake clock: no test sleeps. */
class TimeoutTest {
    private final FakeClock clock = new FakeClock();
    private FerryServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(TestServers.config().clock(clock)
                .handshakeTimeoutMillis(5_000).headerTimeoutMillis(10_000).idleTimeoutMillis(60_000).build());
    }

    @AfterEach
    void stop() {
        server.stop(2, TimeUnit.SECONDS);
    }

    @Test
    void peerThatNeverSendsThePreambleIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (RawPeer silent = new RawPeer(server.port(), false)) {
            ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 1);
            clock.advanceMillis(4_000);
            server.sweepAllNow();
            assertEquals(1, server.stats().connectionsOpen.get(), "not yet: 4 s < 5 s");
            clock.advanceMillis(2_000);
            server.sweepAllNow();
            RawPeer.Frame f = silent.read();
            assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
            assertTrue(f.header().getString("message", "").contains("no preamble"), f.header().toString());
            assertTrue(silent.closedByServer());
        }
    }

    @Test
    void aHalfSentPreambleFallsUnderTheHandshakeTimeoutNotTheHeaderOne() throws Exception {
        server.stop(2, TimeUnit.SECONDS);
        server = TestServers.start(TestServers.config().clock(clock)
                .handshakeTimeoutMillis(30_000).headerTimeoutMillis(10_000).idleTimeoutMillis(60_000).build());
        long before = server.stats().bytesRead.sum();
        try (RawPeer p = new RawPeer(server.port(), false)) {
            p.sendRaw(new byte[] {'F', 'E', 'R'});
            ReactorTest.waitUntil(() -> server.stats().bytesRead.sum() >= before + 3);
            server.sweepAllNow();
            clock.advanceMillis(11_000); // past the header timeout, inside the handshake one
            server.sweepAllNow();
            assertEquals(1, server.stats().connectionsOpen.get(), "not closed by the header timeout");
            clock.advanceMillis(20_000);
            server.sweepAllNow();
            RawPeer.Frame f = p.read();
            assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
            assertTrue(f.header().getString("message", "").contains("handshake timeout: no preamble"), f.header().toString());
        }
    }

    @Test
    void theIdleClockRestartsWhenTheServerResumesReading() throws Exception {
        server.stop(2, TimeUnit.SECONDS);
        java.util.concurrent.atomic.AtomicReference<Call> held = new java.util.concurrent.atomic.AtomicReference<>();
        server = TestServers.start(TestServers.config().clock(clock)
                .handshakeTimeoutMillis(5_000).headerTimeoutMillis(10_000).idleTimeoutMillis(60_000).build(),
                ctx -> ctx.register("HOLD", call -> { // an upload whose consumer paused reading for a slow disk
                    call.pauseReading();
                    held.set(call);
                    return new BodySink() {
                        @Override
                        public void onData(java.nio.ByteBuffer chunk) {
                            chunk.position(chunk.limit());
                        }

                        @Override
                        public void onEnd() {
                            call.reply(Header.reply("OK", call.id()));
                        }
                    };
                }));
        try (RawPeer p = new RawPeer(server.port())) {
            p.sendRaw(p.frameBytes(Header.op("HOLD").put(Header.ID, 1).put(Header.SIZE, 4L), new byte[0]));
            ReactorTest.waitUntil(() -> held.get() != null);
            clock.advanceMillis(61_000); // the server held reading paused longer than the idle timeout
            server.sweepAllNow();
            Call call = held.get();
            java.util.concurrent.CountDownLatch resumed = new java.util.concurrent.CountDownLatch(1);
            call.loop().execute(() -> {
                call.resumeReading();
                resumed.countDown();
            });
            assertTrue(resumed.await(10, TimeUnit.SECONDS));
            server.sweepAllNow();
            assertEquals(1, server.stats().connectionsOpen.get(), "not idle: the peer was waiting for us");
            p.sendRaw(new byte[] {1, 2, 3, 4}); // the rest of the body
            assertEquals("OK", p.read().op());
        }
    }

    @Test
    void headerThatStartsButNeverFinishesIsClosed() throws Exception {
        try (RawPeer fine = new RawPeer(server.port())) {
            fine.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", fine.read().op());
        }
        long before = server.stats().bytesRead.sum();
        try (RawPeer slowloris = new RawPeer(server.port())) {
            slowloris.sendRaw(new byte[] {0, 0, 0, 40, '{', '"'}); // a 40-byte header, 2 bytes of it sent
            ReactorTest.waitUntil(() -> server.stats().bytesRead.sum() >= before + 8 + 6);
            server.sweepAllNow();
            clock.advanceMillis(9_000);
            server.sweepAllNow();
            slowloris.sendRaw(new byte[] {'o'}); // dribbling a byte does not reset the header clock
            clock.advanceMillis(2_000);
            server.sweepAllNow();
            RawPeer.Frame f = slowloris.read();
            assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
            assertTrue(f.header().getString("message", "").contains("header timeout"), f.header().toString());
        }
    }

    @Test
    void idleConnectionIsClosedButAnActiveOneIsNot() throws Exception {
        try (RawPeer idle = new RawPeer(server.port()); RawPeer active = new RawPeer(server.port())) {
            idle.send(Header.op("PING").put(Header.ID, 1));
            active.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", idle.read().op());
            assertEquals("PONG", active.read().op());
            for (int i = 0; i < 4; i++) {
                clock.advanceMillis(20_000);
                active.send(Header.op("PING").put(Header.ID, i + 2));
                assertEquals("PONG", active.read().op());
                server.sweepAllNow();
            }
            RawPeer.Frame f = idle.read();
            assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
            assertTrue(f.header().getString("message", "").startsWith("idle"));
            assertTrue(idle.closedByServer());
            active.send(Header.op("PING").put(Header.ID, 99));
            assertEquals(99, active.read().header().id(), "the active connection survived 80 s of fake time");
        }
    }
}

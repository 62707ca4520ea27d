package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow peers on real sockets, timed by a fake clock the test advances: no sleeps, no timing
 * assertions. How much slower other clients get while dribblers are connected is a benchmark
 * ({@code make bench-dribble}), not a test.
 */
class SlowPeersTest {
    private static final long HEADER_TIMEOUT_MILLIS = 10_000;
    private final TestServers.FakeClock clock = new TestServers.FakeClock();
    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private void start() throws Exception {
        server = TestServers.start(TestServers.config().clock(clock).handshakeTimeoutMillis(60_000)
                .headerTimeoutMillis(HEADER_TIMEOUT_MILLIS).idleTimeoutMillis(300_000).build());
    }

    /**
     * A thousand slowloris peers send one byte of a frame header per (fake) second. Two ordinary
     * clients keep pinging throughout and get every PONG; no dribbler is closed before the header
     * timeout, and every one is closed, with the reason, at the first sweep after it.
     */
    @Test
    void thousandDribblersAreClosedByTheHeaderTimeoutWhileOthersKeepBeingServed() throws Exception {
        start();
        int dribblers = 1000;
        ByteBuffer encoded = new FrameEncoder().encode( // a 60-byte header: never finished in 11 bytes
                Header.op("PING").put(Header.ID, 1).put("pad", "x".repeat(30)));
        byte[] frame = new byte[encoded.remaining()];
        encoded.get(frame);
        List<RawPeer> slow = new ArrayList<>();
        try (FerryClient a = FerryClient.connect("127.0.0.1", server.port());
             FerryClient b = FerryClient.connect("127.0.0.1", server.port())) {
            a.ping();
            b.ping();
            long beforePreambles = server.stats().bytesRead.sum();
            for (int i = 0; i < dribblers; i++) {
                slow.add(new RawPeer(server.port())); // sends the preamble: the handshake is done
            }
            ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == dribblers + 2
                    && server.stats().bytesRead.sum() >= beforePreambles + (long) Preamble.LENGTH * dribblers);
            long pongs = 0;
            for (int second = 0; second <= 10; second++) {
                long before = server.stats().bytesRead.sum();
                for (RawPeer p : slow) {
                    p.sendRaw(new byte[] {frame[second]});
                }
                // the server has read every dribbled byte (at fake time `second`) before time moves on
                ReactorTest.waitUntil(() -> server.stats().bytesRead.sum() >= before + dribblers);
                assertArrayEquals(new byte[] {(byte) second}, a.ping(new byte[] {(byte) second}));
                assertArrayEquals(new byte[] {(byte) second}, b.ping(new byte[] {(byte) second}));
                pongs += 2;
                clock.advanceMillis(1000);
                server.sweepAllNow();
                if (second < 10) {
                    assertEquals(dribblers + 2, server.stats().connectionsOpen.get(),
                            "no dribbler closed before the header timeout (" + (second + 1) + " s of 10)");
                }
            }
            // 11 s after each dribbler's header started: all of them, and only them, are gone
            assertEquals(2, server.stats().connectionsOpen.get());
            assertEquals(dribblers, server.stats().timeouts.sum());
            for (RawPeer p : slow) {
                RawPeer.Frame err = p.read();
                assertEquals("ERROR", err.op());
                assertEquals(ErrorCode.TIMED_OUT, err.header().getString("code", null));
                assertTrue(err.header().getString("message", "").startsWith("header timeout"), err.header().toString());
                assertTrue(p.closedByServer());
            }
            assertEquals(22, pongs);
            assertTrue(a.ping() > 0, "the ordinary clients outlived the dribble");
            assertTrue(b.ping() > 0);
            assertEquals(0, server.loopErrors());
        } finally {
            for (RawPeer p : slow) {
                p.close();
            }
        }
    }
}

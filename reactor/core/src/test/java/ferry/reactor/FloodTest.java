package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.client.FerryClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connection floods against the global and per-address caps, through real sockets from several
 * loopback source addresses (127.0.0.2 to 127.0.0.6 all reach 127.0.0.1 on Linux).
 */
class FloodTest {
    private static final int MAX_CONNECTIONS = 500;
    private static final int MAX_PER_ADDRESS = 200;

    /** One flood client: what it got back as its first frame. */
    private enum Outcome { SERVED, REFUSED_GLOBAL, REFUSED_PER_ADDRESS, CLOSED }

    @Test
    void threeThousandConnectsAreServedOrRefusedWithAReasonAndTheServerRecovers() throws Exception {
        assumeTrue(canBind("127.0.0.6"), "needs the whole 127/8 on loopback (Linux)");
        FerryServer server = TestServers.start(TestServers.config().loops(2)
                .maxConnections(MAX_CONNECTIONS).maxConnectionsPerAddress(MAX_PER_ADDRESS).perAddressCapCoversLoopback(true).build());
        List<RawPeer> peers = new ArrayList<>();
        try {
            // 1,000 connects from one address: the per-address cap bites first
            int[] heavy = new int[Outcome.values().length];
            for (int i = 0; i < 1000; i++) {
                RawPeer p = connectFrom("127.0.0.2", server.port());
                peers.add(p);
                heavy[firstAnswer(p).ordinal()]++;
            }
            assertEquals(MAX_PER_ADDRESS, heavy[Outcome.SERVED.ordinal()], "127.0.0.2 was served up to its cap");
            assertEquals(0, heavy[Outcome.REFUSED_GLOBAL.ordinal()]);
            assertEquals(1000 - MAX_PER_ADDRESS, heavy[Outcome.REFUSED_PER_ADDRESS.ordinal()] + heavy[Outcome.CLOSED.ordinal()]);
            // 2,000 more from four other addresses: now the global cap bites
            int[] spread = new int[Outcome.values().length];
            for (int i = 0; i < 2000; i++) {
                RawPeer p = connectFrom("127.0.0." + (3 + i % 4), server.port());
                peers.add(p);
                spread[firstAnswer(p).ordinal()]++;
            }
            assertEquals(MAX_CONNECTIONS - MAX_PER_ADDRESS, spread[Outcome.SERVED.ordinal()], "exactly the cap was served");
            assertEquals(0, spread[Outcome.REFUSED_PER_ADDRESS.ordinal()], "75 each is under the per-address cap");
            assertEquals(2000 - (MAX_CONNECTIONS - MAX_PER_ADDRESS),
                    spread[Outcome.REFUSED_GLOBAL.ordinal()] + spread[Outcome.CLOSED.ordinal()]);
            assertEquals(3000 - MAX_CONNECTIONS, server.stats().connectionsRefused.sum(), "every refusal was counted");
            System.out.println("flood outcomes (SERVED, REFUSED_GLOBAL, REFUSED_PER_ADDRESS, CLOSED): from one address "
                    + java.util.Arrays.toString(heavy) + ", spread " + java.util.Arrays.toString(spread));
            int withReason = heavy[Outcome.REFUSED_PER_ADDRESS.ordinal()] + spread[Outcome.REFUSED_GLOBAL.ordinal()];
            assertTrue(withReason >= Admission.MAX_LINGERING_REFUSALS, "refused peers read server_full and why: "
                    + withReason + " of " + (3000 - MAX_CONNECTIONS));
            assertEquals(MAX_CONNECTIONS, server.stats().connectionsOpen.get());

            // at the cap, the admitted keep being served
            for (RawPeer p : peers.subList(0, 10)) {
                p.send(Header.op("PING").put(Header.ID, 2));
                assertEquals("PONG", p.read().op());
            }
            assertEquals(0, server.loopErrors(), "no error in any loop");
            assertEquals(0, server.stats().acceptErrors.sum(), "accept never failed");
        } finally {
            for (RawPeer p : peers) {
                p.close();
            }
        }
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0 && server.perAddressEntries() == 0);
        try (FerryClient after = FerryClient.connect("127.0.0.1", server.port())) {
            assertArrayEquals(new byte[] {7}, after.ping(new byte[] {7}), "served again once the flood left");
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private static boolean canBind(String address) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static RawPeer connectFrom(String local, int port) throws IOException {
        return new RawPeer(port, true, new InetSocketAddress(local, 0));
    }

    /** Sends a PING and says what came back first. */
    private static Outcome firstAnswer(RawPeer p) throws IOException {
        RawPeer.Frame f;
        try {
            p.send(Header.op("PING").put(Header.ID, 1));
            f = p.read();
        } catch (EOFException | SocketException e) {
            // Refused past MAX_LINGERING_REFUSALS: closed at once, so our PING may meet a reset.
            return Outcome.CLOSED;
        }
        if ("PONG".equals(f.op())) {
            return Outcome.SERVED;
        }
        assertEquals("ERROR", f.op());
        assertEquals(ErrorCode.SERVER_FULL, f.header().getString("code", null));
        String message = f.header().getString("message", "");
        assertFalse(f.header().has(Header.ID), "a refusal answers no request");
        assertTrue(p.closedByServer(), "a refused connection is closed");
        if (message.startsWith("too many connections from ")) {
            return Outcome.REFUSED_PER_ADDRESS;
        }
        assertEquals("server is at its limit of " + MAX_CONNECTIONS + " connections", message);
        return Outcome.REFUSED_GLOBAL;
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A budget on answers buffered in memory across all connections. Over it, connections holding more
 * than the low-water mark stop being read; a client that reads its answers promptly holds less and
 * is still served; the total counts every connection's share and goes back to 0 when they close.
 * On the in-memory harness: peers that never read are transports with no room.
 */
class OutputBudgetTest {
    static final long BUDGET = 96 * 1024;
    static final int STALLED = 4;
    static final int ECHO_BYTES = 512 * 1024;
    /** So high that only the budget, not a connection's own high-water mark, can pause reading. */
    static final long HIGH_WATER = 1024 * 1024;

    @Test
    void overTheBudgetBigHoldersStopBeingReadAndPromptClientsAreServed() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config().maxTotalBufferedOutputBytes(BUDGET)
                .highWaterBytes(HIGH_WATER).lowWaterBytes(16 * 1024).readBufferBytes(4 * 1024))) {
            List<MemoryPeer> stalled = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                MemoryPeer p = s.connect();
                p.transport.room(0); // never reads the echo
                p.send(Header.op("PING").put(Header.ID, 1), new byte[ECHO_BYTES]);
                stalled.add(p);
            }
            long total = s.server().stats().bufferedOutputBytes.get();
            assertTrue(total > BUDGET, "the stalled echoes hold " + total + " bytes");
            assertTrue(total < (long) STALLED * ECHO_BYTES, "but reading stopped before all of them: " + total);
            int paused = 0;
            for (MemoryPeer p : stalled) {
                if ((p.transport.interestOps() & Transport.READ) == 0 && p.transport.unreadInput() > 0) {
                    paused++;
                }
            }
            assertTrue(paused >= 1, "big holders stopped being read below their own high-water mark");
            assertTrue(s.server().maxPendingBytes() < HIGH_WATER, "so it was the budget that paused them");

            MemoryPeer prompt = s.connect();
            byte[] body = new byte[8 * 1024];
            prompt.send(Header.op("PING").put(Header.ID, 1), body);
            assertArrayEquals(body, prompt.read().body(), "a client that reads is served over the budget");

            for (MemoryPeer p : stalled) {
                p.transport.reset();
            }
            prompt.send(Header.op("BYE").put(Header.ID, 2));
            s.runUntilIdle();
            assertEquals(0, s.server().stats().connectionsOpen.get());
            assertEquals(0, s.server().stats().bufferedOutputBytes.get(), "every connection gave its share back");
        }
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 D3's second half: a budget on answers buffered in memory across all connections. Over
 * it, connections holding more than the low-water mark stop being read; a client that reads its
 * answers promptly holds less and is still served; the total counts every connection's share and
 * goes back to 0 when they close.
 */
class OutputBudgetTest {
    static final long BUDGET = 96 * 1024;
    static final int STALLED = 4;
    static final int ECHO_BYTES = 512 * 1024;

    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void overTheBudgetBigHoldersStopBeingReadAndPromptClientsAreServed() throws Exception {
        server = TestServers.start(TestServers.config().maxTotalBufferedOutputBytes(BUDGET).highWaterBytes(64 * 1024)
                .lowWaterBytes(16 * 1024).readBufferBytes(4 * 1024).socketSendBufferBytes(16 * 1024).build());
        List<RawPeer> stalled = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                RawPeer p = new RawPeer(server.port());
                stalled.add(p);
                // A PING whose echo the client never reads; sent from a thread, since the server
                // stops reading and our write then blocks.
                Thread t = new Thread(() -> {
                    try {
                        p.send(Header.op("PING").put(Header.ID, 1), new byte[ECHO_BYTES]);
                    } catch (Exception closed) {
                        // the test closes the socket under the blocked write
                    }
                });
                t.setDaemon(true);
                t.start();
                senders.add(t);
            }
            ReactorTest.waitUntil(() -> server.stats().bufferedOutputBytes.get() > BUDGET);
            ReactorTest.waitUntil(() -> server.stats().budgetPauses.sum() >= 1);
            try (FerryClient prompt = FerryClient.connect("127.0.0.1", server.port())) {
                byte[] body = new byte[8 * 1024];
                assertArrayEquals(body, prompt.ping(body), "a client that reads is served over the budget");
            }
        } finally {
            for (RawPeer p : stalled) {
                p.close();
            }
        }
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0);
        assertEquals(0, server.stats().bufferedOutputBytes.get(), "every connection gave its share back");
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.lang.reflect.Field;
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
            ReactorTest.waitUntil(() -> globallyPaused() >= 1);
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

    /** Connections of this server paused for the budget now (read on their loops). */
    private int globallyPaused() {
        int[] n = {0};
        try {
            Field f = FerryServer.class.getDeclaredField("connectionsByLoop");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            List<Connection>[] byLoop = (List<Connection>[]) f.get(server);
            Field mask = Connection.class.getDeclaredField("pauseMask");
            mask.setAccessible(true);
            EventLoop[] loops = ServerInternals.loops(server);
            for (int i = 0; i < loops.length; i++) {
                int idx = i;
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                loops[i].execute(() -> {
                    try {
                        for (Connection c : byLoop[idx]) {
                            if ((mask.getInt(c) & Connection.PAUSE_GLOBAL) != 0) {
                                n[0]++;
                            }
                        }
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    } finally {
                        done.countDown();
                    }
                });
                assertTrue(done.await(10, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return n[0];
    }
}

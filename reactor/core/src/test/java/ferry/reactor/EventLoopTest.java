package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTest {
    private static EventLoop loop(Clock clock) throws Exception {
        return new EventLoop("test-loop", clock, 4096, 4096, 4, null);
    }

    @Test
    void timersRunInDeadlineOrderWhenTheFakeClockReachesThem() throws Exception {
        TestServers.FakeClock clock = new TestServers.FakeClock();
        EventLoop l = loop(clock);
        List<String> ran = new ArrayList<>();
        l.schedule(TimeUnit.MILLISECONDS.toNanos(30), () -> ran.add("c"));
        l.schedule(TimeUnit.MILLISECONDS.toNanos(10), () -> ran.add("a"));
        EventLoop.Timer cancelled = l.schedule(TimeUnit.MILLISECONDS.toNanos(15), () -> ran.add("x"));
        l.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> ran.add("b"));
        cancelled.cancel();
        assertEquals(0, l.runTimers(clock.nanoTime()));
        clock.advanceMillis(20);
        l.runTimers(clock.nanoTime());
        assertEquals(List.of("a", "b"), ran);
        clock.advanceMillis(10);
        l.runTimers(clock.nanoTime());
        assertEquals(List.of("a", "b", "c"), ran);
    }

    @Test
    void tasksFromOtherThreadsRunOnTheLoopAndAFailingTaskDoesNotKillIt() throws Exception {
        EventLoop l = loop(Clock.SYSTEM);
        l.start();
        try {
            CountDownLatch done = new CountDownLatch(1);
            boolean[] onLoop = new boolean[1];
            l.execute(() -> {
                throw new IllegalStateException("task bug");
            });
            l.execute(() -> {
                onLoop[0] = l.inLoop();
                done.countDown();
            });
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertTrue(onLoop[0]);
            assertEquals(1, l.errors());
        } finally {
            l.shutdown(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void rebuiltSelectorKeepsServingConnections() throws Exception {
        FerryServer server = TestServers.start(TestServers.config().build());
        try (ferry.client.FerryClient c = ferry.client.FerryClient.connect("127.0.0.1", server.port())) {
            c.ping();
            CountDownLatch rebuilt = new CountDownLatch(1);
            EventLoop loop0 = loopOf(server);
            loop0.execute(() -> {
                try {
                    loop0.rebuildSelector();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                rebuilt.countDown();
            });
            assertTrue(rebuilt.await(5, TimeUnit.SECONDS));
            assertEquals(1, loop0.selectorRebuilds());
            assertArrayEquals(new byte[] {4, 2}, c.ping(new byte[] {4, 2}));
            try (ferry.client.FerryClient d = ferry.client.FerryClient.connect("127.0.0.1", server.port())) {
                assertTrue(d.ping() > 0, "the acceptor moved to the new selector too");
            }
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private static EventLoop loopOf(FerryServer server) throws Exception {
        java.lang.reflect.Field f = FerryServer.class.getDeclaredField("loops");
        f.setAccessible(true);
        return ((EventLoop[]) f.get(server))[0];
    }
}

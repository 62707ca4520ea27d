package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import java.lang.reflect.Field;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The empty-select spin guard: the pure rule, then a real loop whose selector is made to spin. */
class SelectorSpinGuardTest {
    private static final long TIMEOUT_MILLIS = 1000;
    private static final long EARLY_NANOS = 50_000; // returned after 0.05 ms of a 1000 ms timeout

    @Test
    void consecutiveEarlyEmptySelectsPastTheThresholdAskForARebuildOnce() {
        SelectorSpinGuard g = new SelectorSpinGuard(4);
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
        assertTrue(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false), "the 4th in a row");
        assertEquals(0, g.earlyEmptySelects(), "counting starts again after a rebuild");
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
    }

    @Test
    void everyExplanationOfAnEarlyReturnResetsTheCount() {
        SelectorSpinGuard g = new SelectorSpinGuard(3);
        Runnable twoEarly = () -> {
            assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
            assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, false));
            assertEquals(2, g.earlyEmptySelects());
        };
        twoEarly.run();
        assertFalse(g.afterSelect(1, false, TIMEOUT_MILLIS, EARLY_NANOS, false), "a key was ready");
        assertEquals(0, g.earlyEmptySelects());
        twoEarly.run();
        assertFalse(g.afterSelect(0, true, TIMEOUT_MILLIS, EARLY_NANOS, false), "a task or timer ran (execute's wakeup)");
        assertEquals(0, g.earlyEmptySelects());
        twoEarly.run();
        assertFalse(g.afterSelect(0, false, 0, EARLY_NANOS, false), "selectNow returns at once by design");
        assertEquals(0, g.earlyEmptySelects());
        twoEarly.run();
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS), false),
                "the select waited its whole timeout");
        assertEquals(0, g.earlyEmptySelects());
        twoEarly.run();
        assertFalse(g.afterSelect(0, false, TIMEOUT_MILLIS, EARLY_NANOS, true), "an interrupt ends select early");
        assertEquals(0, g.earlyEmptySelects());
    }

    @Test
    void aShortTimeoutThatReturnsJustEarlyStillCounts() {
        SelectorSpinGuard g = new SelectorSpinGuard(2);
        assertFalse(g.afterSelect(0, false, 1, 900_000, false)); // 0.9 ms of a 1 ms timeout
        assertTrue(g.afterSelect(0, false, 1, 900_000, false));
    }

    @Test
    void thresholdMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new SelectorSpinGuard(0));
    }

    /**
     * A real loop whose selector keeps returning at once with nothing ready: another thread calls
     * {@code wakeup()} on it without queueing a task, which is exactly what the epoll bug looks like
     * from the loop. The loop must replace the selector, and connections, old and new, keep working.
     */
    @Test
    void spinningSelectorIsRebuiltAndTheServerKeepsServing() throws Exception {
        FerryServer server = TestServers.start(TestServers.config().build());
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            assertArrayEquals(new byte[] {1}, c.ping(new byte[] {1}));
            EventLoop loop = ServerInternals.loops(server)[0];
            Selector spinning = selectorOf(loop);
            AtomicBoolean stop = new AtomicBoolean();
            Thread spinner = new Thread(() -> {
                while (!stop.get()) {
                    spinning.wakeup();
                }
            }, "spin-maker");
            spinner.start();
            try {
                ReactorTest.waitUntil(() -> loop.selectorRebuilds() >= 1);
            } finally {
                stop.set(true);
                spinner.join();
            }
            assertNotSame(spinning, selectorOf(loop), "a fresh selector");
            assertFalse(spinning.isOpen(), "the spinning one is closed");
            assertArrayEquals(new byte[] {2, 3}, c.ping(new byte[] {2, 3}), "the old connection moved to the new selector");
            try (FerryClient d = FerryClient.connect("127.0.0.1", server.port())) {
                assertTrue(d.ping() > 0, "the acceptor moved too");
            }
            assertEquals(0, loop.errors());
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    static Selector selectorOf(EventLoop loop) throws Exception {
        Field f = EventLoop.class.getDeclaredField("selector");
        f.setAccessible(true);
        return (Selector) f.get(loop);
    }
}

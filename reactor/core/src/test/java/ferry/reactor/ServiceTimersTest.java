package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerContext#schedule}: a loop's timers and clock decide when, a lane's worker runs the
 * task. The loop is never started: the test owns it and fires its timers at fake times.
 */
class ServiceTimersTest {
    private static final long WAIT_SECONDS = 10;
    private static final long DELAY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final FakeClock clock = new FakeClock();
    private final Workers bulk = new Workers("test-bulk", 1, 1);
    private final ServiceTimers timers = new ServiceTimers(lane -> {
        assertEquals(WorkerLane.BULK, lane);
        return bulk;
    }, ServerLog.NONE);
    private final EventLoop loop;

    ServiceTimersTest() throws Exception {
        loop = new EventLoop("timer-loop", clock, 4096, 4096, 4, null);
    }

    @AfterEach
    void stop() throws InterruptedException {
        bulk.shutdown(TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
        loop.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Fires the loop's due timers at {@code millis} of fake time from now. */
    private void after(long millis) {
        clock.advanceMillis(millis);
        loop.runTimers(clock.nanoTime());
    }

    @Test
    void aTaskRunsOnAWorkerOnceItsDelayHasPassedOnTheLoopsClock() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        String[] thread = new String[1];
        timers.schedule(DELAY_NANOS, WorkerLane.BULK, () -> {
            thread[0] = Thread.currentThread().getName();
            ran.countDown();
        });
        timers.attach(loop); // scheduled before the start: the delay counts from here
        after(59_999);
        assertEquals(0, bulk.activeCount() + bulk.queued());
        assertEquals(1, ran.getCount(), "not due yet");
        after(1);
        assertTrue(ran.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals("test-bulk-1", thread[0]);
    }

    @Test
    void aCancelledTaskNeverStarts() throws Exception {
        timers.attach(loop);
        AtomicInteger cancelledRuns = new AtomicInteger();
        ScheduledTask t = timers.schedule(DELAY_NANOS, WorkerLane.BULK, cancelledRuns::incrementAndGet);
        CountDownLatch later = new CountDownLatch(1);
        timers.schedule(DELAY_NANOS, WorkerLane.BULK, later::countDown);
        t.cancel();
        assertTrue(t.isCancelled());
        after(60_000);
        assertTrue(later.await(WAIT_SECONDS, TimeUnit.SECONDS)); // one thread: the first would have gone before
        assertEquals(0, cancelledRuns.get());
    }

    @Test
    void aTaskDueWhileItsLaneIsFullTriesAgainOneDelayLater() throws Exception {
        timers.attach(loop);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        assertTrue(bulk.trySubmit(loop, () -> {
            blocking.countDown();
            return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }, (r, e) -> { }));
        assertTrue(blocking.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(bulk.trySubmit(loop, () -> null, (r, e) -> { })); // the one queue slot
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        timers.schedule(DELAY_NANOS, WorkerLane.BULK, () -> {
            runs.incrementAndGet();
            ran.countDown();
        });
        after(60_000); // due, but refused: re-armed
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (bulk.activeCount() + bulk.queued() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the lane drains
        }
        assertEquals(1, ran.getCount(), "skipped a turn, not queued");
        after(59_999);
        assertEquals(1, ran.getCount());
        after(1);
        assertTrue(ran.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, runs.get());
    }

    @Test
    void nothingStartsOnceStopped() throws Exception {
        timers.attach(loop);
        AtomicInteger runs = new AtomicInteger();
        timers.schedule(DELAY_NANOS, WorkerLane.BULK, runs::incrementAndGet);
        timers.stop();
        after(60_000);
        timers.schedule(0, WorkerLane.BULK, runs::incrementAndGet);
        after(0);
        assertEquals(0, bulk.activeCount() + bulk.queued());
        bulk.shutdown(TimeUnit.SECONDS.toNanos(WAIT_SECONDS)); // waits for anything that did start
        assertEquals(0, runs.get());
    }
}

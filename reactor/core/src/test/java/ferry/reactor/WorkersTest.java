package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The door from workers back to the loop: {@link Workers#trySubmit} and {@link Workers#post}. */
class WorkersTest {
    private static final long WAIT_SECONDS = 10;

    /** One thread, one queue slot: jobs run in order, and a third one is refused. */
    private final Workers workers = new Workers("test-worker", 1, 1);
    private EventLoop loop;

    private EventLoop startedLoop() throws IOException {
        loop = new EventLoop("door-loop", Clock.SYSTEM, 4096, 4096, 4, null);
        loop.start();
        return loop;
    }

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdown(TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
        if (loop != null) {
            loop.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A result that notes whether it was closed: what an open file stands for here. */
    private static final class Resource implements AutoCloseable {
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void theJobsResultReachesTheCompletionOnTheLoopThread() throws Exception {
        EventLoop l = startedLoop();
        AtomicReference<String> ranOn = new AtomicReference<>();
        AtomicReference<Object> got = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        assertTrue(workers.trySubmit(l, () -> {
            assertFalse(l.inLoop());
            return "digest:" + Thread.currentThread().getName();
        }, (result, error) -> {
            ranOn.set(l.inLoop() ? "loop" : Thread.currentThread().getName());
            got.set(error != null ? error : result);
            done.countDown();
        }));
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals("loop", ranOn.get());
        assertEquals("digest:test-worker-1", got.get());
    }

    @Test
    void theJobsExceptionReachesTheCompletionOnTheLoopThread() throws Exception {
        EventLoop l = startedLoop();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean resultWasNull = new AtomicBoolean();
        AtomicBoolean onLoop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        assertTrue(workers.trySubmit(l, () -> {
            throw new IOException("disk gone");
        }, (result, e) -> {
            onLoop.set(l.inLoop());
            resultWasNull.set(result == null);
            error.set(e);
            done.countDown();
        }));
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(onLoop.get());
        assertTrue(resultWasNull.get());
        assertInstanceOf(IOException.class, error.get());
        assertEquals("disk gone", error.get().getMessage());
        assertEquals(0, l.errors());
    }

    @Test
    void aFullPoolIsReportedToTheCallerAndNothingRuns() throws Exception {
        EventLoop l = startedLoop();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch bothDone = new CountDownLatch(2);
        Workers.Completion<Object> counted = (r, e) -> bothDone.countDown();
        assertTrue(workers.trySubmit(l, () -> {
            running.countDown();
            return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }, counted));
        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS)); // the one thread is busy
        assertTrue(workers.trySubmit(l, () -> "queued", counted)); // the one queue slot
        AtomicInteger refusedRan = new AtomicInteger();
        assertFalse(workers.trySubmit(l, () -> refusedRan.incrementAndGet(), (r, e) -> refusedRan.incrementAndGet()));
        release.countDown();
        assertTrue(bothDone.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, refusedRan.get(), "a refused job and its completion never run");
        assertTrue(workers.trySubmit(l, () -> "room again", counted), "the pool takes work once it has room");
    }

    @Test
    void aStoppedLoopNeverRunsTheCompletionAndTheResultIsReleased() throws Exception {
        EventLoop l = startedLoop();
        l.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(l.isStopped());
        Resource opened = new Resource();
        AtomicBoolean completed = new AtomicBoolean();
        assertTrue(workers.trySubmit(l, () -> opened, (r, e) -> completed.set(true)));
        assertTrue(opened.closed.await(WAIT_SECONDS, TimeUnit.SECONDS), "the default abandon closes the result");
        assertFalse(completed.get());
    }

    @Test
    void aResultPostedJustBeforeTheLoopStopsIsAbandonedByTheLoopsExit() throws Exception {
        // A loop that never ran: what is queued to it can only be drained by its stop.
        loop = new EventLoop("never-started", Clock.SYSTEM, 4096, 4096, 4, null);
        Resource opened = new Resource();
        AtomicBoolean completed = new AtomicBoolean();
        Workers.post(loop, opened, null, (r, e) -> completed.set(true));
        assertEquals(1, opened.closed.getCount(), "queued, not yet abandoned");
        loop.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, opened.closed.getCount(), "the stop drained the queue");
        assertFalse(completed.get());
        Resource late = new Resource();
        Workers.post(loop, late, null, (r, e) -> completed.set(true));
        assertEquals(0, late.closed.getCount(), "posted after the stop: abandoned at once");
        assertFalse(completed.get());
    }

    @Test
    void anAbandonedFailureHasNothingToRelease() throws Exception {
        EventLoop l = startedLoop();
        l.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
        CountDownLatch abandoned = new CountDownLatch(1);
        AtomicReference<Object> seen = new AtomicReference<>("unset");
        assertTrue(workers.trySubmit(l, () -> {
            throw new IOException("failed anyway");
        }, new Workers.Completion<Object>() {
            @Override
            public void complete(Object result, Throwable error) {
                seen.set("completed");
            }

            @Override
            public void abandoned(Object result) {
                seen.set("abandoned");
                abandoned.countDown();
            }
        }));
        CountDownLatch drained = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (workers.queued() > 0 && System.nanoTime() < deadline) { // the thread takes the job from the slot
            Thread.onSpinWait();
        }
        assertTrue(workers.trySubmit(l, () -> {
            drained.countDown();
            return null;
        }, (r, e) -> { }));
        assertTrue(drained.await(WAIT_SECONDS, TimeUnit.SECONDS)); // one thread: the failing job went first
        assertFalse(abandoned.await(0, TimeUnit.SECONDS));
        assertEquals("unset", seen.get());
    }
}

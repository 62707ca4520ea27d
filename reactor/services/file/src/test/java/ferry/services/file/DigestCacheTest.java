package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.reactor.Clock;
import ferry.reactor.EventLoop;
import ferry.reactor.OpException;
import ferry.reactor.Workers;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DigestCache} through the door to the loop: one computation shared by waiters on two
 * loops, each answered on its own; a full pool reported to the caller; the loop thread checked.
 */
class DigestCacheTest {
    private static final long WAIT_SECONDS = 10;
    private static final byte[] CONTENT = "hash me once".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final CountDownLatch openGate = new CountDownLatch(1);
    private final AtomicInteger opens = new AtomicInteger();
    private final Workers bulk = new Workers("test-bulk", 1, 1);
    private EventLoop loopA;
    private EventLoop loopB;
    private RootFiles files;
    private DigestCache cache;
    private Path real;
    private FileStat stat;

    @BeforeEach
    void start() throws Exception {
        Path root = dir.toRealPath();
        real = Files.write(root.resolve("f"), CONTENT);
        // Opens wait for the gate: the computation is held while a second waiter joins it.
        files = RootFiles.probe(root, (path, options) -> {
            try {
                assertTrue(openGate.await(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted at the gate");
            }
            opens.incrementAndGet();
            return FileChannel.open(path, options);
        });
        stat = files.stat(real);
        cache = new DigestCache(16, bulk, files, 4096);
        loopA = new EventLoop("loop-a", Clock.SYSTEM, 4096, 4096, 4, null);
        loopB = new EventLoop("loop-b", Clock.SYSTEM, 4096, 4096, 4, null);
        loopA.start();
        loopB.start();
    }

    @AfterEach
    void stop() throws Exception {
        openGate.countDown();
        bulk.shutdown(TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
        loopA.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
        loopB.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** What one waiter got, and where. */
    private record Answer(DigestCache.Result result, Throwable error, String thread) {}

    /** Runs {@code what} on {@code loop} and returns its value. */
    private static <T> T onLoop(EventLoop loop, Callable<T> what) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(what.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Asks for the digest on {@code loop}; the answer's future completes where the completion ran. */
    private boolean ask(EventLoop loop, CompletableFuture<Answer> answer) throws Exception {
        return onLoop(loop, () -> cache.digest(loop, real, stat, DigestAlgorithm.SHA_256,
                (r, e) -> answer.complete(new Answer(r, e, Thread.currentThread().getName()))));
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void waitersOnTwoLoopsShareOneComputationAndEachIsAnsweredOnItsOwnLoop() throws Exception {
        CompletableFuture<Answer> a = new CompletableFuture<>();
        CompletableFuture<Answer> b = new CompletableFuture<>();
        assertTrue(ask(loopA, a));
        assertTrue(ask(loopB, b)); // joins: the first is held at its open
        openGate.countDown();
        Answer atA = a.get(WAIT_SECONDS, TimeUnit.SECONDS);
        Answer atB = b.get(WAIT_SECONDS, TimeUnit.SECONDS);
        String expected = sha256(CONTENT);
        assertEquals("loop-a", atA.thread());
        assertEquals("loop-b", atB.thread());
        assertEquals(new DigestCache.Result(expected, false), atA.result());
        assertEquals(new DigestCache.Result(expected, false), atB.result());
        assertEquals(1, opens.get(), "one computation for both");

        // Now a hit: answered on the calling loop before digest returns.
        CompletableFuture<Answer> hit = new CompletableFuture<>();
        assertTrue(onLoop(loopB, () -> {
            assertTrue(cache.digest(loopB, real, stat, DigestAlgorithm.SHA_256,
                    (r, e) -> hit.complete(new Answer(r, e, Thread.currentThread().getName()))));
            return hit.isDone();
        }), "a hit needs no worker");
        assertEquals(new DigestCache.Result(expected, true), hit.get().result());
    }

    @Test
    void aFullPoolIsReportedToTheCallerAndTheNextAskComputes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        assertTrue(bulk.trySubmit(loopA, () -> {
            running.countDown();
            return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
        }, (r, e) -> { }));
        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(bulk.trySubmit(loopA, () -> null, (r, e) -> { })); // the queue's one slot
        CompletableFuture<Answer> refused = new CompletableFuture<>();
        assertFalse(ask(loopA, refused), "busy: the caller answers it");
        assertEquals(ErrorCode.BUSY, DigestCache.busy().code());

        release.countDown();
        openGate.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (bulk.activeCount() + bulk.queued() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the pool drains
        }
        CompletableFuture<Answer> again = new CompletableFuture<>();
        assertTrue(ask(loopA, again), "the refused computation left nothing behind to wait on");
        assertEquals(new DigestCache.Result(sha256(CONTENT), false), again.get(WAIT_SECONDS, TimeUnit.SECONDS).result());
        assertFalse(refused.isDone(), "a refused ask is never completed");
    }

    @Test
    void askingOffTheLoopThrows() throws Exception {
        assertThrows(IllegalStateException.class, () -> cache.digest(loopA, real, stat, DigestAlgorithm.SHA_256,
                (r, e) -> fail("never completed")));
        openGate.countDown();
        bulk.shutdown(TimeUnit.SECONDS.toNanos(WAIT_SECONDS)); // runs anything that was queued
        assertEquals(0, opens.get(), "nothing was computed");
    }

    @Test
    void aFileThatChangesWhileHashedFailsEveryWaiterWithConflict() throws Exception {
        CompletableFuture<Answer> a = new CompletableFuture<>();
        CompletableFuture<Answer> b = new CompletableFuture<>();
        assertTrue(ask(loopA, a));
        assertTrue(ask(loopB, b));
        Files.write(real, "changed meanwhile, and longer".getBytes(StandardCharsets.UTF_8));
        openGate.countDown();
        for (CompletableFuture<Answer> f : List.of(a, b)) {
            Answer got = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNull(got.result());
            assertEquals(ErrorCode.CONFLICT, ((OpException) got.error()).code());
        }
        assertEquals("loop-b", b.get().thread());
        assertEquals(0, cache.size(), "nothing cached for a version that no longer exists");
    }
}

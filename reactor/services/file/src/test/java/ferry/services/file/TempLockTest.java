package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The temp lock's own rules: one holder at a time, and never a lock on a file that left the temp's name. */
class TempLockTest {
    @TempDir
    Path tmp;

    @Test
    void aTempIsLockedByOneHolderAtATimeAndFreedByTheClose() throws Exception {
        Path temp = tmp.resolve(".ferry-part-x");
        try (FileChannel first = TempLock.openOrCreate(TempLock.PLAIN, temp)) {
            assertNotNull(first, "a fresh temp is created and locked");
            assertNull(TempLock.openOrCreate(TempLock.PLAIN, temp), "a second holder is refused");
            assertNull(TempLock.openExisting(TempLock.PLAIN, temp));
            assertFalse(TempLock.deleteIfUnlocked(temp), "a held temp is not deleted");
            assertTrue(Files.exists(temp));
        }
        assertTrue(TempLock.deleteIfUnlocked(temp), "once closed it is free");
        assertFalse(Files.exists(temp));
        assertNull(TempLock.openExisting(TempLock.PLAIN, temp), "nothing to open");
    }

    /**
     * Another node commits the temp (renames it into place) between this node's open and its lock:
     * the lock then lands on the committed file. The locker must notice and take the name's new
     * file instead, never truncating or writing the committed one.
     */
    @Test
    void aTempCommittedBetweenTheOpenAndTheLockIsNotTaken() throws Exception {
        Path temp = tmp.resolve(".ferry-part-y");
        Path target = tmp.resolve("y");
        Files.write(temp, "committed contents".getBytes());
        boolean[] moved = {false};
        TempLock.Disk racing = new TempLock.Disk() {
            @Override
            public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
                FileChannel ch = TempLock.PLAIN.open(path, options);
                if (!moved[0]) {
                    moved[0] = true;
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE); // the other node's commit
                }
                return ch;
            }

            @Override
            public Object fileKey(Path path) throws IOException {
                return TempLock.PLAIN.fileKey(path);
            }
        };
        try (FileChannel ch = TempLock.openOrCreate(racing, temp)) {
            assertNotNull(ch);
            assertEquals(0, ch.size(), "the lock is on a new temp, not on the committed file");
            ch.write(ByteBuffer.wrap("new upload".getBytes()), 0);
        }
        assertEquals("committed contents", Files.readString(target));
        assertEquals("new upload", Files.readString(temp));
    }

    /**
     * PARTIAL's probe for another server's lock opens and closes the temp: it runs outside the
     * registry's lock (the loop takes that lock), and an upload of the temp claimed meanwhile is
     * refused, since the probe's close would release that upload's lock.
     */
    @Test
    void aProbeHoldsNoRegistryLockAndKeepsTheTempFromBeingClaimed() throws Exception {
        Path temp = tmp.resolve(".ferry-part-z");
        Files.write(temp, new byte[10]);
        UploadRegistry registry = new UploadRegistry(10, 10, 10, TimeUnit.SECONDS.toNanos(30));
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        TempLock.Disk slow = new TempLock.Disk() {
            @Override
            public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
                probing.countDown();
                try {
                    goOn.await(); // a slow network filesystem
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return TempLock.PLAIN.open(path, options);
            }

            @Override
            public Object fileKey(Path path) throws IOException {
                return TempLock.PLAIN.fileKey(path);
            }
        };
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return registry.heldByAnotherServer(temp, slow);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        probing.await();
        OpException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(OpException.class, () -> registry.claim(tmp.resolve("z"), temp, "z",
                        new UploadRegistryTest.FakeHolder("alice"))), "the probe holds no registry lock");
        assertEquals("conflict", e.code());
        assertFalse(registry.deleteIfIdle(temp), "a probed temp is not swept");
        goOn.countDown();
        assertFalse(probe.get(20, TimeUnit.SECONDS), "nobody else holds it");
        registry.claim(tmp.resolve("z"), temp, "z", new UploadRegistryTest.FakeHolder("alice"));
        assertEquals(1, registry.active(), "claimed once the probe is over");
    }
}

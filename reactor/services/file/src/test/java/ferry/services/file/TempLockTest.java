package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
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
}

package ferry.services.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The OS lock ({@code fcntl}/{@code LockFileEx}, through {@link FileChannel#tryLock()}) that makes
 * an upload temp exclusive across servers sharing one filesystem: a server writes a temp only
 * while it holds the lock, so two servers never interleave their bytes in one temp, and one
 * server's sweeper never deletes a temp another server is writing. Within one server the
 * {@link UploadRegistry} already keeps uploads apart; this covers the other processes.
 *
 * <h2>Rules every holder follows</h2>
 * <ul>
 *   <li>The lock lives as long as the channel that took it: closing it releases the lock. POSIX
 *       also releases a process's lock when it closes <em>any</em> descriptor of the file, so a
 *       holder closes its other channels on the temp (the {@code O_DIRECT} one) only after it is
 *       done with the temp.</li>
 *   <li>A temp leaves its name (committed by rename, deleted on failure or by the sweeper) only
 *       while its remover holds the lock, and the lock goes only after that.</li>
 * </ul>
 * So a locker may meet an inode that left the name between its open and its lock (it then holds
 * a lock on a committed file, or on nothing). It checks: the name pointed to the same file
 * ({@link BasicFileAttributes#fileKey()}: device and inode) before the open and after the lock,
 * and a file that left a temp name never comes back to it (nothing renames or links into a temp
 * name, and an inode held open is never reused); otherwise it tries again, a bounded number of
 * times.
 *
 * <p>Within one JVM (two servers in a test) the JDK refuses a second lock on a file with
 * {@link OverlappingFileLockException} instead of the OS answering: that counts as held by
 * another server too.
 *
 * <p>A filesystem that refuses locks ({@code ENOLCK}: NFSv3 without {@code lockd}) fails the
 * upload with an I/O error naming the cause, rather than writing without the guarantee.
 *
 * <p>Threading contract: stateless; every method does disk I/O (worker threads only).
 */
final class TempLock {
    /** Opens and stats the files to lock: the root's symlink-proof access, or plain paths. */
    interface Disk {
        FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

        /** The file's identity (device and inode), null if the platform has none; NoSuchFileException if absent. */
        Object fileKey(Path path) throws IOException;
    }

    /** How often an open races a commit or delete of the same temp before the locker gives up. */
    static final int MAX_ATTEMPTS = 4;

    private static final Set<StandardOpenOption> READ_WRITE = EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final Set<StandardOpenOption> CREATE_NEW =
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);

    private TempLock() {}

    /** The root's access, which follows no symlink. */
    static Disk of(RootFiles files) {
        return new Disk() {
            @Override
            public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
                return files.open(path, options);
            }

            @Override
            public Object fileKey(Path path) throws IOException {
                return files.attributes(path).fileKey();
            }
        };
    }

    /** Plain paths without following a final symlink (the sweeper's walk, which follows none). */
    static final Disk PLAIN = new Disk() {
        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            Set<OpenOption> noFollow = new HashSet<>(options);
            noFollow.add(LinkOption.NOFOLLOW_LINKS);
            return FileChannel.open(path, noFollow);
        }

        @Override
        public Object fileKey(Path path) throws IOException {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }
    };

    /**
     * Opens {@code temp} for reading and writing, creating it if missing, locked. Returns null if
     * another server holds it (or it kept changing under this one for {@link #MAX_ATTEMPTS} tries).
     */
    static FileChannel openOrCreate(Disk disk, Path temp) throws IOException {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Object before = keyOrNull(disk, temp);
            if (before == null) {
                try {
                    // Created here and closed unlocked: the next round opens it by name and checks it.
                    disk.open(temp, CREATE_NEW).close();
                } catch (FileAlreadyExistsException raced) {
                    // another server created it first: the next round takes it by name
                }
                continue;
            }
            Round r = lockIfStill(disk, temp, before);
            if (r.channel() != null || r.held()) {
                return r.channel();
            }
        }
        return null;
    }

    /** Opens an existing {@code temp} locked; null if it is absent or another server holds it. */
    static FileChannel openExisting(Disk disk, Path temp) throws IOException {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Object before = keyOrNull(disk, temp);
            if (before == null) {
                return null;
            }
            Round r = lockIfStill(disk, temp, before);
            if (r.channel() != null || r.held()) {
                return r.channel();
            }
        }
        return null;
    }

    /**
     * Whether another server holds {@code temp} (PARTIAL's check). Only for a temp no upload of this
     * server holds: closing the probe releases this process's locks on the file.
     */
    static boolean heldElsewhere(Disk disk, Path temp) throws IOException {
        try (FileChannel ch = disk.open(temp, READ_WRITE)) {
            return !tryLock(ch, temp); // a lock taken here goes with the close
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * The sweeper's delete: removes {@code temp}, under its lock, unless another server holds it.
     * Only for a temp no upload of this server holds (see {@link #heldElsewhere}).
     */
    static boolean deleteIfUnlocked(Path temp) throws IOException {
        FileChannel ch = openExisting(PLAIN, temp);
        if (ch == null) {
            return false;
        }
        try (ch) {
            return Files.deleteIfExists(temp);
        }
    }

    /** One try's outcome: the locked channel, or none because another server holds it ({@code held}) or it moved. */
    private record Round(FileChannel channel, boolean held) {}

    /** Opens the file by name, locks it, and keeps it only if the name still points at the file seen before. */
    private static Round lockIfStill(Disk disk, Path temp, Object before) throws IOException {
        FileChannel ch;
        try {
            ch = disk.open(temp, READ_WRITE);
        } catch (NoSuchFileException gone) {
            return new Round(null, false);
        }
        boolean keep = false;
        try {
            if (!tryLock(ch, temp)) {
                return new Round(null, true);
            }
            Object after = keyOrNull(disk, temp);
            keep = after != null && sameKey(before, after);
            return new Round(keep ? ch : null, false); // else it left its name between the open and the lock
        } finally {
            if (!keep) {
                ch.close();
            }
        }
    }

    private static Object keyOrNull(Disk disk, Path temp) throws IOException {
        try {
            Object k = disk.fileKey(temp);
            return k == null ? NO_KEY : k;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Stands for "exists, but the platform gives no identity" (nothing to compare: accepted). */
    private static final Object NO_KEY = new Object();

    /** Takes the lock on {@code ch}: true if taken, false if another process or server of this JVM holds it. */
    static boolean tryLock(FileChannel ch, Path temp) throws IOException {
        try {
            FileLock lock = ch.tryLock();
            return lock != null;
        } catch (OverlappingFileLockException sameJvm) {
            return false;
        } catch (IOException e) {
            throw new IOException("cannot lock upload temp " + temp.getFileName() + " (" + e.getMessage() + "): the"
                    + " filesystem refuses file locks, which keep servers sharing it from writing one upload twice"
                    + " (NFSv3 needs lockd and statd running)", e);
        }
    }

    private static boolean sameKey(Object a, Object b) {
        return a == NO_KEY || b == NO_KEY || Objects.equals(a, b);
    }
}

package ferry.services.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import ferry.reactor.UserQuota;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-home quotas: how many bytes and regular files a home folder may hold, and how much it holds.
 *
 * <p>What counts: regular files under the home (symlinks are not followed and count nothing;
 * folders count nothing). The temps of interrupted uploads count their bytes (not as files): a
 * user cannot fill the disk by starting uploads and dropping them. A running upload's temp is
 * counted by its reservation instead: when it starts, the bytes its temp already holds move from
 * the home's usage into it, and if it stops with the temp kept, what the temp then holds moves
 * back. The sweeper's removal of a stale temp gives its bytes back. A home's usage is learnt by a scan of its tree on first use (by a PUT), then kept
 * by increments: a commit adds the new size minus the replaced file's, a DELETE subtracts what it
 * removed, a RENAME over a file subtracts the file it replaced. A home never asked about is never
 * scanned. Nothing is kept on disk: a restarted server scans again.
 *
 * <p>Concurrent uploads of one home reserve their whole declared size (the partial's bytes of a
 * resume included, since they end up in the file) and one file (when the target does not exist
 * yet) before the body is read; an upload is refused with {@link ErrorCode#QUOTA_EXCEEDED} when
 * usage plus every reservation plus its own would pass a limit. The reservation goes when the
 * upload commits (replaced by the real change), fails or is suspended.
 *
 * <p>Drift: another process (another node sharing the root, an operator) changing the home is not
 * seen by the increments. With a rescan interval, a home whose scan is older than it is scanned
 * again at its next upload, which bounds how long such drift lasts. A failed recursive DELETE
 * (partly done) marks the home for a rescan. A rescan that runs between a commit's rename and its
 * settling counts that file twice, until the next count (erring towards refusing).
 *
 * <p>Threading contract: {@link #reserve}, {@link #usage} and {@link #scan} may block on the disk
 * (scans) and run on workers, never on an event loop. One home's counters are guarded by their own
 * monitor, held only for arithmetic, never during a scan: {@link Reservation#release},
 * {@link Reservation#committed}, {@link #removed} and {@link #tempRemoved} never wait for the disk,
 * so an upload may release its reservation on the loop when no worker is free. A scan holds the
 * home's scan lock instead, so a home's concurrent uploads wait for its first scan rather than
 * scanning twice. A change settled while a rescan walks the tree may be counted by the walk or
 * not: drift until the next count.
 */
final class HomeQuotas {
    /** Quota limits of one session; 0 means no limit on that count. */
    record Limits(long maxBytes, long maxFiles) {
        static final Limits NONE = new Limits(0, 0);

        Limits {
            if (maxBytes < 0 || maxFiles < 0) {
                throw new IllegalArgumentException("quota limits must be >= 0 (0: none): " + maxBytes + ", " + maxFiles);
            }
        }

        boolean any() {
            return maxBytes > 0 || maxFiles > 0;
        }
    }

    /** What one home holds, as last scanned plus increments; the counters are guarded by its own monitor. */
    private static final class Usage {
        /** Held while the home is scanned (workers only); never taken inside the monitor. */
        final Object scanLock = new Object();
        long bytes;
        long files;
        long reservedBytes;
        long reservedFiles;
        boolean scanned;
        long scannedAtMillis;
    }

    /**
     * What an upload holds of its home's quota until it ends. Idempotent: releasing or settling
     * twice (a failure after a commit's failed answer, say) changes nothing.
     */
    final class Reservation {
        private final Usage usage;
        private final long bytes;
        private final long files;
        private final AtomicBoolean over = new AtomicBoolean();

        private Reservation(Usage usage, long bytes, long files) {
            this.usage = usage;
            this.bytes = bytes;
            this.files = files;
        }

        /** Whether this reservation counts anything (false: no quota applies to its home, so callers may skip stats for it). */
        boolean counts() {
            return this != unlimited;
        }

        /**
         * The upload failed or was suspended: its reservation goes; {@code keptTempBytes}, what
         * its temp holds if it stays on the disk for a resume (0 if it was removed), is counted as
         * usage again. Any thread.
         */
        void release(long keptTempBytes) {
            settle(keptTempBytes, 0);
        }

        /**
         * The upload committed: its reservation goes and usage changes by what really changed
         * ({@code newBytes} stored, {@code replacedBytes} of a regular file replaced, or -1 if none
         * was there). Any thread.
         */
        void committed(long newBytes, long replacedBytes) {
            settle(newBytes - Math.max(0, replacedBytes), replacedBytes < 0 ? 1 : 0);
        }

        private void settle(long deltaBytes, long deltaFiles) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            synchronized (usage) {
                usage.reservedBytes -= bytes;
                usage.reservedFiles -= files;
                if (usage.scanned) {
                    usage.bytes += deltaBytes;
                    usage.files += deltaFiles;
                }
            }
        }
    }

    /** A reservation for a home without quota: holds nothing. */
    private final Reservation unlimited = new Reservation(new Usage(), 0, 0);

    private final Limits defaults;
    private final long rescanAfterMillis;
    private final Clock clock;
    private final ConcurrentHashMap<Path, Usage> homes = new ConcurrentHashMap<>();

    /**
     * @param defaults          the limits of every home whose user has none of their own
     *                           ({@link Limits#NONE}: none)
     * @param rescanAfterMillis a home scanned longer ago than this is scanned again at its next
     *                          upload; 0: never (increments only)
     * @param clock             wall clock for the scans' ages
     */
    HomeQuotas(Limits defaults, long rescanAfterMillis, Clock clock) {
        this.defaults = defaults;
        this.rescanAfterMillis = rescanAfterMillis;
        this.clock = clock;
    }

    /**
     * The limits for a session whose user has {@code own} (null: none of their own): each limit
     * the user's where they have one, the server's default otherwise. Any thread.
     */
    Limits limitsFor(UserQuota own) {
        if (own == null) {
            return defaults;
        }
        return new Limits(own.bytesOr(defaults.maxBytes()), own.filesOr(defaults.maxFiles()));
    }

    /** Whether an upload into {@code home} under {@code limits} is counted (else {@link #reserve} holds nothing). Any thread. */
    boolean counts(Path home, Limits limits) {
        return limits.any() || homes.containsKey(home);
    }

    /** Whether {@code home}'s usage is being kept (an upload under a quota used it): changes to it must be counted. */
    boolean tracks(Path home) {
        return homes.containsKey(home);
    }

    /**
     * Worker: reserves room for an upload into {@code home} that will leave a file of
     * {@code fileSize} bytes at a target now holding a regular file of {@code replacedBytes} (-1:
     * no regular file there, so one more file), resuming a temp of {@code tempBytes} (counted in
     * the home's usage until now; they become part of the reservation). Scans the home first if
     * it was never scanned (or its scan is older than the rescan interval).
     *
     * @param shown the target as the client names it, for the refusal's message
     * @throws OpException {@code quota_exceeded} if the upload would take the home over a limit
     */
    Reservation reserve(Path home, Limits limits, String shown, long fileSize, long replacedBytes, long tempBytes)
            throws IOException, OpException {
        if (!counts(home, limits)) {
            return unlimited; // nobody counts this home: nothing to keep
        }
        // A session without limits in a home others count still reserves, so its commit is counted.
        Usage u = homes.computeIfAbsent(home, h -> new Usage());
        long needBytes = Math.max(0, fileSize - Math.max(0, replacedBytes));
        long needFiles = replacedBytes < 0 ? 1 : 0;
        scanIfDue(u, home);
        synchronized (u) {
            long stored = Math.max(0, u.bytes - tempBytes); // the temp's bytes are in needBytes now
            long maxBytes = limits.maxBytes();
            if (maxBytes > 0 && needBytes > maxBytes - stored - u.reservedBytes) {
                throw new OpException(ErrorCode.QUOTA_EXCEEDED, "storing " + shown + " (" + fileSize + " bytes"
                        + (replacedBytes > 0 ? ", replacing " + replacedBytes : "") + ") would take your folder over its"
                        + " quota of " + maxBytes + " bytes: " + stored + " stored" + (u.reservedBytes > 0
                        ? " and " + u.reservedBytes + " reserved by uploads in progress" : "") + "; delete files to make room");
            }
            long maxFiles = limits.maxFiles();
            if (maxFiles > 0 && needFiles > maxFiles - u.files - u.reservedFiles) {
                throw new OpException(ErrorCode.QUOTA_EXCEEDED, "storing " + shown + " would take your folder over its"
                        + " quota of " + maxFiles + " files: " + u.files + " stored" + (u.reservedFiles > 0
                        ? " and " + u.reservedFiles + " being uploaded" : "") + "; delete files to make room");
            }
            u.bytes = stored;
            u.reservedBytes += needBytes;
            u.reservedFiles += needFiles;
            return new Reservation(u, needBytes, needFiles);
        }
    }

    /** Worker: scans {@code home} if it never was or its scan is older than the rescan interval. */
    private void scanIfDue(Usage u, Path home) throws IOException {
        synchronized (u.scanLock) {
            long now = clock.millis();
            synchronized (u) {
                if (u.scanned && (rescanAfterMillis <= 0 || now - u.scannedAtMillis < rescanAfterMillis)) {
                    return;
                }
            }
            long[] counted = scan(home); // counters stay free meanwhile
            synchronized (u) {
                u.bytes = counted[0];
                u.files = counted[1];
                u.scanned = true;
                u.scannedAtMillis = now;
            }
        }
    }

    /** Worker: {@code bytes} in {@code files} regular files left {@code home} (DELETE, RENAME over a file). */
    void removed(Path home, long bytes, long files) {
        Usage u = homes.get(home);
        if (u == null) {
            return; // never scanned: its first scan will see the result
        }
        synchronized (u) {
            if (u.scanned) {
                u.bytes = Math.max(0, u.bytes - bytes);
                u.files = Math.max(0, u.files - files);
            }
        }
    }

    /** Worker: a stale temp of {@code bytes} was removed at {@code file}: every home counting it gets them back. */
    void tempRemoved(Path file, long bytes) {
        homes.forEach((home, u) -> {
            if (file.startsWith(home)) {
                synchronized (u) {
                    if (u.scanned) {
                        u.bytes = Math.max(0, u.bytes - bytes);
                    }
                }
            }
        });
    }

    /** Worker: {@code home} changed in a way not counted (a failed recursive DELETE): scan it at its next use. */
    void forget(Path home) {
        Usage u = homes.get(home);
        if (u != null) {
            synchronized (u) {
                u.scanned = false;
            }
        }
    }

    /** Worker: what {@code home} holds now, as the quota sees it: {bytes, files}; scans if needed. For tests and operators. */
    long[] usage(Path home) throws IOException {
        Usage u = homes.computeIfAbsent(home, h -> new Usage());
        scanIfDue(u, home);
        synchronized (u) {
            return new long[] {u.bytes, u.files};
        }
    }

    /**
     * Worker: the bytes and regular files under {@code dir} (a regular file: itself), not
     * following symlinks; upload temps count their bytes but not as files; {0, 0} if it does not
     * exist. Entries that
     * vanish during the walk are skipped.
     */
    static long[] scan(Path dir) throws IOException {
        long[] counted = new long[2];
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Path name = file.getFileName();
                    if (attrs.isRegularFile()) {
                        counted[0] += attrs.size();
                        if (name == null || !UploadTemps.isTempName(name.toString())) {
                            counted[1]++;
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // removed while we walked
                    }
                    throw exc;
                }
            });
        } catch (NoSuchFileException e) {
            return counted;
        }
        return counted;
    }
}

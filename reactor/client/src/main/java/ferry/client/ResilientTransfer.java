package ferry.client;

import static ferry.protocol.FileProtocol.DIGEST;
import static ferry.protocol.FileProtocol.FILE_SIZE;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Downloads, uploads and server-to-server copies that survive lost connections: when the
 * connection drops mid-transfer, it waits (backoff from a {@link RetryPolicy}), reconnects
 * through its {@link ConnectionSource} (which logs in again) and resumes from the last offset
 * the destination holds, until the file is complete and verified or the policy gives up.
 *
 * <h2>Where a resume starts</h2>
 * <ul>
 *   <li><b>Download</b>: from the length of the local partial file ({@code NAME.ferry-partial},
 *       see {@link FileClient}); the final digest check covers the old bytes and the new, and the
 *       file gets its final name only after it passed.
 *   <li><b>Upload</b>: from what the server's {@code PARTIAL} says it holds of this very upload
 *       (same path, size and digest), also after a server restart. The local file is hashed once,
 *       before the first attempt, not again on every retry.
 *   <li><b>Copy</b> (server A to server B through this client): A's file is streamed from its
 *       {@code GET} straight into B's {@code PUT}, one read buffer at a time, never touching the
 *       local disk; B verifies the bytes against A's digest before the file becomes visible. A
 *       resume asks B's {@code PARTIAL} and GETs the rest from A.
 * </ul>
 *
 * <h2>A cut during the final phase</h2>
 * When an upload's body arrived completely but its answer was lost, the server finishes the
 * commit anyway, so on reconnect nothing is held as partial. Before sending everything again a
 * retry then compares the destination's size and digest with the source's: if they match, the
 * transfer is done without moving a byte.
 *
 * <h2>Progress</h2>
 * The {@link Listener} hears every progress report of every attempt (bytes of the whole file,
 * resumed prefix included), hashing progress before an upload, and each retry (which attempt,
 * how long the wait, why) before the wait, so a progress line can say it is reconnecting.
 *
 * <p>Thread safety: one transfer at a time, on the caller's thread (which owns the connections
 * its sources hand out). The listener is called on that thread.
 */
public final class ResilientTransfer {
    /** Waits between attempts; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper SYSTEM = Thread::sleep;

        void sleep(long millis) throws InterruptedException;
    }

    /** Told how a transfer is going; every method defaults to doing nothing. */
    public interface Listener extends TransferProgress {
        Listener NONE = new Listener() { };

        @Override
        default void onProgress(long bytesDone, long totalBytes, double bytesPerSecond) throws IOException {
        }

        /**
         * An attempt begins: the destination holds {@code offset} bytes already (0 for a fresh
         * transfer; more for a resume), of {@code total} (-1 when not known yet: a download learns
         * the size from its answer).
         */
        default void onStart(long offset, long total) {
        }

        /** Hashing the local file before an upload: bytes hashed of {@code total}. */
        default void onHashing(long done, long total) {
        }

        /** The connection was lost; about to wait {@link Retry#waitMillis()} and reconnect. */
        default void onRetry(Retry retry) {
        }
    }

    /**
     * One retry about to happen.
     *
     * @param attempt     consecutive attempt since the transfer last made progress, from 1
     * @param maxAttempts the policy's limit
     * @param waitMillis  the wait before reconnecting
     * @param doneBytes   bytes of the file the destination held at the failure (as far as known)
     * @param totalBytes  the file's size, or -1 when not known yet
     * @param cause       what failed
     */
    public record Retry(int attempt, int maxAttempts, long waitMillis, long doneBytes, long totalBytes,
                        IOException cause) {
    }

    /**
     * What a finished transfer did, over all its attempts.
     *
     * @param fileSize    size of the file
     * @param resumedFrom bytes that were there before the first attempt (a partial from an earlier run)
     * @param transferred bytes moved over the network, all attempts together
     * @param nanos       wall time from the start to the end, waits included
     * @param algorithm   digest algorithm used to verify, {@code none} when verification was off
     * @param digest      the verified digest (hex), or null when not verified
     * @param resumes     times the transfer continued on a new connection after losing one
     */
    public record Result(long fileSize, long resumedFrom, long transferred, long nanos, String algorithm,
                         String digest, int resumes) {
        public boolean verified() {
            return digest != null;
        }
    }

    private final ConnectionSource source;
    private final FileClient.Options options;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Random random;

    /**
     * @param source  the connection to transfer over (for a copy: the source server's)
     * @param options verification, digest, overwrite, resume... as for {@link FileClient}
     * @param policy  how often and how patiently to reconnect
     */
    public ResilientTransfer(ConnectionSource source, FileClient.Options options, RetryPolicy policy) {
        this(source, options, policy, Sleeper.SYSTEM, new Random());
    }

    /** With the waits and the jitter's randomness under the caller's control (tests). */
    public ResilientTransfer(ConnectionSource source, FileClient.Options options, RetryPolicy policy, Sleeper sleeper,
                             Random random) {
        if (options.verify() && options.algorithm().isNone()) {
            throw new IllegalArgumentException("verify needs a digest algorithm other than none");
        }
        this.source = source;
        this.options = options;
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    public FileClient.Options options() {
        return options;
    }

    public RetryPolicy policy() {
        return policy;
    }

    // ---- the three transfers -----------------------------------------------------------------

    /** Downloads {@code remote} to {@code local} (see {@link FileClient#download}), resuming after lost connections. */
    public Result download(String remote, Path local, Listener listener) throws IOException {
        Path part = FileClient.partialPath(local);
        return run(listener, (t, attempt) -> {
            FileClient fc = new FileClient(source.connection(), options);
            t.begin(options.resume() ? sizeOrZero(part) : 0, -1);
            try {
                return t.finish(fc.download(remote, local, t));
            } catch (IOException e) {
                t.held(sizeOrZero(part)); // what arrived before the cut is in the partial
                throw e;
            }
        }, null);
    }

    /** Uploads {@code local} to {@code remote} (see {@link FileClient#upload}), resuming after lost connections. */
    public Result upload(Path local, String remote, Listener listener) throws IOException {
        FileClient hasher = new FileClient(null, options);
        String digest = hasher.localDigest(local, (done, total, rate) -> listener.onHashing(done, total));
        long size = Files.size(local);
        DigestAlgorithm alg = options.effectiveAlgorithm();
        return run(listener, (t, attempt) -> {
            FileClient fc = new FileClient(source.connection(), options);
            long offset = options.resume() ? fc.partial(remote, size, alg, digest) : 0;
            if (offset == 0 && attempt > 0 && holds(fc, remote, size, digest)) {
                return t.alreadyThere(size, alg, digest); // the lost answer was to a completed upload
            }
            t.begin(offset, size);
            return t.finish(fc.uploadFrom(local, remote, digest, offset, t));
        }, null);
    }

    /**
     * Copies {@code from} on this transfer's server to {@code to} on {@code target}'s server,
     * streaming the bytes through this client without a local copy (see the class comment);
     * {@code target} must be a different connection, even to the same server.
     */
    public Result copy(String from, ConnectionSource target, String to, Listener listener) throws IOException {
        DigestAlgorithm alg = options.effectiveAlgorithm();
        return run(listener, (t, attempt) -> {
            FerryClient a = source.connection();
            FerryClient b = target.connection();
            FileClient fa = new FileClient(a, options);
            FileClient fb = new FileClient(b, options);
            FileInfo info = fa.stat(from, alg);
            if (!info.isFile()) {
                throw new FileSystemException(from, null, "not a regular file (" + info.type() + ")");
            }
            long size = info.fileSize();
            String digest = alg.isNone() ? null : info.digest();
            if (!alg.isNone() && digest == null) {
                throw new ProtocolException("the source server sent no " + alg.wireName() + " digest of " + from);
            }
            long offset = options.resume() ? fb.partial(to, size, alg, digest) : 0;
            if (offset == 0 && attempt > 0 && holds(fb, to, size, digest)) {
                return t.alreadyThere(size, alg, digest);
            }
            t.begin(offset, size);
            Header file = fa.beginGet(from, offset);
            if (file.requireLong(FILE_SIZE) != size || (digest != null && !digest.equals(file.optString(DIGEST)))) {
                // changed between STAT and GET: a fresh attempt STATs it again
                throw conflict(from + " changed on the source server while the copy started");
            }
            long id = fb.beginPut(to, size, offset, digest, options.preserveTimes() ? info.mtimeMillis() : -1);
            Pump pump = new Pump(b, offset, size, t);
            while (a.readBodyChunk(pump)) {
                // the pump forwards each chunk
            }
            if (pump.pos != size) {
                throw new ProtocolException("the source's body ended at " + pump.pos + " of " + size + " bytes");
            }
            fb.endPut(id, digest, "copy of " + from);
            pump.report(true);
            return t.finish(new TransferResult(size, offset, size - offset, 0, alg.wireName(), digest));
        }, target);
    }

    // ---- the retry loop ----------------------------------------------------------------------

    @FunctionalInterface
    private interface Attempt {
        Result run(Tracker tracker, int attempt) throws IOException;
    }

    private Result run(Listener listener, Attempt body, ConnectionSource alsoDiscard) throws IOException {
        long t0 = System.nanoTime();
        Tracker t = new Tracker(listener);
        int failures = 0;
        for (int attempt = 0; ; attempt++) {
            t.startAttempt(attempt);
            try {
                Result r = body.run(t, attempt);
                return new Result(r.fileSize(), t.firstStart < 0 ? r.resumedFrom() : t.firstStart, t.moved,
                        System.nanoTime() - t0, r.algorithm(), r.digest(), t.resumes);
            } catch (IOException e) {
                boolean retry = policy.shouldRetry(e);
                if (retry || !(e instanceof RemoteException)) {
                    // mid-frame or dead: unusable. A plain refusal leaves the connection clean for the next file.
                    source.discard();
                    if (alsoDiscard != null) {
                        alsoDiscard.discard();
                    }
                }
                if (!retry) {
                    throw e;
                }
                t.endFailedAttempt();
                failures = t.progressed() ? 1 : failures + 1;
                if (failures > policy.maxAttempts()) {
                    throw new RetriesExhaustedException(policy.maxAttempts(), e);
                }
                long wait = policy.waitMillis(failures, random);
                listener.onRetry(new Retry(failures, policy.maxAttempts(), wait, t.heldBest, t.total, e));
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException ioe = new InterruptedIOException("interrupted while waiting to reconnect");
                    ioe.addSuppressed(e);
                    throw ioe;
                }
            }
        }
    }

    /**
     * Keeps count across attempts: where each started, how far it got, bytes moved, resumes; and
     * passes progress on to the listener.
     */
    private static final class Tracker implements TransferProgress {
        final Listener listener;
        long firstStart = -1;
        long start;
        long max;
        long heldBest = 0;
        long previousStart = -1;
        long total = -1;
        long moved;
        int resumes;
        int attempt;
        boolean begun;

        Tracker(Listener listener) {
            this.listener = listener;
        }

        void startAttempt(int n) {
            attempt = n;
            begun = false;
        }

        /** This attempt starts at {@code offset}: bytes the destination held already. */
        void begin(long offset, long totalBytes) {
            begun = true;
            if (attempt > 0) {
                resumes++; // counted once data can flow again: a reconnect refused with conflict is no resume
            }
            listener.onStart(offset, totalBytes);
            if (firstStart < 0) {
                firstStart = offset;
            }
            start = offset;
            max = offset;
            heldBest = Math.max(heldBest, offset);
        }

        /** The destination is known to hold {@code bytes} now (a download's partial after a cut). */
        void held(long bytes) {
            max = Math.max(max, bytes);
        }

        @Override
        public void onProgress(long done, long totalBytes, double rate) throws IOException {
            max = Math.max(max, done);
            total = totalBytes;
            listener.onProgress(done, totalBytes, rate);
        }

        Result finish(TransferResult r) {
            moved += r.transferred();
            total = r.fileSize();
            return new Result(r.fileSize(), r.resumedFrom(), r.transferred(), r.nanos(), r.algorithm(), r.digest(), 0);
        }

        /** The previous attempt's answer was lost, but the destination holds the complete file. */
        Result alreadyThere(long size, DigestAlgorithm alg, String digest) throws IOException {
            total = size;
            if (attempt > 0) {
                resumes++;
            }
            if (firstStart < 0) {
                firstStart = 0;
            }
            listener.onProgress(size, size, 0);
            return new Result(size, firstStart, 0, 0, alg.wireName(), digest, 0);
        }

        void endFailedAttempt() {
            if (begun) {
                moved += Math.max(0, max - start);
                heldBest = Math.max(heldBest, max);
            }
        }

        /** Whether the failed attempt moved data, or started further than the one before it. */
        boolean progressed() {
            if (!begun) {
                return false;
            }
            boolean p = max > start || (previousStart >= 0 && start > previousStart);
            previousStart = start;
            return p;
        }
    }

    /** Forwards a GET body's chunks into the PUT on the other connection, reporting progress. */
    private final class Pump implements FerryClient.ChunkConsumer {
        final FerryClient to;
        final long size;
        final TransferProgress progress;
        final long startNanos = System.nanoTime();
        final long startPos;
        final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(options.progressIntervalMillis());
        long pos;
        long lastReport = startNanos;

        Pump(FerryClient to, long pos, long size, TransferProgress progress) {
            this.to = to;
            this.pos = pos;
            this.startPos = pos;
            this.size = size;
            this.progress = progress;
        }

        @Override
        public void accept(ByteBuffer chunk) throws IOException {
            int n = chunk.remaining();
            to.sendBody(chunk);
            pos += n;
            report(false);
        }

        void report(boolean last) throws IOException {
            long now = System.nanoTime();
            if (!last && now - lastReport < intervalNanos) {
                return;
            }
            lastReport = now;
            progress.onProgress(pos, size, (pos - startPos) * 1e9 / Math.max(1, now - startNanos));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Whether the server already has {@code path} with this size and digest: a previous attempt
     * completed and only its answer was lost. Never true without a digest (nothing to compare).
     */
    private boolean holds(FileClient fc, String path, long size, String digest) throws IOException {
        if (digest == null) {
            return false;
        }
        FileInfo info;
        try {
            info = fc.stat(path);
        } catch (RemoteException e) {
            if (ErrorCode.NOT_FOUND.equals(e.code())) {
                return false;
            }
            throw e;
        }
        return info.isFile() && info.fileSize() == size && digest.equals(fc.hash(path, options.effectiveAlgorithm()));
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static RemoteException conflict(String message) {
        return new RemoteException(Header.op("ERROR").put("code", ErrorCode.CONFLICT).put("message", message));
    }
}

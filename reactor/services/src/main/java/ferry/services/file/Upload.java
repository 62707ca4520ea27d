package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.EventLoop;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.EnumSet;

/**
 * One PUT in progress: streams the request body into a temp file next to the target, and on
 * completion forces it to disk, checks its digest and renames it into place atomically.
 *
 * <p>Body path: the connection reads body bytes from the socket straight into a pooled direct
 * buffer ({@link #readBuffer}; chunks that came with the header are copied in); full buffers go to
 * an {@link UploadWriter}, which writes them in order on workers (big uploads with
 * {@code O_DIRECT}, past the page cache) and feeds the digest on another worker at the same
 * time, so the loop never touches the disk. When the upload holds its quota of buffers the loop
 * stops reading the connection ({@link Call#pauseReading()}) and TCP slows the client; each
 * buffer freed resumes it.
 *
 * <p>Quota: the opening worker reserved the file's size in its home's quota; a commit settles the
 * reservation with the real change, a failure or suspension gives it back ({@link HomeQuotas}).
 *
 * <p>Outcomes: success renames the temp over the target (never visible before it is complete and
 * verified). A dropped connection writes what was received and keeps the temp, which the same
 * upload finds again ({@code PARTIAL}, then {@code PUT offset}). A disk error or a digest mismatch
 * removes the temp. The loop, and every other connection, carry on in all cases.
 *
 * <pre>
 * States (one switch per event, in the methods named after them):
 *   OPENING --opened--> RECEIVING --body ended--> DRAINING --all written--> COMMITTING --renamed--> DONE
 *   OPENING/RECEIVING --connection lost--> SUSPENDING --all written--> SUSPENDED   (temp kept)
 *   OPENING/RECEIVING --superseded-------> SUSPENDING (as a lost connection; the connection is closed)
 *   RECEIVING --too slow-------------------> SUSPENDING (as a lost connection; the connection is closed)
 *   OPENING/RECEIVING/DRAINING/COMMITTING --error--> FAILED                          (temp removed)
 * DRAINING and COMMITTING do not stop when the connection drops: every byte is in, so the file
 * is committed and only the answer is lost.
 * </pre>
 *
 * <p>Superseded: the same user asked for this very upload again while this one had received
 * nothing for the takeover time ({@link UploadRegistry}): its connection is taken to be dead, so
 * it stops as if it were, keeping its bytes for the new request, and its connection is closed with
 * a {@code conflict} error.
 *
 * <p>Too slow: over each window of reading time ({@link FileServiceConfig#uploadRateWindowMillis()})
 * the client must send at least {@link FileServiceConfig#minUploadRateBytesPerSecond()} on
 * average, or the upload stops the same way (bytes kept) and its connection is closed with
 * {@code timed_out}: a client dribbling bytes cannot hold an upload slot for ever. Time in which
 * this upload held reading paused (opening, or waiting for the disk) is not counted
 * ({@link UploadPace}).
 *
 * <p>Replacing: a session without the {@code delete} right never replaces an existing file, even
 * one created after the PUT was accepted: its commit places the file with a hard link, which fails
 * if the name exists.
 *
 * <p>Threading contract: loop thread for everything except the jobs it hands to workers, which
 * touch only the file channel, the digest and the buffer they were given (handed over through the
 * worker pool's queue, which orders the accesses), and the {@link UploadRegistry.Holder} methods,
 * which any thread may call.
 */
final class Upload implements BodySink, UploadRegistry.Holder {
    private enum State { OPENING, RECEIVING, DRAINING, COMMITTING, DONE, SUSPENDING, SUSPENDED, FAILED }

    /**
     * What the opening worker produced: the claimed target, its temp, open and ready at
     * {@code offset}, and for a big upload a second, {@code O_DIRECT} channel on it (or null).
     */
    record Opened(Path target, Path temp, FileChannel file, MessageDigest digest, UploadWriter.Direct direct,
                  HomeQuotas.Reservation quota) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                file.close();
            } finally {
                if (direct != null) {
                    direct.channel().close();
                }
            }
        }
    }

    /** What the committing worker produced. */
    record Committed(long fileSize, long mtimeMillis, String digest) {}

    private final FileContext ctx;
    private final Call call;
    private final FilePath fp;
    private Path target;           // real path; set once opened
    private Path temp;
    private final long fileSize;
    private final long offset;
    private final DigestAlgorithm algorithm;
    private final String expect;
    private final boolean overwrite;
    private final boolean mayReplace; // the session has the delete right
    private final long mtimeToSet; // -1: leave the time of the upload
    private final int maxBuffers;
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>(); // full buffers that came before the temp was open
    private State state = State.OPENING;
    private FileChannel file;
    private UploadWriter.Direct direct;
    private HomeQuotas.Reservation quota; // set once opened; settled at commit, released at failure or suspension
    private MessageDigest digest;
    private UploadWriter writer;    // set once opened
    private ByteBuffer filling;
    private boolean flushing;       // a background fdatasync (write-behind) is on a worker
    private long flushRequestedAt;  // bytes written when the last one was asked for
    private boolean pausedByMe;
    private long received;  // body bytes taken into buffers
    private final String user;
    private final String address;
    private final int userUploadLimit; // the user store's own limit, or UserLimits.SERVER_DEFAULT
    private final UploadPace pace;
    private EventLoop.Timer paceTimer; // the next minimum-rate check, while receiving
    private PaceCheck paceCheck;

    Upload(FileContext ctx, Call call, FilePath fp, long fileSize, long offset,
           DigestAlgorithm algorithm, String expect, boolean overwrite, boolean mayReplace, long mtimeToSet) {
        this.ctx = ctx;
        this.call = call;
        this.fp = fp;
        this.fileSize = fileSize;
        this.offset = offset;
        this.algorithm = algorithm;
        this.expect = expect;
        this.overwrite = overwrite;
        this.mayReplace = mayReplace;
        this.mtimeToSet = mtimeToSet;
        this.maxBuffers = ctx.config.uploadBuffersPerUpload();
        this.user = call.session().user();
        this.address = call.session().remoteHost();
        this.userUploadLimit = ferry.reactor.UserLimits.of(call.session()).maxUploads();
        this.pace = new UploadPace(call.loop().clock(), ctx.config.minUploadRateBytesPerSecond(),
                ctx.config.uploadRateWindowMillis());
    }


    /** The refusal of a PUT over an existing file by a session without the delete right. */
    static OpException replaceForbidden(FilePath fp) {
        return OpException.forbidden("replacing " + fp.shown() + " needs the delete right (it exists; a user with"
                + " write only may create files, not overwrite them)");
    }

    // ---- opened (loop) ----------------------------------------------------------------------

    /** The opening worker claimed the target and prepared the temp. */
    void opened(Opened o) {
        target = o.target();
        temp = o.temp();
        file = o.file();
        direct = o.direct();
        digest = o.digest();
        quota = o.quota();
        writer = new UploadWriter(call.loop()::execute, ctx.bulk::tryExecute, ctx.uploadBuffers, file, direct, digest,
                offset, new UploadWriter.Listener() {
                    @Override
                    public void progressed() {
                        wrote();
                    }

                    @Override
                    public void failed(Throwable error, boolean busy) {
                        if (busy) {
                            fail(GetOp.busy("no worker free to write the upload; the bytes so far are kept, resume later"), false);
                        } else {
                            fail(error, true);
                        }
                    }
                });
        switch (state) {
            case OPENING -> {
                state = State.RECEIVING;
                resume();
                schedulePaceCheck();
                ctx.config.events().uploadStarted(fp.rootRelative(), offset);
                if (fileSize == offset) {
                    onEnd(); // no body will come
                } else {
                    writeEarly(); // bytes that arrived while opening, if any
                }
            }
            case SUSPENDING -> writeEarly(); // the connection dropped while opening: keep what we got
            default -> throw new IllegalStateException("opened in state " + state);
        }
        maybeSettle();
    }

    /** The opening worker failed: nothing was claimed (or it was released). */
    void openFailed(Throwable error) {
        releaseBuffers();
        resume();
        state = State.FAILED;
        call.fail(FileErrors.map(error, fp.shown()));
    }

    // ---- body (loop) ------------------------------------------------------------------------

    /**
     * Called before the opening worker is submitted: hold the body until the temp is ready, and
     * hear about a dropped connection from now on.
     */
    void beforeOpening() {
        pause();
        call.onCancel(this::connectionLost);
    }

    @Override
    public void onData(ByteBuffer chunk) {
        switch (state) {
            case OPENING, RECEIVING -> {
                // Body bytes beyond the declared size cannot come: the frame's size is the body.
                while (chunk.hasRemaining()) {
                    if (filling == null) {
                        filling = newBuffer();
                    }
                    int n = Math.min(filling.remaining(), chunk.remaining());
                    int lim = chunk.limit();
                    chunk.limit(chunk.position() + n);
                    filling.put(chunk);
                    chunk.limit(lim);
                    received += n;
                    if (!filling.hasRemaining()) {
                        queue(filling.flip());
                        filling = null;
                    }
                }
                pace.received(received);
                if (buffersHeld() >= maxBuffers) {
                    pause();
                }
            }
            default -> chunk.position(chunk.limit()); // failed or suspended: the rest is dropped
        }
    }

    /** The connection reads body bytes straight into the filling buffer: no copy on the loop. */
    @Override
    public ByteBuffer readBuffer() {
        if (state != State.OPENING && state != State.RECEIVING) {
            return null; // failed or suspended: the core drops the rest through onData
        }
        if (filling == null) {
            filling = newBuffer();
        }
        return filling;
    }

    @Override
    public void onDataRead(int n) {
        received += n;
        pace.received(received);
        if (!filling.hasRemaining()) {
            queue(filling.flip());
            filling = null;
        }
        if (buffersHeld() >= maxBuffers) {
            pause();
        }
    }

    @Override
    public void onEnd() {
        if (state != State.RECEIVING) {
            return;
        }
        state = State.DRAINING;
        stopPaceChecks();
        queueFilling();
        maybeSettle();
    }

    // ---- writes (loop side) -------------------------------------------------------------------

    /**
     * A pooled buffer for the next body bytes. If the upload resumed at an offset that is not on a
     * block boundary, the buffer is cut short so that the next one starts on a boundary (where
     * direct writes can take over).
     */
    private ByteBuffer newBuffer() {
        ByteBuffer b = ctx.uploadBuffers.acquire();
        int misaligned = (int) ((offset + received) % UploadBufferPool.ALIGNMENT_BYTES);
        if (misaligned != 0 && b.capacity() > UploadBufferPool.ALIGNMENT_BYTES) {
            b.limit(b.capacity() - misaligned);
        }
        return b;
    }

    private int buffersHeld() {
        return early.size() + (writer != null ? writer.buffersHeld() : 0) + (filling != null ? 1 : 0);
    }

    private long written() {
        return writer != null ? writer.written() : 0;
    }

    private void queue(ByteBuffer full) {
        if (writer != null) {
            writer.add(full);
        } else {
            early.add(full);
        }
    }

    private void queueFilling() {
        if (filling != null) {
            if (filling.position() > 0) {
                queue(filling.flip());
            } else {
                ctx.uploadBuffers.release(filling);
            }
            filling = null;
        }
    }

    /** Hands the writer what arrived while the temp was being opened. */
    private void writeEarly() {
        ByteBuffer b;
        while ((b = early.poll()) != null) {
            writer.add(b);
        }
    }

    /** The writer moved on: a buffer may be free (resume reading), the write-behind may be due, or all done. */
    private void wrote() {
        if (state == State.RECEIVING && pausedByMe && buffersHeld() < maxBuffers) {
            resume();
        }
        writeBehind();
        maybeSettle();
    }

    /**
     * Every {@link FileServiceConfig#writeBehindBytes()} of an upload that will be forced at
     * commit, flushes what is written so far on another worker, without holding up the writes:
     * the disk then works while the network does, and the commit's fsync has little left.
     * Errors are ignored here: the commit's own fsync reports them.
     */
    private void writeBehind() {
        long every = ctx.config.writeBehindBytes();
        long written = written();
        // Direct writes are on the disk already: only the page-cache path has anything to flush early.
        if (flushing || every <= 0 || !ctx.config.syncOnCommit() || state != State.RECEIVING
                || writer.isDirect() || written - flushRequestedAt < every) {
            return;
        }
        FileChannel ch = file;
        flushRequestedAt = written;
        flushing = ctx.bulk.tryExecute(() -> {
            try {
                ch.force(false);
            } catch (IOException | RuntimeException ignored) {
                // reported by the commit's force, if it persists
            }
            call.loop().execute(() -> {
                flushing = false;
                maybeSettle();
            });
        });
    }

    /** Moves on once every received byte is written (and no flush uses the file): commit, or suspend. */
    private void maybeSettle() {
        if (writer == null || flushing || !writer.isIdle()) {
            return;
        }
        switch (state) {
            case DRAINING -> commit();
            case SUSPENDING -> {
                if (file != null) {
                    suspended();
                }
            }
            default -> { }
        }
    }

    // ---- connection lost (loop) ---------------------------------------------------------------

    private void connectionLost() {
        switch (state) {
            case OPENING, RECEIVING -> {
                state = State.SUSPENDING;
                stopPaceChecks();
                pausedByMe = false; // the connection is gone; nothing to resume
                queueFilling();     // what arrived is a valid prefix: keep it for the resume
                if (writer != null) {
                    writeEarly();
                }
                maybeSettle();
            }
            default -> { } // draining or committing: finish, the answer alone is lost
        }
    }

    // ---- superseded (registry: any thread; then loop) --------------------------------------------

    @Override
    public String user() {
        return user;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public int userUploadLimit() {
        return userUploadLimit;
    }

    @Override
    public long stalledNanos() {
        return pace.stalledNanos();
    }

    @Override
    public void supersede() {
        call.loop().execute(this::superseded);
    }

    private void superseded() {
        switch (state) {
            case OPENING, RECEIVING -> {
                ctx.log.info(call.connectionName() + " upload of " + fp.shown() + " stopped after " + (offset + received)
                        + " bytes: it had received nothing for " + pace.stalledNanos() / 1_000_000 + " ms when " + user
                        + " asked for it again, so its connection is taken to be dead");
                connectionLost(); // keeps what arrived; the claim goes once it is written
                call.closeConnectionAfterReply();
                call.fail(new OpException(ErrorCode.CONFLICT, "this upload of " + fp.shown()
                        + " was taken over by a newer request for it"));
            }
            default -> { } // finishing (its bytes are all in) or over: nothing to stop
        }
    }

    // ---- minimum rate (loop) ----------------------------------------------------------------------

    /**
     * A rate check's timer task. A cancelled timer stays in the loop's queue until its time (up to
     * a window); cleared, it holds nothing of the upload meanwhile (thousands of vanished uploads
     * would otherwise keep their calls and connections reachable for a minute).
     */
    private static final class PaceCheck implements Runnable {
        private Upload upload;

        PaceCheck(Upload upload) {
            this.upload = upload;
        }

        @Override
        public void run() {
            Upload u = upload;
            upload = null;
            if (u != null) {
                u.checkPace();
            }
        }
    }

    private void schedulePaceCheck() {
        if (pace.enforced() && state == State.RECEIVING) {
            paceCheck = new PaceCheck(this);
            paceTimer = call.loop().schedule(pace.nextCheckDelayNanos(call.loop().clock().nanoTime()), paceCheck);
        }
    }

    private void stopPaceChecks() {
        if (paceTimer != null) {
            paceTimer.cancel();
            paceCheck.upload = null;
            paceTimer = null;
            paceCheck = null;
        }
    }

    private void checkPace() {
        paceTimer = null;
        paceCheck = null;
        if (state != State.RECEIVING) {
            return;
        }
        // Under an upload bandwidth limit the server sets the pace, not the client: no verdict on it.
        if (!pace.tooSlow(call.loop().clock().nanoTime()) || call.isUploadRateLimited()) {
            schedulePaceCheck();
            return;
        }
        long min = ctx.config.minUploadRateBytesPerSecond();
        String why = "upload of " + fp.shown() + " received " + pace.lastWindowBytes() + " bytes in "
                + pace.lastWindowReadingMillis() / 1000 + " s, under the server's minimum of " + min + " bytes/s";
        ctx.log.info(call.connectionName() + " " + why + ": stopped after " + (offset + received) + " bytes");
        connectionLost(); // keeps what arrived; the claim goes once it is written
        call.closeConnectionAfterReply();
        call.fail(new OpException(ErrorCode.TIMED_OUT, why + "; the " + (offset + received)
                + " bytes received are kept: resume it (PARTIAL) on a faster link"));
    }

    private void suspended() {
        state = State.SUSPENDED;
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        file = null;
        direct = null;
        long have = offset + written();
        String path = fp.rootRelative();
        HomeQuotas.Reservation q = quota;
        Runnable close = () -> {
            FileContext.closeQuietly(ch);
            closeDirect(dio);
            q.release(have); // the temp stays for a resume: its bytes count as the home's usage
            ctx.uploads.release(target);
            ctx.config.events().uploadSuspended(path, have);
        };
        if (!ctx.bulk.tryExecute(close)) {
            close.run();
        }
    }

    // ---- commit ---------------------------------------------------------------------------------

    private void commit() {
        state = State.COMMITTING;
        if (received != fileSize - offset || written() != received) {
            fail(new OpException(ErrorCode.INTERNAL, "upload of " + fp.shown() + " ended with " + written()
                    + " bytes written of " + (fileSize - offset)), true);
            return;
        }
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        MessageDigest md = digest;
        boolean taken = ctx.bulk.tryExecute(() -> {
            Committed c = null;
            Throwable err = null;
            try {
                closeDirect(dio); // its writes are done; the fsync below covers them
                c = commitOnWorker(ch, md);
            } catch (Throwable t) {
                err = t;
            }
            Committed done = c;
            Throwable e = err;
            call.loop().execute(() -> committed(done, e));
        });
        if (!taken) {
            fail(GetOp.busy("no worker free to finish the upload; the bytes are kept, resume later"), false);
        }
    }

    /** Worker: force, verify, rename into place, remember the digest. */
    private Committed commitOnWorker(FileChannel ch, MessageDigest md) throws Exception {
        if (ctx.config.syncOnCommit()) {
            ch.force(true);
        }
        ch.close();
        String hex = md == null ? null : DigestAlgorithm.hex(md.digest());
        if (expect != null && !expect.equals(hex)) {
            throw new OpException(ErrorCode.DIGEST_MISMATCH, "upload of " + fp.shown() + " does not match its "
                    + algorithm.wireName() + ": declared " + expect + ", received bytes hash to " + hex
                    + "; nothing was stored");
        }
        if (mtimeToSet >= 0) {
            ctx.files().setLastModifiedTime(temp, FileTime.fromMillis(mtimeToSet));
        }
        long replaced = quota.counts() ? replacedRegularFileBytes() : -1; // no stat when no quota applies
        if (overwrite && mayReplace) {
            ctx.files().move(temp, target); // renameat(2): replaces atomically
        } else {
            try {
                ctx.files().moveNoReplace(temp, target);
            } catch (FileAlreadyExistsException e) {
                // Created since the PUT was accepted: replacing it is what the missing right forbids.
                throw overwrite ? replaceForbidden(fp) : e;
            }
        }
        quota.committed(fileSize, replaced); // in place from here, whatever fails below
        if (ctx.config.syncOnCommit()) {
            ctx.files().syncFolder(target.getParent());
        }
        FileStat st = ctx.files().stat(target);
        ctx.digests.invalidate(target);
        if (hex != null) {
            ctx.digests.put(DigestCache.Key.of(target, st, algorithm), hex);
        }
        return new Committed(st.size(), st.mtimeMillis(), hex);
    }

    /** Worker: the size of {@code file}, 0 if it is gone (or cannot be read). */
    private long sizeOrZero(Path file) {
        try {
            return ctx.files().stat(file).size();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Worker: the size of the regular file the commit is about to replace, -1 if none (a new file for the quota). */
    private long replacedRegularFileBytes() throws IOException {
        try {
            BasicFileAttributes a = ctx.files().attributes(target);
            return a.isRegularFile() ? a.size() : -1;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    private static void closeDirect(UploadWriter.Direct dio) {
        if (dio != null) {
            FileContext.closeQuietly(dio.channel());
        }
    }

    private void committed(Committed c, Throwable error) {
        file = null; // closed by the worker
        direct = null;
        if (error != null) {
            fail(error, true);
            return;
        }
        state = State.DONE;
        ctx.uploads.release(target);
        ctx.config.events().uploadCommitted(fp.rootRelative(), c.fileSize());
        Header ok = Header.reply(OK, call.id()).put(FILE_SIZE, c.fileSize()).put(MTIME, c.mtimeMillis());
        if (c.digest() != null) {
            ok.put(ALGORITHM, algorithm.wireName()).put(DIGEST, c.digest());
        }
        call.reply(ok); // nothing happens if the connection is gone: the file is committed anyway
    }

    // ---- failure ----------------------------------------------------------------------------------

    /**
     * Fails the upload. {@code removeTemp}: a disk error or bad digest makes the temp worthless;
     * a busy pool does not (the client may resume).
     */
    private void fail(Throwable error, boolean removeTemp) {
        if (state == State.FAILED || state == State.DONE || state == State.SUSPENDED) {
            return;
        }
        state = State.FAILED;
        stopPaceChecks();
        releaseBuffers();
        resume(); // let the connection read (and the core discard) the rest of the body
        OpException mapped = FileErrors.map(error, fp.shown());
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        file = null;
        direct = null;
        Path tmp = temp;
        Path tgt = target;
        String path = fp.rootRelative();
        HomeQuotas.Reservation q = quota;
        Runnable cleanup = () -> {
            FileContext.closeQuietly(ch);
            closeDirect(dio);
            if (removeTemp && tmp != null) {
                try {
                    ctx.files().deleteIfExists(tmp);
                } catch (IOException e) {
                    ctx.log.warn("could not remove upload temp " + tmp + ": " + e.getMessage());
                }
            }
            if (q != null) {
                // A busy pool keeps the temp for a resume: what it holds counts as the home's usage.
                q.release(removeTemp || !q.counts() ? 0 : sizeOrZero(tmp)); // after a commit that counted itself, a no-op
            }
            if (tgt != null) {
                ctx.uploads.release(tgt); // only now: a new upload must not meet a half-deleted temp
            }
            ctx.config.events().uploadFailed(path, mapped.code());
        };
        // The answer goes out once the claim is released, so a client that retries on reading it
        // never meets its own failed upload as "in progress". The cleanup runs on a worker (or
        // here, if none is free: deleting one file is short, and a target claimed for ever would
        // be worse).
        boolean taken = ctx.bulk.tryExecute(() -> {
            cleanup.run();
            call.loop().execute(() -> call.fail(mapped));
        });
        if (!taken) {
            cleanup.run();
            call.fail(mapped);
        }
    }

    private void releaseBuffers() {
        if (filling != null) {
            ctx.uploadBuffers.release(filling);
            filling = null;
        }
        ByteBuffer b;
        while ((b = early.poll()) != null) {
            ctx.uploadBuffers.release(b);
        }
        if (writer != null) {
            writer.abort();
        }
    }

    private void pause() {
        if (!pausedByMe) {
            pausedByMe = true;
            pace.paused();
            call.pauseReading();
        }
    }

    private void resume() {
        if (pausedByMe) {
            pausedByMe = false;
            pace.resumed();
            if (!call.isCancelled()) {
                call.resumeReading();
            }
        }
    }
}

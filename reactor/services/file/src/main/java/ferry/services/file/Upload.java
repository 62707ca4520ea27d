package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.OpException;
import ferry.reactor.UserLimits;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * One PUT in progress: streams the request body into a temp file next to the target, and on
 * completion forces it to disk, checks its digest and renames it into place atomically.
 *
 * <p>Body path: the connection reads body bytes into pooled direct buffers ({@link UploadIntake});
 * an {@link UploadWriter} writes full ones in order and feeds the digest, on workers, so the loop
 * never touches the disk. When the upload holds its quota of buffers the loop stops reading the
 * connection ({@link Call#pauseReading()}) and TCP slows the client; each buffer freed resumes it.
 *
 * <p>Quota: the opening worker reserved the file's size in its home's quota; a commit settles the
 * reservation with the real change, a failure or suspension gives it back ({@link HomeQuotas}).
 *
 * <p>Outcomes: success renames the temp over the target ({@link UploadCommit}: never visible before
 * it is complete and verified, never replacing a file for a session without the delete right). A
 * dropped connection writes what was received and keeps the temp, which the same upload finds
 * again ({@code PARTIAL}, then {@code PUT offset}). A disk error or a digest mismatch removes the
 * temp ({@link UploadRelease}). The loop, and every other connection, carry on in all cases.
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
 * <p>Threading contract: loop thread, except the {@link UploadRegistry.Holder} methods (any
 * thread) and the jobs it hands to workers through {@link ferry.reactor.Workers#trySubmit}, which
 * touch only what they were given and come back to the loop with their outcome.
 */
final class Upload implements BodySink, UploadRegistry.Holder, UploadWriter.Listener {
    private enum State { OPENING, RECEIVING, DRAINING, COMMITTING, DONE, SUSPENDING, SUSPENDED, FAILED }

    private final FileContext ctx;
    private final Call call;
    private final UploadTerms terms;
    private final FilePath fp;
    private final long offset;
    private Path target;           // real path; set once opened
    private Path temp;
    private final int maxBuffers;
    private final UploadIntake intake;
    private State state = State.OPENING;
    private FileChannel file;
    private UploadWriter.Direct direct;
    private HomeQuotas.Reservation quota; // set once opened; settled at commit, released at failure or suspension
    private MessageDigest digest;
    private UploadWriter writer;    // set once opened
    private boolean flushing;       // a background fdatasync (write-behind) is on a worker
    private long flushRequestedAt;  // bytes written when the last one was asked for
    private boolean pausedByMe;
    private final String user;
    private final String address;
    private final UploadPace pace;
    private final int userUploadLimit; // the user store's own limit, or UserLimits.SERVER_DEFAULT
    private final UploadPaceTimer paceTimer; // the next minimum-rate check, while receiving

    Upload(FileContext ctx, Call call, UploadTerms terms) {
        this.ctx = ctx;
        this.call = call;
        this.terms = terms;
        this.fp = terms.fp();
        this.offset = terms.offset();
        this.intake = new UploadIntake(ctx.uploadBuffers, offset);
        this.maxBuffers = ctx.config.uploadBuffersPerUpload();
        this.user = call.session().user();
        this.address = call.session().remoteHost();
        this.userUploadLimit = UserLimits.of(call.session()).maxUploads();
        this.pace = new UploadPace(call.loop().clock(), ctx.config.minUploadRateBytesPerSecond(),
                ctx.config.uploadRateWindowMillis());
        this.paceTimer = new UploadPaceTimer(call.loop(), pace);
    }

    // ---- opened (loop) ----------------------------------------------------------------------

    /** The opening worker claimed the target and prepared the temp. */
    void opened(OpenedUpload o) {
        call.loop().assertInLoop();
        target = o.target();
        temp = o.temp();
        file = o.file();
        direct = o.direct();
        digest = o.digest();
        quota = o.quota();
        writer = new UploadWriter(call.loop(), ctx.bulk, ctx.uploadBuffers, file, direct, digest, offset, this);
        intake.writer(writer);
        switch (state) {
            case OPENING -> {
                state = State.RECEIVING;
                resume();
                paceTimer.arm(this::checkPace); // while receiving: every way out disarms it
                ctx.config.events().uploadStarted(fp.rootRelative(), offset);
                if (terms.bodyBytes() == 0) {
                    onEnd(); // no body will come
                } else {
                    intake.writeEarly(); // bytes that arrived while opening, if any
                }
            }
            case SUSPENDING -> intake.writeEarly(); // the connection dropped while opening: keep what we got
            default -> throw new IllegalStateException("opened in state " + state);
        }
        maybeSettle();
    }

    /** The opening worker failed: nothing was claimed (or it was released). */
    void openFailed(Throwable error) {
        intake.release();
        resume();
        state = State.FAILED;
        call.fail(FileErrors.map(error, fp.shown()));
    }

    // ---- body (loop) ------------------------------------------------------------------------

    @Override
    public int userUploadLimit() {
        return userUploadLimit;
    }

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
                intake.take(chunk);
                tookBody();
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
        return intake.readBuffer();
    }

    @Override
    public void onDataRead(int n) {
        intake.read(n);
        tookBody();
    }

    /** Body bytes came: the rate counts them, and a full quota of buffers pauses reading. */
    private void tookBody() {
        pace.received(intake.received());
        if (intake.buffersHeld() >= maxBuffers) {
            pause();
        }
    }

    @Override
    public void onEnd() {
        if (state != State.RECEIVING) {
            return;
        }
        state = State.DRAINING;
        paceTimer.disarm();
        intake.endOfBody();
        maybeSettle();
    }

    // ---- writes (loop side) -------------------------------------------------------------------

    /** The writer moved on: a buffer may be free (resume reading), the write-behind may be due, or all done. */
    @Override
    public void progressed() {
        if (state == State.RECEIVING && pausedByMe && intake.buffersHeld() < maxBuffers) {
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
        long written = intake.written();
        // Direct writes are on the disk already: only the page-cache path has anything to flush early.
        if (flushing || every <= 0 || !ctx.config.syncOnCommit() || state != State.RECEIVING
                || writer.isDirect() || written - flushRequestedAt < every) {
            return;
        }
        FileChannel ch = file;
        flushRequestedAt = written;
        flushing = ctx.bulk.trySubmit(call.loop(), () -> {
            ch.force(false);
            return null;
        }, (none, ignored) -> { // an error is reported by the commit's force, if it persists
            flushing = false;
            maybeSettle();
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
                paceTimer.disarm();
                pausedByMe = false;  // the connection is gone; nothing to resume
                intake.endOfBody();  // what arrived is a valid prefix: keep it for the resume
                intake.writeEarly();
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
                ctx.log.info(call.connectionName() + " upload of " + fp.shown() + " stopped after " + (offset + intake.received())
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

    private void checkPace() {
        if (state != State.RECEIVING) {
            return;
        }
        // Under an upload bandwidth limit the server sets the pace, not the client: no verdict on it.
        if (!pace.tooSlow(call.loop().clock().nanoTime()) || call.isUploadRateLimited()) {
            paceTimer.arm(this::checkPace);
            return;
        }
        long min = ctx.config.minUploadRateBytesPerSecond();
        String why = "upload of " + fp.shown() + " received " + pace.lastWindowBytes() + " bytes in "
                + pace.lastWindowReadingMillis() / 1000 + " s, under the server's minimum of " + min + " bytes/s";
        long have = offset + intake.received();
        ctx.log.info(call.connectionName() + " " + why + ": stopped after " + have + " bytes");
        connectionLost(); // keeps what arrived; the claim goes once it is written
        call.closeConnectionAfterReply();
        call.fail(new OpException(ErrorCode.TIMED_OUT, why + "; the " + have
                + " bytes received are kept: resume it (PARTIAL) on a faster link"));
    }

    private void suspended() {
        state = State.SUSPENDED;
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        file = null;
        direct = null;
        long have = offset + intake.written();
        UploadRelease release = new UploadRelease(ctx, fp, temp, target, quota, ch, dio);
        UploadRelease.onWorker(ctx, call, fp, "suspending", () -> release.suspended(have), () -> { });
    }

    // ---- commit ---------------------------------------------------------------------------------

    private void commit() {
        state = State.COMMITTING;
        long received = intake.received();
        if (received != terms.bodyBytes() || intake.written() != received) {
            fail(new OpException(ErrorCode.INTERNAL, "upload of " + fp.shown() + " ended with " + intake.written()
                    + " bytes written of " + terms.bodyBytes()), true);
            return;
        }
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        MessageDigest md = digest;
        UploadCommit commit = new UploadCommit(ctx, terms, temp, target, quota);
        // Closes both channels, also when it fails (committed() forgets them): only after the
        // rename or the removal of the temp, so the temp's lock (TempLock) covers both.
        boolean taken = ctx.bulk.trySubmit(call.loop(), () -> commit.run(ch, dio, md), this::committed);
        if (!taken) {
            fail(GetOp.busy("no worker free to finish the upload; the bytes are kept, resume later"), false);
        }
    }

    private void committed(UploadCommit.Committed c, Throwable error) {
        file = null; // closed by the worker
        direct = null;
        if (error != null) {
            fail(error, false); // the committing worker removed the temp under its lock
            return;
        }
        state = State.DONE;
        ctx.uploads.release(target);
        ctx.config.events().uploadCommitted(fp.rootRelative(), c.fileSize());
        Header ok = Header.reply(OK, call.id()).put(FILE_SIZE, c.fileSize()).put(MTIME, c.mtimeMillis());
        if (c.digest() != null) {
            ok.put(ALGORITHM, terms.algorithm().wireName()).put(DIGEST, c.digest());
        }
        call.reply(ok); // nothing happens if the connection is gone: the file is committed anyway
    }

    // ---- failure ----------------------------------------------------------------------------------

    /** The writer failed: a disk error makes the temp worthless, a busy pool does not. */
    @Override
    public void failed(Throwable error, boolean busy) {
        if (busy) {
            fail(GetOp.busy("no worker free to write the upload; the bytes so far are kept, resume later"), false);
        } else {
            fail(error, true);
        }
    }

    /**
     * Fails the upload. {@code removeTemp}: a disk error or bad digest makes the temp worthless;
     * a busy pool does not (the client may resume).
     */
    private void fail(Throwable error, boolean removeTemp) {
        if (state == State.FAILED || state == State.DONE || state == State.SUSPENDED) {
            return;
        }
        state = State.FAILED;
        paceTimer.disarm();
        intake.release();
        resume(); // let the connection read (and the core discard) the rest of the body
        OpException mapped = FileErrors.map(error, fp.shown());
        FileChannel ch = file;
        UploadWriter.Direct dio = direct;
        file = null;
        direct = null;
        UploadRelease release = new UploadRelease(ctx, fp, temp, target, quota, ch, dio);
        // The answer goes out once the claim is released, so a client that retries on reading it
        // never meets its own failed upload as "in progress".
        UploadRelease.onWorker(ctx, call, fp, "cleaning up after a failure",
                () -> release.failed(removeTemp, mapped.code()), () -> call.fail(mapped));
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

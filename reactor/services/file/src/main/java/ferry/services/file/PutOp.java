package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import com.sun.nio.file.ExtendedOpenOption;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.OpException;
import ferry.reactor.OpHandler;
import ferry.reactor.Right;
import ferry.reactor.UserQuota;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code PUT path fileSize [offset] [algorithm] [expect] [overwrite] [mtime]} and its companion
 * {@code PARTIAL}, which tells a client how much of an interrupted upload the server holds.
 *
 * <p>PUT validates the request on the loop, pauses reading, and lets a worker confine the path,
 * claim the target ({@link UploadRegistry}: a second concurrent upload gets {@code conflict}, too
 * many uploads by one user or address get {@code busy}, and the same user's request for an upload
 * whose connection went silent takes it over), reserve the file's size in the home's quota
 * ({@link HomeQuotas}: over it, {@code quota_exceeded} before the temp exists), open or find the
 * temp (one per user: see {@link UploadTemps}), re-hash a resumed prefix and check free space. The body then streams
 * through {@link Upload}.
 *
 * <p>Rights: {@code write}; replacing an existing file also needs {@code delete}, as a RENAME over
 * one does (a PUT over a file destroys its contents as surely as a DELETE). Resuming one's own
 * temp is not a replace: the temp is the user's own unfinished upload.
 *
 * <p>Threading contract: {@link #onRequest} on the loop.
 */
final class PutOp implements OpHandler {
    private final FileContext ctx;

    PutOp(FileContext ctx) {
        this.ctx = ctx;
    }

    /** The parsed, validated fields an upload is identified by. */
    private record Spec(FilePath fp, long fileSize, DigestAlgorithm algorithm, String expect) {}

    private Spec spec(Call call) throws Exception {
        call.session().require(Right.WRITE);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        if (fp.isHome()) {
            throw OpException.badRequest("a path naming a file is required (got your home folder)");
        }
        long fileSize = req.requireLong(FILE_SIZE);
        if (fileSize < 0) {
            throw OpException.badRequest("field \"fileSize\" must be >= 0 (got " + fileSize + ")");
        }
        if (fileSize > ctx.config.maxFileBytes()) {
            throw new OpException(ErrorCode.TOO_LARGE, "file of " + fileSize + " bytes exceeds the server's limit of "
                    + ctx.config.maxFileBytes() + " bytes");
        }
        String alg = req.optString(ALGORITHM);
        DigestAlgorithm algorithm = alg == null ? ctx.config.digestAlgorithm() : DigestAlgorithm.fromWire(alg);
        String expect = req.optString(EXPECT);
        if (expect != null) {
            expect = algorithm.checkHex(expect, EXPECT);
        }
        return new Spec(fp, fileSize, algorithm, expect);
    }

    @Override
    public BodySink onRequest(Call call) throws Exception {
        Spec s = spec(call);
        Header req = call.request();
        long offset = req.optLong(OFFSET, 0);
        if (offset < 0 || offset > s.fileSize()) {
            throw OpException.badRequest("field \"offset\" must be in [0, fileSize=" + s.fileSize() + "] (got " + offset + ")");
        }
        if (req.size() != s.fileSize() - offset) {
            throw OpException.badRequest("the body (\"size\") must be fileSize - offset = " + (s.fileSize() - offset)
                    + " bytes (got " + req.size() + ")");
        }
        boolean overwrite = req.optBoolean(OVERWRITE, true);
        long mtime = req.has(MTIME) ? req.requireLong(MTIME) : -1; // -1: the upload's own time
        if (req.has(MTIME) && (mtime < 0 || mtime > MAX_MTIME_MILLIS)) {
            // Beyond this, int64 nanoseconds (how the file system keeps it) overflow: refuse rather than clamp.
            throw OpException.badRequest("field \"mtime\" must be 0 to " + MAX_MTIME_MILLIS
                    + " ms since the epoch (up to 2262-04-11T23:47:16.854Z), got " + mtime);
        }
        boolean mayReplace = call.session().has(Right.DELETE);
        HomeQuotas.Limits quota = ctx.quotas.limitsFor(call.session().get(UserQuota.SESSION_KEY));
        Upload upload = new Upload(ctx, call, new UploadTerms(s.fp(), s.fileSize(), offset, s.algorithm(), s.expect(),
                overwrite, mayReplace, mtime));
        upload.beforeOpening();
        boolean submitted = ctx.workers.submit(call, () -> prepare(s, offset, overwrite, mayReplace, quota, upload), (opened, error) -> {
            if (error != null) {
                upload.openFailed(error);
            } else {
                upload.opened(opened);
            }
        });
        if (!submitted) {
            upload.openFailed(GetOp.busy("worker pool full")); // the call has failed already; this resumes reading
        }
        return upload;
    }

    /** Worker: confine, claim, reserve quota, open or find the temp, re-hash a resumed prefix, check space. */
    private OpenedUpload prepare(Spec s, long offset, boolean overwrite, boolean mayReplace, HomeQuotas.Limits limits,
                                  Upload upload)
            throws Exception {
        FilePath fp = s.fp();
        Path target = ctx.resolver.confine(fp);
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            String folder = fp.shown().contains("/") ? fp.shown().substring(0, fp.shown().lastIndexOf('/')) : ".";
            if (Files.exists(parent)) {
                throw OpException.badRequest(folder + " is not a folder");
            }
            throw OpException.notFound("folder " + folder + " does not exist (MKDIR it first)");
        }
        if (Files.isDirectory(target)) {
            throw OpException.badRequest(fp.shown() + " is a folder");
        }
        BasicFileAttributes existing = attributesOrNull(target);
        if (existing != null) {
            if (!overwrite) {
                throw new OpException(ErrorCode.EXISTS, "already exists: " + fp.shown() + " (and overwrite is false)");
            }
            if (!mayReplace) {
                throw UploadCommit.replaceForbidden(fp);
            }
        }
        // Checked again at the commit, which never replaces a file for a user without delete.
        Path temp = UploadTemps.tempFor(target, upload.user(), s.fileSize(), s.algorithm(), s.expect());
        ctx.uploads.claim(target, temp, fp.shown(), upload);
        FileChannel ch = null;
        long have = 0;
        HomeQuotas.Reservation quota = null;
        try {
            // Before the temp exists: a refused upload leaves nothing on the disk. The whole file
            // is reserved, a resume's partial bytes too (they end up in it).
            quota = ctx.quotas.reserve(fp.home(), limits, fp.shown(), s.fileSize(),
                    existing != null && existing.isRegularFile() ? existing.size() : -1,
                    ctx.quotas.counts(fp.home(), limits) ? sizeOrZero(temp) : 0);
            ch = TempLock.openOrCreate(TempLock.of(ctx.files()), temp);
            if (ch == null) {
                throw inProgressElsewhere(fp);
            }
            have = ch.size();
            MessageDigest md = s.algorithm().newDigest();
            if (offset > 0) {
                if (have < offset) {
                    throw new OpException(ErrorCode.CONFLICT, "the server holds " + have + " bytes of this upload of "
                            + fp.shown() + ", not " + offset + "; ask PARTIAL where to resume");
                }
                if (have > offset) {
                    ch.truncate(offset); // bytes past the resume point may be torn: rewrite them
                }
                if (md != null) {
                    DigestCache.hashRange(ch, 0, offset, md, ctx.digests.scratch());
                }
            } else if (have > 0) {
                ch.truncate(0);
            }
            long need = s.fileSize() - offset;
            long usable = Files.getFileStore(temp).getUsableSpace();
            if (need > usable) {
                throw new OpException(ErrorCode.IO_ERROR, "not enough space on the server for " + fp.shown()
                        + ": " + need + " bytes to write, " + usable + " free");
            }
            return new OpenedUpload(target, temp, ch, md, openDirect(temp, need), quota);
        } catch (Throwable t) {
            if (ch != null && (offset == 0 || have == 0)) {
                ctx.files().deleteIfExists(temp); // nothing worth resuming in it; under its lock (TempLock)
            }
            FileContext.closeQuietly(ch);
            if (quota != null) {
                quota.release(quota.counts() ? sizeOrZero(temp) : 0); // what stays on the disk counts again
            }
            ctx.uploads.release(target);
            throw t;
        }
    }

    /** The answer when another server sharing the storage writes this very upload (its temp is locked). */
    static OpException inProgressElsewhere(FilePath fp) {
        return new OpException(ErrorCode.CONFLICT, "an upload of " + fp.shown() + " is already in progress (on another"
                + " server sharing this storage); retry when it ends");
    }

    /** Worker: the size of the file at {@code real}, 0 if there is none (or it cannot be read). */
    private long sizeOrZero(Path real) {
        try {
            return ctx.files().stat(real).size();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Worker: the attributes of {@code real} itself (a symlink described), or null if nothing is there. */
    private BasicFileAttributes attributesOrNull(Path real) throws IOException {
        try {
            return ctx.files().attributes(real);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Worker: a second channel on the temp that writes with {@code O_DIRECT}, for an upload of at
     * least {@link FileServiceConfig#uploadDirectIoMinBytes()}; null (write through the page cache)
     * when the upload is small, the block size does not fit the buffers, or the filesystem refuses
     * direct I/O (tmpfs on older kernels, some network filesystems).
     */
    private UploadWriter.Direct openDirect(Path temp, long bodyBytes) {
        if (bodyBytes < ctx.config.uploadDirectIoMinBytes()) {
            return null;
        }
        try {
            long block = Files.getFileStore(temp).getBlockSize();
            if (block <= 0 || UploadBufferPool.ALIGNMENT_BYTES % block != 0 || ctx.config.uploadBufferBytes() % block != 0) {
                return null;
            }
            FileChannel direct = ctx.files().open(temp, Set.of(StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT));
            return new UploadWriter.Direct(direct, (int) block);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * {@code PARTIAL}: how many bytes of this user's upload (same path, size and digest) the server
     * holds. Another user's temp or running upload of the path is not seen.
     */
    BodySink partial(Call call) throws Exception {
        Spec s = spec(call);
        String user = call.session().user(); // read on the loop; the worker below must not touch the session
        ctx.onWorker(call, s.fp().shown(), () -> {
            Path target = ctx.resolver.confine(s.fp());
            Path temp = UploadTemps.tempFor(target, user, s.fileSize(), s.algorithm(), s.expect());
            ctx.uploads.checkPartial(target, temp, user, s.fp().shown());
            if (ctx.uploads.heldByAnotherServer(temp, TempLock.of(ctx.files()))) {
                throw inProgressElsewhere(s.fp());
            }
            long have;
            try {
                have = ctx.files().stat(temp).size();
            } catch (NoSuchFileException e) {
                have = 0;
            } catch (IOException e) {
                throw FileErrors.map(e, s.fp().shown());
            }
            return have > s.fileSize() ? 0L : have;
        }, have -> call.reply(Header.reply(PARTIAL, call.id()).put(OFFSET, (long) have).put(FILE_SIZE, s.fileSize())));
        return null;
    }
}

package ferry.services.file;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;

/**
 * The worker half of a PUT's commit: forces the temp to disk, checks the digest the client
 * declared, sets the requested time, renames the temp into place atomically (never over an
 * existing file for a session without the delete right: a hard link, which fails if the name
 * exists), settles the quota, and remembers the digest.
 *
 * <p>Threading contract: made on the loop, {@link #run} on one worker (handed over through the
 * worker pool's queue).
 */
final class UploadCommit {
    /** What the commit produced. */
    record Committed(long fileSize, long mtimeMillis, String digest) {}

    private final FileContext ctx;
    private final UploadTerms terms;
    private final Path temp;
    private final Path target;
    private final HomeQuotas.Reservation quota;

    UploadCommit(FileContext ctx, UploadTerms terms, Path temp, Path target, HomeQuotas.Reservation quota) {
        this.ctx = ctx;
        this.terms = terms;
        this.temp = temp;
        this.target = target;
        this.quota = quota;
    }

    /** The refusal of a PUT over an existing file by a session without the delete right. */
    static OpException replaceForbidden(FilePath fp) {
        return OpException.forbidden("replacing " + fp.shown() + " needs the delete right (it exists; a user with"
                + " write only may create files, not overwrite them)");
    }

    /**
     * Worker: force, verify, rename into place, remember the digest. Closes {@code ch} and
     * {@code dio} whatever happens, but only at the end: the temp's lock ({@link TempLock}) lives
     * as long as its channels, so another server sharing the storage cannot take the temp while
     * it is renamed, nor a failed commit's temp before it is removed.
     */
    Committed run(FileChannel ch, UploadWriter.Direct dio, MessageDigest md) throws Exception {
        boolean placed = false;
        try {
            if (ctx.config.syncOnCommit()) {
                ch.force(true); // the direct channel's writes are done: this covers them
            }
            Committed c = verifyAndPlace(md);
            placed = true;
            return settle(c);
        } catch (Throwable t) {
            if (!placed) {
                removeTemp();
            }
            throw t;
        } finally {
            FileContext.closeQuietly(ch);
            UploadRelease.closeDirect(dio);
        }
    }

    /** Worker, after a failed commit, before the temp's channels close: removes it under its lock. */
    private void removeTemp() {
        try {
            ctx.files().deleteIfExists(temp);
        } catch (IOException | RuntimeException e) {
            ctx.log.warn("could not remove upload temp " + temp + ": " + e.getMessage());
        }
    }

    /** Worker: checks the digest, sets the time and renames the temp into place. */
    private Committed verifyAndPlace(MessageDigest md) throws Exception {
        FilePath fp = terms.fp();
        String hex = md == null ? null : DigestAlgorithm.hex(md.digest());
        if (terms.expect() != null && !terms.expect().equals(hex)) {
            throw new OpException(ErrorCode.DIGEST_MISMATCH, "upload of " + fp.shown() + " does not match its "
                    + terms.algorithm().wireName() + ": declared " + terms.expect() + ", received bytes hash to " + hex
                    + "; nothing was stored");
        }
        if (terms.mtimeToSet() >= 0) {
            ctx.files().setLastModifiedTime(temp, FileTime.fromMillis(terms.mtimeToSet()));
        }
        long replaced = quota.counts() ? replacedRegularFileBytes() : -1; // no stat when no quota applies
        if (terms.overwrite() && terms.mayReplace()) {
            ctx.files().move(temp, target); // renameat(2): replaces atomically
        } else {
            try {
                ctx.files().moveNoReplace(temp, target);
            } catch (FileAlreadyExistsException e) {
                // Created since the PUT was accepted: replacing it is what the missing right forbids.
                throw terms.overwrite() ? replaceForbidden(fp) : e;
            }
        }
        quota.committed(terms.fileSize(), replaced); // in place from here, whatever fails below
        return new Committed(terms.fileSize(), -1, hex);
    }

    /** Worker, once the file is in place: syncs its folder and remembers its digest. */
    private Committed settle(Committed placed) throws IOException {
        String hex = placed.digest();
        if (ctx.config.syncOnCommit()) {
            ctx.files().syncFolder(target.getParent());
        }
        FileStat st = ctx.files().stat(target);
        ctx.digests.invalidate(target);
        if (hex != null) {
            ctx.digests.put(DigestCache.Key.of(target, st, terms.algorithm()), hex);
        }
        return new Committed(st.size(), st.mtimeMillis(), hex);
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
}

package ferry.services.file;

import ferry.reactor.Call;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Lets go of what an upload held when it stops without a commit: closes the temp's channels,
 * keeps the temp (suspended: the client may resume) or removes it (failed), gives back the quota
 * reservation, releases the claim on the target (last: a new upload must not meet a
 * half-deleted temp), and tells the events.
 *
 * <p>Threading contract: made on the loop with what the upload held, which is the release's
 * from then on; {@link #suspended} or {@link #failed} once, on a worker (or on the loop when no
 * worker is free: closing and deleting one file is short, and a target claimed for ever would
 * be worse). Each part the upload never got (no temp yet, no claim) is null.
 */
final class UploadRelease {
    private final FileContext ctx;
    private final String path; // root-relative, for the events
    private final Path temp;
    private final Path target;
    private final HomeQuotas.Reservation quota;
    private final FileChannel file;
    private final UploadWriter.Direct direct;

    UploadRelease(FileContext ctx, FilePath fp, Path temp, Path target, HomeQuotas.Reservation quota, FileChannel file,
                  UploadWriter.Direct direct) {
        this.ctx = ctx;
        this.path = fp.rootRelative();
        this.temp = temp;
        this.target = target;
        this.quota = quota;
        this.file = file;
        this.direct = direct;
    }

    /**
     * Runs {@code release} (a bound {@link #suspended} or {@link #failed}) on a bulk worker, or
     * here if none is free (see the class comment), then {@code then} on the loop. Loop thread.
     *
     * @param what names the step in the log line of a release that failed
     */
    static void onWorker(FileContext ctx, Call call, FilePath fp, String what, Runnable release, Runnable then) {
        boolean taken = ctx.bulk.trySubmit(call.loop(), () -> {
            release.run();
            return null;
        }, (none, error) -> {
            if (error != null) {
                ctx.log.warn(call.connectionName() + " upload of " + fp.shown() + ": " + what + " failed: " + error, error);
            }
            then.run();
        });
        if (!taken) {
            release.run();
            then.run();
        }
    }

    /** The upload stopped with {@code have} bytes of the file in its temp, which stays for a resume. */
    void suspended(long have) {
        closeChannels();
        quota.release(have); // the temp stays: its bytes count as the home's usage
        ctx.uploads.release(target);
        ctx.config.events().uploadSuspended(path, have);
    }

    /**
     * The upload failed with {@code code}. {@code removeTemp}: a disk error or bad digest makes the
     * temp worthless; a busy pool does not (the client may resume).
     */
    void failed(boolean removeTemp, String code) {
        if (removeTemp && temp != null) {
            try {
                ctx.files().deleteIfExists(temp); // before the close: under the temp's lock (TempLock)
            } catch (IOException e) {
                ctx.log.warn("could not remove upload temp " + temp + ": " + e.getMessage());
            }
        }
        closeChannels();
        if (quota != null) {
            // A kept temp counts as the home's usage. After a commit that counted itself, a no-op.
            quota.release(removeTemp || !quota.counts() ? 0 : sizeOrZero(temp));
        }
        if (target != null) {
            ctx.uploads.release(target);
        }
        ctx.config.events().uploadFailed(path, code);
    }

    static void closeDirect(UploadWriter.Direct dio) {
        if (dio != null) {
            FileContext.closeQuietly(dio.channel());
        }
    }

    private void closeChannels() {
        FileContext.closeQuietly(file);
        closeDirect(direct);
    }

    /** Worker: the size of {@code real}, 0 if it is gone (or cannot be read). */
    private long sizeOrZero(Path real) {
        try {
            return ctx.files().stat(real).size();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}

package ferry.reactor.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which targets have an upload running, server-wide (all loops). A second upload to a target
 * whose upload is running gets {@code conflict}: two uploads never write one temp file, so a file
 * is never an interleaving of two. Also guards temp files against the stale-temp sweeper.
 *
 * <h2>Taking over a stalled upload</h2>
 * A connection whose client vanished without its close ever reaching the server (the machine
 * crashed or lost power, its address changed, a NAT forgot it) still holds its upload until the
 * server's idle timeout ends it, minutes later. Meanwhile the same client, back, asks to resume
 * and would get {@code conflict} until it gives up. So when the request comes from the <em>same
 * user</em> for the <em>same upload</em> (same target, size and digest: the same temp), the
 * registry asks twice: the first request notes how much the running upload has received and gets
 * {@code conflict}; a later one (the client's retry, after its backoff) finds it has received
 * nothing since, stops it ({@link Holder#supersede()}: its bytes are kept) and gets
 * {@code conflict} once more, and the retry after that resumes from the kept bytes. A running
 * upload that receives bytes between two requests is alive and is never stopped; another user's
 * or a different upload's request never stops anything.
 *
 * <p>Keys are real paths (symlinked folders resolved), so two spellings of one file collide.
 *
 * <p>Thread safety: all methods synchronize on the registry; the sweeper's delete runs under the
 * same lock so it cannot remove a temp an upload is taking up. {@link Holder} methods are called
 * under that lock and must not block.
 */
final class UploadRegistry {
    /** A running upload as the registry sees it; every method is safe from any thread and does not block. */
    interface Holder {
        /** Who uploads (the session's user). */
        String user();

        /** Body bytes received so far; grows while the client sends. */
        long received();

        /** Stops the upload, keeping what it received for a resume; returns at once (the stop is asynchronous). */
        void supersede();
    }

    private static final class Claim {
        final Path temp;
        final Holder holder;
        /** {@link Holder#received()} when the same upload was last asked for; -1: never. */
        long askedAt = -1;

        Claim(Path temp, Holder holder) {
            this.temp = temp;
            this.holder = holder;
        }
    }

    private final int maxUploads;
    private final Map<Path, Claim> claims = new HashMap<>();
    private final Set<Path> temps = new HashSet<>();

    public UploadRegistry(int maxUploads) {
        this.maxUploads = maxUploads;
    }

    /**
     * Claims {@code target} (with its temp) for one upload, by {@code holder}.
     *
     * @throws OpException {@code conflict} if an upload of it is running (see the class comment for
     *                     when that one is stopped), {@code busy} if too many are
     */
    public synchronized void claim(Path target, Path temp, String shown, Holder holder) throws OpException {
        checkNotRunning(target, temp, holder.user(), shown);
        if (claims.size() >= maxUploads) {
            throw new OpException(ErrorCode.BUSY, "server busy: " + maxUploads + " uploads in progress; retry later");
        }
        claims.put(target, new Claim(temp, holder));
        temps.add(temp);
    }

    /**
     * For {@code PARTIAL}: nothing if no upload of {@code target} runs; otherwise {@code conflict},
     * after stopping the running one if it is {@code user}'s own stalled upload with this temp.
     */
    public synchronized void checkNotRunning(Path target, Path temp, String user, String shown) throws OpException {
        Claim running = claims.get(target);
        if (running != null) {
            throw inProgress(running, temp, user, shown);
        }
    }

    private static OpException inProgress(Claim running, Path temp, String user, String shown) {
        if (running.temp.equals(temp) && user != null && user.equals(running.holder.user())) {
            long now = running.holder.received();
            if (running.askedAt == now) {
                running.holder.supersede();
                return new OpException(ErrorCode.CONFLICT, "an earlier upload of " + shown + " by " + user
                        + " received nothing since it was last asked for; it is being stopped, its bytes kept:"
                        + " retry to resume it");
            }
            running.askedAt = now;
            return new OpException(ErrorCode.CONFLICT, "an upload of " + shown + " is already in progress; retry:"
                    + " if it is yours and receives nothing meanwhile (its connection is dead), it is taken over");
        }
        return new OpException(ErrorCode.CONFLICT, "an upload of " + shown + " is already in progress;"
                + " retry when it ends (a dropped connection's upload ends when the server notices the drop)");
    }

    public synchronized void release(Path target) {
        Claim c = claims.remove(target);
        if (c != null) {
            temps.remove(c.temp);
        }
    }

    public synchronized boolean isActive(Path target) {
        return claims.containsKey(target);
    }

    public synchronized int active() {
        return claims.size();
    }

    /** Deletes {@code temp} unless an upload is using it. Worker thread (disk). */
    public synchronized boolean deleteIfIdle(Path temp) throws IOException {
        if (temps.contains(temp)) {
            return false;
        }
        return Files.deleteIfExists(temp);
    }
}

package ferry.services.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import ferry.reactor.UserLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which targets have an upload running, server-wide (all loops), and how many each user and each
 * client address runs. A second upload to a target whose upload is running gets {@code conflict}:
 * two uploads never write one temp file, so a file is never an interleaving of two. Uploads past
 * the server-wide, per-user or per-address limit get {@code busy}. Also guards temp files against
 * the stale-temp sweeper.
 *
 * <h2>Taking over a stalled upload</h2>
 * A connection whose client vanished without its close ever reaching the server (the machine
 * crashed or lost power, its address changed, a NAT forgot it) still holds its upload until the
 * server's idle timeout ends it, minutes later. Meanwhile the same client, back, asks to resume
 * and would get {@code conflict} until it gives up. So when the request comes from the <em>same
 * user</em> for the <em>same upload</em> (same temp, which is per user) and the running upload has
 * received nothing for at least the takeover time ({@link Holder#stalledNanos()}: time the server
 * held reading paused does not count), the registry stops it ({@link Holder#supersede()}: its
 * bytes are kept) and answers {@code conflict} once more; the client's retry then resumes from
 * the kept bytes. A running upload that received bytes within the takeover time is never stopped,
 * however often it is asked for; another user's or a different upload's request never stops
 * anything.
 *
 * <p>Another user's running upload is invisible to {@code PARTIAL} ({@link #checkPartial}): the
 * asker is told about their own temp only. A {@code PUT} of the same target still gets
 * {@code conflict} (the target is busy), without saying whose upload holds it.
 *
 * <p>Keys are real paths (symlinked folders resolved), so two spellings of one file collide.
 *
 * <p>Thread safety: all methods synchronize on the registry, which the loop takes too (a commit's
 * release), so no disk work runs under it. A temp the sweeper deletes, or {@code PARTIAL} probes
 * for another server's lock, is reserved first ({@link #probing}): a claim of it meanwhile gets
 * {@code conflict}, so the sweeper cannot remove a temp an upload is taking up, and a probe's close
 * (which releases this process's lock on the file, {@link TempLock}) never meets an upload of this
 * server. {@link Holder} methods are called under the registry's lock and must not block.
 */
final class UploadRegistry {
    /** A running upload as the registry sees it; every method is safe from any thread and does not block. */
    interface Holder {
        /** Who uploads (the session's user; anonymous sessions are the one user "anonymous"). */
        String user();

        /** The client's address, without its port: uploads are counted per address. */
        String address();

        /**
         * The uploads its user may run at once as the user store sets it: a limit, 0 (no per-user
         * limit) or {@link UserLimits#SERVER_DEFAULT} (the registry's own per-user limit).
         */
        default int userUploadLimit() {
            return UserLimits.SERVER_DEFAULT;
        }

        /** How long the upload has received nothing while the server was reading it (0 while paused by the server). */
        long stalledNanos();

        /** Stops the upload, keeping what it received for a resume; returns at once (the stop is asynchronous). */
        void supersede();
    }

    private record Claim(Path temp, Holder holder, String user, String address) {}

    private final int maxUploads;
    private final int maxPerUser;
    private final int maxPerAddress;
    private final long takeoverAfterNanos;
    private final Map<Path, Claim> claims = new HashMap<>();
    private final Set<Path> temps = new HashSet<>();
    /** Temps a worker is sweeping or probing, outside the lock; never claimed meanwhile. */
    private final Set<Path> probing = new HashSet<>();
    private final Map<String, Integer> perUser = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();

    /**
     * @param maxUploads         uploads at once, server-wide
     * @param maxPerUser         uploads at once by one user
     * @param maxPerAddress      uploads at once from one client address
     * @param takeoverAfterNanos how long a running upload must have received nothing before its
     *                           own user's new request for it stops it
     */
    UploadRegistry(int maxUploads, int maxPerUser, int maxPerAddress, long takeoverAfterNanos) {
        this.maxUploads = maxUploads;
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.takeoverAfterNanos = takeoverAfterNanos;
    }

    /**
     * Claims {@code target} (with its temp) for one upload, by {@code holder}.
     *
     * @throws OpException {@code conflict} if an upload of it is running (see the class comment for
     *                     when that one is stopped), {@code busy} if too many are (server-wide, by
     *                     this user or from this address)
     */
    public synchronized void claim(Path target, Path temp, String shown, Holder holder) throws OpException {
        String user = holder.user();
        String address = holder.address();
        Claim running = claims.get(target);
        if (running != null) {
            throw inProgress(running, temp, user, shown);
        }
        if (probing.contains(temp)) {
            throw new OpException(ErrorCode.CONFLICT, "the upload of " + shown + " is being checked (a resume query or"
                    + " the removal of an old partial); retry");
        }
        if (claims.size() >= maxUploads) {
            throw new OpException(ErrorCode.BUSY, "server busy: " + maxUploads + " uploads in progress; retry later");
        }
        int userLimit = UserLimits.effective(holder.userUploadLimit(), maxPerUser);
        if (userLimit > 0 && perUser.getOrDefault(user, 0) >= userLimit) {
            throw new OpException(ErrorCode.BUSY, "server busy: user " + user + " has " + userLimit
                    + " uploads in progress, the most one user may run at once; retry when one ends");
        }
        if (perAddress.getOrDefault(address, 0) >= maxPerAddress) {
            throw new OpException(ErrorCode.BUSY, "server busy: address " + address + " has " + maxPerAddress
                    + " uploads in progress, the most one address may run at once; retry when one ends");
        }
        claims.put(target, new Claim(temp, holder, user, address));
        temps.add(temp);
        perUser.merge(user, 1, Integer::sum);
        perAddress.merge(address, 1, Integer::sum);
    }

    /**
     * For {@code PARTIAL}: nothing unless {@code user} runs an upload of {@code target}; then
     * {@code conflict}, after stopping it if it is this very upload (same temp) and stalled. Another
     * user's upload of the target is not mentioned: {@code PARTIAL} reveals nothing of it.
     */
    public synchronized void checkPartial(Path target, Path temp, String user, String shown) throws OpException {
        Claim running = claims.get(target);
        if (running != null && running.user.equals(user)) {
            throw inProgress(running, temp, user, shown);
        }
    }

    private OpException inProgress(Claim running, Path temp, String user, String shown) {
        if (!running.user.equals(user)) {
            return new OpException(ErrorCode.CONFLICT, "an upload of " + shown + " is already in progress;"
                    + " retry when it ends");
        }
        if (!running.temp.equals(temp)) {
            return new OpException(ErrorCode.CONFLICT, "another upload of " + shown + " (a different size or digest)"
                    + " is already in progress; retry when it ends (a dropped connection's upload ends when the server"
                    + " notices the drop)");
        }
        long stalled = running.holder.stalledNanos();
        if (stalled >= takeoverAfterNanos) {
            running.holder.supersede();
            return new OpException(ErrorCode.CONFLICT, "an earlier upload of " + shown + " by " + user
                    + " received nothing for " + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s; it is being stopped,"
                    + " its bytes kept: retry to resume it");
        }
        return new OpException(ErrorCode.CONFLICT, "an upload of " + shown + " is already in progress; retry: if it"
                + " receives nothing for " + TimeUnit.NANOSECONDS.toSeconds(takeoverAfterNanos) + " s (its connection"
                + " is dead), it is taken over");
    }

    public synchronized void release(Path target) {
        Claim c = claims.remove(target);
        if (c != null) {
            temps.remove(c.temp);
            perUser.computeIfPresent(c.user, (u, n) -> n <= 1 ? null : n - 1);
            perAddress.computeIfPresent(c.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    public synchronized boolean isActive(Path target) {
        return claims.containsKey(target);
    }

    public synchronized int active() {
        return claims.size();
    }

    /** Users and addresses with an upload running: both maps empty once every upload ended (for leak tests). */
    synchronized int countedUsersAndAddresses() {
        return perUser.size() + perAddress.size();
    }

    /**
     * Whether another server sharing the storage writes {@code temp} ({@code PARTIAL}'s check):
     * false when an upload of this server holds it (its own claim answers) or another check runs.
     * Worker thread (disk, outside the registry's lock).
     */
    public boolean heldByAnotherServer(Path temp, TempLock.Disk disk) throws IOException {
        if (!reserve(temp)) {
            return false;
        }
        try {
            return TempLock.heldElsewhere(disk, temp);
        } finally {
            unreserve(temp);
        }
    }

    /**
     * Deletes {@code temp} unless an upload is using it: one of this server's, or another server's
     * sharing the storage (it holds the temp's lock: {@link TempLock}). Worker thread (disk,
     * outside the registry's lock).
     */
    public boolean deleteIfIdle(Path temp) throws IOException {
        if (!reserve(temp)) {
            return false;
        }
        try {
            return TempLock.deleteIfUnlocked(temp);
        } finally {
            unreserve(temp);
        }
    }

    /** Reserves an unclaimed temp for a probe or sweep; false if an upload or another probe has it. */
    private synchronized boolean reserve(Path temp) {
        return !temps.contains(temp) && probing.add(temp);
    }

    private synchronized void unreserve(Path temp) {
        probing.remove(temp);
    }
}

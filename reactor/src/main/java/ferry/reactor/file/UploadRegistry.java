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
 * <p>Keys are real paths (symlinked folders resolved), so two spellings of one file collide.
 *
 * <p>Thread safety: all methods synchronize on the registry; the sweeper's delete runs under the
 * same lock so it cannot remove a temp an upload is taking up.
 */
final class UploadRegistry {
    private final int maxUploads;
    private final Map<Path, Path> tempByTarget = new HashMap<>();
    private final Set<Path> temps = new HashSet<>();

    public UploadRegistry(int maxUploads) {
        this.maxUploads = maxUploads;
    }

    /**
     * Claims {@code target} (with its temp) for one upload.
     *
     * @throws OpException {@code conflict} if an upload of it is running, {@code busy} if too many are
     */
    public synchronized void claim(Path target, Path temp, String shown) throws OpException {
        if (tempByTarget.containsKey(target)) {
            throw new OpException(ErrorCode.CONFLICT, "an upload of " + shown + " is already in progress;"
                    + " retry when it ends (a dropped connection's upload ends when the server notices the drop)");
        }
        if (tempByTarget.size() >= maxUploads) {
            throw new OpException(ErrorCode.BUSY, "server busy: " + maxUploads + " uploads in progress; retry later");
        }
        tempByTarget.put(target, temp);
        temps.add(temp);
    }

    public synchronized void release(Path target) {
        Path temp = tempByTarget.remove(target);
        if (temp != null) {
            temps.remove(temp);
        }
    }

    public synchronized boolean isActive(Path target) {
        return tempByTarget.containsKey(target);
    }

    public synchronized int active() {
        return tempByTarget.size();
    }

    /** Deletes {@code temp} unless an upload is using it. Worker thread (disk). */
    public synchronized boolean deleteIfIdle(Path temp) throws IOException {
        if (temps.contains(temp)) {
            return false;
        }
        return Files.deleteIfExists(temp);
    }
}

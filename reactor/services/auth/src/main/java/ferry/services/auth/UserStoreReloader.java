package ferry.services.auth;

import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * The server's view of the user store, kept current without a restart: each login looks at the
 * file's identity (inode, size, modification and change times), and reloads it when it changed, so
 * {@code ferry user add/passwd/del} take effect at the next login, on every server sharing the
 * store (nodes behind a balancer), with no timer or signal. Sessions already logged in keep
 * the rights they logged in with.
 *
 * <p>A store that became unreadable or malformed (a bad hand edit, a chmod) does not lock everyone
 * out: the last good snapshot stays in use and a warning is logged once per change of the file. A
 * store that was deleted means no users (all logins fail), keeping the old secret so decoys stay
 * stable.
 *
 * <p>Thread safety: {@link #current} is synchronized; it does disk I/O (a stat, sometimes a read),
 * so call it from a worker, never from an event loop.
 */
final class UserStoreReloader {
    private record Stamp(Object fileKey, long size, FileTime modified, Object changed) {}

    private final UserStore store;
    private final ServerLog log;
    private Users users;
    private Stamp stamp;
    private Stamp failedStamp;

    UserStoreReloader(UserStore store, ServerLog log) {
        this.store = store;
        this.log = log;
    }

    /** Loads the store for the first time; errors propagate (the server should not start). */
    synchronized Users loadInitial() throws IOException {
        Stamp s = stamp();
        users = store.load();
        stamp = s;
        return users;
    }

    /** The current users, reloading if the file changed. */
    synchronized Users current() {
        Stamp s;
        try {
            s = stamp();
        } catch (IOException e) {
            warnOnce(null, "cannot stat user store " + store.file() + ": " + e.getMessage() + "; keeping the users loaded before");
            return users;
        }
        if (Objects.equals(s, stamp)) {
            return users;
        }
        if (s == null) {
            log.warn("user store " + store.file() + " was removed: no user can log in until it is back");
            users = Users.emptyKeepingSecret(users);
            stamp = null;
            return users;
        }
        try {
            Users fresh = store.load();
            log.info("reloaded user store " + store.file() + ": " + AuthPolicy.users(fresh.size()));
            users = fresh;
            stamp = s;
            failedStamp = null;
        } catch (IOException e) {
            warnOnce(s, "cannot reload user store: " + e.getMessage() + "; keeping the " + AuthPolicy.users(users.size()) + " loaded before");
        }
        return users;
    }

    private void warnOnce(Stamp s, String message) {
        if (s == null || !s.equals(failedStamp)) {
            failedStamp = s;
            log.warn(message);
        }
    }

    private Stamp stamp() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(store.file(), BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime(), changeTime());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The file's change time, which nobody can set back: a replacement whose inode number was
     * just freed by the file it replaces, with the same size and a modification time a coarse
     * clock (or a copy preserving times) made equal, still differs in it. Null where the platform
     * has none.
     */
    private Object changeTime() throws IOException {
        try {
            return Files.getAttribute(store.file(), "unix:ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}

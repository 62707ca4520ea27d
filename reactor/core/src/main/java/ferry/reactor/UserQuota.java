package ferry.reactor;

/**
 * A user's own quota on their home folder, as the user store gives it: the auth service puts it
 * on the session at login ({@link #SESSION_KEY}) and the file service enforces it. Each limit is
 * {@link #SERVER_DEFAULT} (the server's default quota applies), 0 (no limit for this user) or a
 * positive limit.
 *
 * @param maxBytes bytes of regular files the home may hold
 * @param maxFiles regular files the home may hold
 */
public record UserQuota(long maxBytes, long maxFiles) {
    /** A limit the user store leaves to the server's default. */
    public static final long SERVER_DEFAULT = -1;
    /** Both limits left to the server's defaults (a user without a quota of their own). */
    public static final UserQuota DEFAULTS = new UserQuota(SERVER_DEFAULT, SERVER_DEFAULT);
    /** Where a logged-in session holds its user's quota; absent: the server's defaults. */
    public static final Session.Key<UserQuota> SESSION_KEY = new Session.Key<>("quota");

    public UserQuota {
        if (maxBytes < SERVER_DEFAULT || maxFiles < SERVER_DEFAULT) {
            throw new IllegalArgumentException("a quota is -1 (the server's default), 0 (none) or a limit: "
                    + maxBytes + ", " + maxFiles);
        }
    }

    /** This quota's limit, or {@code serverDefault} where it has none of its own. */
    public long bytesOr(long serverDefault) {
        return maxBytes == SERVER_DEFAULT ? serverDefault : maxBytes;
    }

    public long filesOr(long serverDefault) {
        return maxFiles == SERVER_DEFAULT ? serverDefault : maxFiles;
    }
}

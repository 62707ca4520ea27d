package ferry.reactor;

/**
 * A user's own limits on what they may hold at once and on their bandwidth, as the user store gives them: the auth
 * service puts them on the session at login ({@link #SESSION_KEY}) and each service enforces its
 * own. Each limit is {@link #SERVER_DEFAULT} (the server's default applies), 0 (no per-user limit
 * for this user: the server-wide totals still apply) or a positive limit.
 *
 * @param maxSessions logged-in connections of the user at once
 * @param maxUploads  uploads of the user receiving at once
 * @param maxExec     commands of the user running at once
 * @param downloadRate bytes per second all the user's connections together may receive
 * @param uploadRate   bytes per second all the user's connections together may send
 */
public record UserLimits(int maxSessions, int maxUploads, int maxExec, long downloadRate, long uploadRate) {
    /** A limit the user store leaves to the server's default. */
    public static final int SERVER_DEFAULT = -1;
    /** Every limit left to the server's defaults (a user without limits of their own). */
    public static final UserLimits DEFAULTS = new UserLimits(SERVER_DEFAULT, SERVER_DEFAULT, SERVER_DEFAULT);
    /** Where a logged-in session holds its user's limits; absent: the server's defaults. */
    public static final Session.Key<UserLimits> SESSION_KEY = new Session.Key<>("limits");

    public UserLimits {
        if (maxSessions < SERVER_DEFAULT || maxUploads < SERVER_DEFAULT || maxExec < SERVER_DEFAULT
                || downloadRate < SERVER_DEFAULT || uploadRate < SERVER_DEFAULT
                || downloadRate > ServerConfig.MAX_RATE || uploadRate > ServerConfig.MAX_RATE) {
            throw new IllegalArgumentException("a per-user limit is -1 (the server's default), 0 (none) or a limit: "
                    + maxSessions + ", " + maxUploads + ", " + maxExec + ", " + downloadRate + ", " + uploadRate);
        }
    }

    /** Limits on what the user holds at once; the bandwidth limits left to the server's defaults. */
    public UserLimits(int maxSessions, int maxUploads, int maxExec) {
        this(maxSessions, maxUploads, maxExec, SERVER_DEFAULT, SERVER_DEFAULT);
    }

    /** The limits of {@code session}'s user: {@link #DEFAULTS} when the user store gave none. Loop thread. */
    public static UserLimits of(Session session) {
        UserLimits l = session.get(SESSION_KEY);
        return l == null ? DEFAULTS : l;
    }

    /**
     * The limit that applies: {@code own} unless it is {@link #SERVER_DEFAULT}, then
     * {@code serverDefault}; 0 stays 0 (no limit).
     */
    public static int effective(int own, int serverDefault) {
        return own == SERVER_DEFAULT ? serverDefault : own;
    }

    /** As {@link #effective(int, int)}, for a rate. */
    public static long effective(long own, long serverDefault) {
        return own == SERVER_DEFAULT ? serverDefault : own;
    }

    public UserLimits withSessions(int v) {
        return new UserLimits(v, maxUploads, maxExec, downloadRate, uploadRate);
    }

    public UserLimits withUploads(int v) {
        return new UserLimits(maxSessions, v, maxExec, downloadRate, uploadRate);
    }

    public UserLimits withExec(int v) {
        return new UserLimits(maxSessions, maxUploads, v, downloadRate, uploadRate);
    }

    public UserLimits withDownloadRate(long v) {
        return new UserLimits(maxSessions, maxUploads, maxExec, v, uploadRate);
    }

    public UserLimits withUploadRate(long v) {
        return new UserLimits(maxSessions, maxUploads, maxExec, downloadRate, v);
    }
}

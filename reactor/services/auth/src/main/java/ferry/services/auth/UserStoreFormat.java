package ferry.services.auth;

import ferry.protocol.scram.ScramMath;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text format of the user store file: UTF-8, one directive per line, {@code #} comments.
 *
 * <pre>
 * # comments and blank lines are ignored
 * version 1
 * secret BASE64                      ; 32 random bytes: seeds the decoys for unknown names
 * user NAME:scram-sha-256:ITERATIONS:SALT:STORED_KEY:SERVER_KEY:RIGHTS:HOME
 * quota NAME:BYTES:FILES             ; optional, after the user's line
 * limits NAME:KEY=N,...              ; optional, after the user's line
 * </pre>
 *
 * <p>One {@code user} line per account; fields are separated by ':' (names cannot contain one;
 * HOME is last, so it may). SALT, STORED_KEY and SERVER_KEY are standard base64. RIGHTS is a comma
 * list of {@code read,write,delete,exec} (may be empty). HOME is the root-relative folder the user
 * is confined to, empty for the whole root. The {@code scram-sha-256} tag names the scheme so a
 * later version can add others. A file without {@code secret} still loads: the secret is then
 * derived from the stored keys.
 *
 * <p>{@code quota} gives a user a quota of their own on the home folder: BYTES and FILES are each
 * a number ({@code 0}: no limit) or {@code default} (the server's default quota). It is a line of
 * its own so that stores written before quotas read unchanged (their users have the server's
 * defaults), and so that HOME stays the user line's last field. A user with both limits at the
 * defaults gets no quota line.
 *
 * <p>{@code limits} gives a user limits of their own on what they hold at once, as
 * {@code KEY=N} pairs separated by ',': {@code sessions} (logged-in connections), {@code uploads}
 * (uploads receiving), {@code exec} (commands running), {@code download-rate} and
 * {@code upload-rate} (bytes per second, all the user's connections together); N is a number
 * ({@code 0}: no per-user limit) and a key left out keeps the server's default. A user with every limit at the default
 * gets no limits line.
 *
 * <p>Thread safety: stateless.
 */
public final class UserStoreFormat {
    public static final int VERSION = 1;
    static final String SCHEME = "scram-sha-256";
    private static final int USER_FIELDS = 8;
    static final String LIMIT_SESSIONS = "sessions";
    static final String LIMIT_UPLOADS = "uploads";
    static final String LIMIT_EXEC = "exec";
    static final String LIMIT_DOWNLOAD_RATE = "download-rate";
    static final String LIMIT_UPLOAD_RATE = "upload-rate";

    private UserStoreFormat() {}

    /** Renders a snapshot; the output parses back to the same users and secret. */
    public static String format(Users users) {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder sb = new StringBuilder(256 + users.size() * 200);
        sb.append("# Ferry user store. Manage it with `ferry user add|passwd|set|del|list`.\n");
        sb.append("# Keep it readable by its owner only (chmod 600): the server refuses it otherwise.\n");
        sb.append("# user NAME:scram-sha-256:ITERATIONS:SALT:STORED_KEY:SERVER_KEY:RIGHTS:HOME\n");
        sb.append("# quota NAME:BYTES:FILES   (optional; each limit a number, 0 for none, or default)\n");
        sb.append("# limits NAME:sessions=N,uploads=N,exec=N,download-rate=B,upload-rate=B   (optional; 0: none,"
                + " a key left out: default)\n");
        sb.append("version ").append(VERSION).append('\n');
        sb.append("secret ").append(b64.encodeToString(users.secret())).append('\n');
        for (UserRecord u : users.all()) {
            sb.append("user ").append(u.name()).append(':').append(SCHEME).append(':').append(u.iterations())
                    .append(':').append(b64.encodeToString(u.salt()))
                    .append(':').append(b64.encodeToString(u.storedKey()))
                    .append(':').append(b64.encodeToString(u.serverKey()))
                    .append(':').append(Right.toList(u.rights()))
                    .append(':').append(u.home()).append('\n');
            if (!u.quota().equals(UserQuota.DEFAULTS)) {
                sb.append("quota ").append(u.name()).append(':').append(quotaText(u.quota().maxBytes()))
                        .append(':').append(quotaText(u.quota().maxFiles())).append('\n');
            }
            if (!u.limits().equals(UserLimits.DEFAULTS)) {
                sb.append("limits ").append(u.name()).append(':').append(limitsText(u.limits())).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Parses a store.
     *
     * @param source names the file in error messages
     * @throws UserStoreException naming the line and the problem
     */
    public static Users parse(String text, String source) throws UserStoreException {
        Map<String, UserRecord> users = new LinkedHashMap<>();
        byte[] secret = null;
        boolean versionSeen = false;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (n + 1);
            int sp = trimmed.indexOf(' ');
            String keyword = sp < 0 ? trimmed : trimmed.substring(0, sp);
            String value = sp < 0 ? "" : trimmed.substring(sp + 1).strip();
            if (!versionSeen && !keyword.equals("version")) {
                throw new UserStoreException(where + ": the first directive must be \"version " + VERSION + "\"");
            }
            switch (keyword) {
                case "version":
                    if (versionSeen) {
                        throw new UserStoreException(where + ": \"version\" appears twice");
                    }
                    if (!value.equals(Integer.toString(VERSION))) {
                        throw new UserStoreException(where + ": unsupported user store version \"" + value
                                + "\" (this Ferry reads version " + VERSION + ")");
                    }
                    versionSeen = true;
                    break;
                case "secret":
                    if (secret != null) {
                        throw new UserStoreException(where + ": \"secret\" appears twice");
                    }
                    secret = decode(value, where, "secret");
                    if (secret.length < 16) {
                        throw new UserStoreException(where + ": secret must be at least 16 bytes");
                    }
                    break;
                case "user":
                    UserRecord u = parseUser(value, where);
                    if (users.put(u.name(), u) != null) {
                        throw new UserStoreException(where + ": user \"" + u.name() + "\" appears twice");
                    }
                    break;
                case "quota":
                    UserRecord q = parseQuota(value, where, users);
                    users.put(q.name(), q);
                    break;
                case "limits":
                    UserRecord l = parseLimits(value, where, users);
                    users.put(l.name(), l);
                    break;
                default:
                    throw new UserStoreException(where + ": unknown directive \"" + printable(keyword) + "\"");
            }
        }
        if (!versionSeen) {
            throw new UserStoreException(source + ": empty user store (no \"version " + VERSION + "\" line)");
        }
        if (secret == null) {
            secret = derivedSecret(users);
        }
        return new Users(secret, users);
    }

    private static UserRecord parseUser(String value, String where) throws UserStoreException {
        String[] f = value.split(":", USER_FIELDS);
        if (f.length != USER_FIELDS) {
            throw new UserStoreException(where + ": a user line has " + USER_FIELDS + " ':'-separated fields"
                    + " (NAME:scram-sha-256:ITERATIONS:SALT:STORED_KEY:SERVER_KEY:RIGHTS:HOME), found " + f.length);
        }
        String name = f[0];
        String problem = UserNames.problem(name);
        if (problem != null) {
            throw new UserStoreException(where + ": " + problem);
        }
        if (!f[1].equals(SCHEME)) {
            throw new UserStoreException(where + ": user " + name + " has unsupported scheme \"" + printable(f[1])
                    + "\" (expected " + SCHEME + ")");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(f[2]);
        } catch (NumberFormatException e) {
            throw new UserStoreException(where + ": user " + name + " has a bad iteration count \"" + printable(f[2]) + "\"");
        }
        try {
            return new UserRecord(name, iterations, decode(f[3], where, "salt"), decode(f[4], where, "stored key"),
                    decode(f[5], where, "server key"), Right.parseList(f[6]), f[7]);
        } catch (IllegalArgumentException e) {
            throw new UserStoreException(where + ": user " + name + ": " + e.getMessage());
        }
    }

    /** A {@code quota NAME:BYTES:FILES} line: the named user (already read) with that quota. */
    private static UserRecord parseQuota(String value, String where, Map<String, UserRecord> users)
            throws UserStoreException {
        String[] f = value.split(":", -1);
        if (f.length != 3) {
            throw new UserStoreException(where + ": a quota line is NAME:BYTES:FILES, each limit a number (0: none) or"
                    + " \"default\"; found " + f.length + " fields");
        }
        UserRecord u = users.get(f[0]);
        if (u == null) {
            throw new UserStoreException(where + ": quota for \"" + printable(f[0]) + "\", which no earlier user line"
                    + " names");
        }
        if (!u.quota().equals(UserQuota.DEFAULTS)) {
            throw new UserStoreException(where + ": user " + u.name() + " has two quota lines");
        }
        return u.withQuota(new UserQuota(quotaLimit(f[1], where, "BYTES"), quotaLimit(f[2], where, "FILES")));
    }

    /** A {@code limits NAME:KEY=N,...} line: the named user (already read) with those limits. */
    private static UserRecord parseLimits(String value, String where, Map<String, UserRecord> users)
            throws UserStoreException {
        int colon = value.indexOf(':');
        UserRecord u = colon < 0 ? null : users.get(value.substring(0, colon));
        if (u == null) {
            throw new UserStoreException(where + ": a limits line is NAME:KEY=N,... naming a user of an earlier user"
                    + " line; found \"" + printable(value) + "\"");
        }
        if (!u.limits().equals(UserLimits.DEFAULTS)) {
            throw new UserStoreException(where + ": user " + u.name() + " has two limits lines");
        }
        UserLimits limits = UserLimits.DEFAULTS;
        for (String pair : value.substring(colon + 1).split(",", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            long n = eq < 0 ? -1 : limitValue(pair.substring(eq + 1));
            if (n < 0) {
                throw new UserStoreException(where + ": limits of " + u.name() + ": \"" + printable(pair)
                        + "\" is not KEY=N with N a number >= 0 (0: no per-user limit)");
            }
            boolean count = !key.equals(LIMIT_DOWNLOAD_RATE) && !key.equals(LIMIT_UPLOAD_RATE);
            if ((count && n > Integer.MAX_VALUE) || n > ServerConfig.MAX_RATE) {
                throw new UserStoreException(where + ": limits of " + u.name() + ": " + printable(pair) + " is too large");
            }
            limits = switch (key) {
                case LIMIT_SESSIONS -> limits.withSessions((int) n);
                case LIMIT_UPLOADS -> limits.withUploads((int) n);
                case LIMIT_EXEC -> limits.withExec((int) n);
                case LIMIT_DOWNLOAD_RATE -> limits.withDownloadRate(n);
                case LIMIT_UPLOAD_RATE -> limits.withUploadRate(n);
                default -> throw new UserStoreException(where + ": limits of " + u.name() + ": unknown key \""
                        + printable(key) + "\" (keys are " + LIMIT_SESSIONS + ", " + LIMIT_UPLOADS + ", " + LIMIT_EXEC
                        + ", " + LIMIT_DOWNLOAD_RATE + ", " + LIMIT_UPLOAD_RATE + ")");
            };
        }
        return u.withLimits(limits);
    }

    /** A limit's number, or -1 when it is not a number of at most 15 digits. */
    private static long limitValue(String text) {
        if (text.isEmpty() || text.length() > 15 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    /** The {@code KEY=N,...} of a limits line: the limits that are not the server's default. */
    static String limitsText(UserLimits l) {
        StringBuilder sb = new StringBuilder();
        appendLimit(sb, LIMIT_SESSIONS, l.maxSessions());
        appendLimit(sb, LIMIT_UPLOADS, l.maxUploads());
        appendLimit(sb, LIMIT_EXEC, l.maxExec());
        appendLimit(sb, LIMIT_DOWNLOAD_RATE, l.downloadRate());
        appendLimit(sb, LIMIT_UPLOAD_RATE, l.uploadRate());
        return sb.toString();
    }

    private static void appendLimit(StringBuilder sb, String key, long value) {
        if (value != UserLimits.SERVER_DEFAULT) {
            sb.append(sb.length() == 0 ? "" : ",").append(key).append('=').append(value);
        }
    }

    private static long quotaLimit(String text, String where, String what) throws UserStoreException {
        if (text.equals("default")) {
            return UserQuota.SERVER_DEFAULT;
        }
        try {
            long v = Long.parseLong(text);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserStoreException(where + ": quota " + what + " must be a number >= 0 (0: none) or \"default\","
                + " not \"" + printable(text) + "\"");
    }

    private static String quotaText(long limit) {
        return limit == UserQuota.SERVER_DEFAULT ? "default" : Long.toString(limit);
    }

    private static byte[] decode(String b64, String where, String what) throws UserStoreException {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new UserStoreException(where + ": " + what + " is not valid base64");
        }
    }

    /** For hand-written files without a secret: stable while the users are, and secret because the keys are. */
    private static byte[] derivedSecret(Map<String, UserRecord> users) {
        StringBuilder sb = new StringBuilder("ferry derived store secret");
        Base64.Encoder b64 = Base64.getEncoder();
        users.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(u ->
                sb.append('\n').append(u.name()).append(b64.encodeToString(u.storedKey())).append(b64.encodeToString(u.serverKey())));
        return ScramMath.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }
}

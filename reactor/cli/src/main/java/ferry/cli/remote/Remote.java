package ferry.cli.remote;

import ferry.reactor.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a file or server is: a user (optional), a host, a port and a path on that server.
 *
 * <h2>Syntax</h2>
 * <pre>
 *   [user@]host[:port]:path          scp style:   alice@nas:7373:/video/a.mp4, nas:/a.mp4, :/a.mp4
 *   ferry://[user@]host[:port]/path  URL style:   ferry://alice@nas:7373/video/a.mp4 (%XX escapes)
 *   [user@]host[:port]               a server only (ping, info, shell): nas, nas:7373, alice@nas
 * </pre>
 * An IPv6 address goes in brackets: {@code [::1]:7373:/x}, {@code ferry://[::1]/x}; a bare
 * IPv6 address is accepted only where a server is expected ({@code ferry ping ::1}). An empty
 * host means {@value #DEFAULT_HOST}; a missing port means {@link ServerConfig#DEFAULT_PORT}. The
 * user is everything before the last {@code @} in front of the host (so {@code a@b.org@nas:/x}
 * is user {@code a@b.org}).
 *
 * <h2>Local or remote?</h2>
 * An argument is a <em>local</em> path when it starts with {@code /}, {@code ./} or {@code ../}
 * (or is {@code .} or {@code ..}), or when it has no {@code :} before its first {@code /}.
 * Everything else is a remote. So {@code notes:v2.txt} is remote (host {@code notes}), while
 * {@code ./notes:v2.txt} and {@code dir/notes:v2.txt} are local files; prefix {@code ./} to force
 * local.
 *
 * <h2>Port or path?</h2>
 * After the host's colon, digits followed by another colon are the port: {@code nas:7373:/x}.
 * Digits alone are the path for a file remote ({@code nas:2024} is the file {@code 2024}, as in
 * scp) but the port for a server ({@code ferry ping nas:2024}). A path starting with {@code /} is
 * never a port: {@code nas:/2024:report.txt} is the file {@code 2024:report.txt}.
 *
 * <h2>Paths</h2>
 * Paths are relative to the server's root (or the user's home folder there): {@code nas:/a/b}
 * and {@code nas:a/b} name the same file, and an empty path is the root itself.
 * {@link #serverPath()} gives the root-relative form sent to the server.
 *
 * <p>Immutable and thread-safe.
 *
 * @param user the user to log in as, or null for none given
 * @param host host name or IP address (IPv6 without brackets); never empty
 * @param port TCP port, 1 to 65535
 * @param path the path as written (may start with '/'), "" for the root; null when the text named
 *             only a server
 */
public record Remote(String user, String host, int port, String path) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String SCHEME = "ferry://";

    /** Parses a file remote such as {@code alice@nas:7373:/a.mp4}; throws IllegalArgumentException. */
    public static Remote parse(String text) {
        return parse(text, false);
    }

    /**
     * Parses a server address such as {@code nas}, {@code nas:7373}, {@code [::1]:7373} or
     * {@code ::1}; any file remote is accepted too (its path is kept). The empty string is the
     * default server.
     */
    public static Remote parseHost(String text) {
        if (text.isEmpty()) {
            return new Remote(null, DEFAULT_HOST, ServerConfig.DEFAULT_PORT, null);
        }
        return parse(text, true);
    }

    /** Whether {@code arg} names a remote rather than a local path (see the class comment). */
    public static boolean isRemote(String arg) {
        if (arg.startsWith(SCHEME)) {
            return true;
        }
        if (arg.isEmpty() || arg.equals(".") || arg.equals("..")
                || arg.startsWith("/") || arg.startsWith("./") || arg.startsWith("../")) {
            return false;
        }
        int colon = arg.indexOf(':');
        int slash = arg.indexOf('/');
        return colon >= 0 && (slash < 0 || colon < slash);
    }

    /** {@code host:port}, with brackets around an IPv6 address: what to print and connect to. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The path relative to the server's root: leading slashes removed; "" for the root or none. */
    public String serverPath() {
        if (path == null) {
            return "";
        }
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }

    public Remote withPath(String p) {
        return new Remote(user, host, port, p);
    }

    /** The canonical scp-style text, which {@link #parse}/{@link #parseHost} read back to this. */
    @Override
    public String toString() {
        String s = (user == null ? "" : user + "@") + hostPort();
        return path == null ? s : s + ":" + path;
    }

    // ---- parsing -------------------------------------------------------------------------------

    private static Remote parse(String text, boolean hostOnly) {
        if (text.startsWith(SCHEME)) {
            return parseUrl(text);
        }
        if (!hostOnly && !isRemote(text)) {
            throw new IllegalArgumentException("'" + text + "' is a local path, not a remote "
                    + "(a remote is [user@]host[:port]:/path)");
        }
        if (hostOnly && !text.contains("[") && !text.contains("@") && isIpv6Literal(text)) {
            return new Remote(null, text, ServerConfig.DEFAULT_PORT, null);
        }
        int at = userEnd(text);
        String user = null;
        if (at >= 0) {
            user = text.substring(0, at);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty user name before '@'");
            }
        }
        String rest = text.substring(at + 1);
        HostAndTail ht = rest.startsWith("[") ? bracketedHost(rest, text) : plainHost(rest, text);
        String host = ht.host().isEmpty() ? DEFAULT_HOST : ht.host();
        return withTail(user, host, ht.tail(), hostOnly, text);
    }

    /** The index of the '@' that ends the user: the last one before the host's ':' or '['; -1 when none. */
    private static int userEnd(String text) {
        int limit = text.length();
        int colon = text.indexOf(':');
        int bracket = text.indexOf('[');
        if (colon >= 0) {
            limit = colon;
        }
        if (bracket >= 0 && bracket < limit) {
            limit = bracket;
        }
        return text.lastIndexOf('@', limit - 1);
    }

    /**
     * The host (possibly empty: the default host) and what follows its ':' (null when there is no ':').
     */
    private record HostAndTail(String host, String tail) {}

    /** {@code [v6-address]} and what follows its ':'; {@code text} is the whole remote, for messages. */
    private static HostAndTail bracketedHost(String rest, String text) {
        int close = rest.indexOf(']');
        if (close < 0) {
            throw new IllegalArgumentException("'" + text + "' has '[' without ']'");
        }
        String host = rest.substring(1, close);
        if (!isIpv6Literal(host)) {
            throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
        }
        String after = rest.substring(close + 1);
        if (after.isEmpty()) {
            return new HostAndTail(host, null);
        } else if (after.charAt(0) == ':') {
            return new HostAndTail(host, after.substring(1));
        } else {
            throw new IllegalArgumentException("'" + text + "' needs ':' after ']'");
        }
    }

    /** A host name or IPv4 address up to the first ':', and what follows it. */
    private static HostAndTail plainHost(String rest, String text) {
        int c = rest.indexOf(':');
        String host = c < 0 ? rest : rest.substring(0, c);
        String tail = c < 0 ? null : rest.substring(c + 1);
        if (!host.isEmpty()) {
            checkHostName(host, text);
        }
        return new HostAndTail(host, tail);
    }

    /**
     * The remote with the port and path read from {@code tail}: {@code port:path}, {@code path},
     * or for a host only {@code port}.
     */
    private static Remote withTail(String user, String host, String tail, boolean hostOnly, String text) {
        int port = ServerConfig.DEFAULT_PORT;
        String path = null;
        if (tail != null) {
            int digits = 0;
            while (digits < tail.length() && Character.isDigit(tail.charAt(digits))) {
                digits++;
            }
            if (digits > 0 && digits < tail.length() && tail.charAt(digits) == ':') {
                port = parsePort(tail.substring(0, digits), text);
                path = tail.substring(digits + 1);
            } else if (hostOnly && digits > 0 && digits == tail.length()) {
                port = parsePort(tail, text);
            } else {
                path = tail;
            }
        }
        if (path == null && !hostOnly) {
            throw new IllegalArgumentException("'" + text + "' has no path (write host:/path)");
        }
        return new Remote(user, host, port, path);
    }

    private static Remote parseUrl(String text) {
        String rest = text.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : decode(rest.substring(slash), text);
        int at = authority.lastIndexOf('@');
        String user = null;
        if (at >= 0) {
            user = decode(authority.substring(0, at), text);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty user name before '@'");
            }
        }
        String hp = authority.substring(at + 1);
        String host;
        String portText = null;
        if (hp.startsWith("[")) {
            int close = hp.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has '[' without ']'");
            }
            host = hp.substring(1, close);
            if (!isIpv6Literal(host)) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
            String after = hp.substring(close + 1);
            if (after.startsWith(":")) {
                portText = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' needs ':' after ']'");
            }
        } else {
            int c = hp.indexOf(':');
            host = c < 0 ? hp : hp.substring(0, c);
            portText = c < 0 ? null : hp.substring(c + 1);
            if (!host.isEmpty()) {
                checkHostName(host, text);
            }
        }
        if (host.isEmpty()) {
            host = DEFAULT_HOST;
        }
        int port = portText == null || portText.isEmpty() ? ServerConfig.DEFAULT_PORT : parsePort(portText, text);
        return new Remote(user, host, port, path);
    }

    private static int parsePort(String digits, String text) {
        int p;
        try {
            p = digits.length() > 5 ? -1 : Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + text + "' has an invalid port '" + digits + "' (1 to 65535)");
        }
        return p;
    }

    /** Host names: letters, digits, '-', '.', '_' (as resolvers accept); IPv4 fits too. */
    private static void checkHostName(String host, String text) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                throw new IllegalArgumentException("'" + text + "' has an invalid host name '" + host + "'");
            }
        }
    }

    /** Whether {@code s} is an IPv6 address in text form (with optional {@code %zone}). */
    public static boolean isIpv6Literal(String s) {
        int pct = s.indexOf('%');
        String addr = pct < 0 ? s : s.substring(0, pct);
        if (pct >= 0 && pct == s.length() - 1) {
            return false;
        }
        if (addr.indexOf(':') < 0) {
            return false;
        }
        int dbl = addr.indexOf("::");
        if (dbl < 0) {
            return groups(addr) == 8;
        }
        if (addr.indexOf("::", dbl + 1) >= 0) {
            return false;
        }
        String left = addr.substring(0, dbl);
        String right = addr.substring(dbl + 2);
        int l = left.isEmpty() ? 0 : groups(left);
        int r = right.isEmpty() ? 0 : groups(right);
        return l >= 0 && r >= 0 && l + r <= 7 && (left.isEmpty() || left.indexOf('.') < 0);
    }

    /**
     * How many 16-bit groups a run of {@code h:h:h} (optionally ending in an IPv4 address, which
     * counts two) holds, or -1 if it is malformed.
     */
    private static int groups(String run) {
        String[] parts = run.split(":", -1);
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && p.indexOf('.') >= 0) {
                if (!isIpv4(p)) {
                    return -1;
                }
                n += 2;
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return -1;
            }
            for (int k = 0; k < p.length(); k++) {
                if (Character.digit(p.charAt(k), 16) < 0) {
                    return -1;
                }
            }
            n++;
        }
        return n;
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Decodes %XX escapes (bytes of UTF-8) in a URL part. */
    private static String decode(String s, String text) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            int pct = s.indexOf('%', i);
            int end = pct < 0 ? s.length() : pct;
            out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (pct < 0) {
                break;
            }
            if (pct + 2 >= s.length() || Character.digit(s.charAt(pct + 1), 16) < 0
                    || Character.digit(s.charAt(pct + 2), 16) < 0) {
                throw new IllegalArgumentException("'" + text + "' has a bad %-escape (use %XX with two hex digits)");
            }
            out.write(Character.digit(s.charAt(pct + 1), 16) * 16 + Character.digit(s.charAt(pct + 2), 16));
            i = pct + 3;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

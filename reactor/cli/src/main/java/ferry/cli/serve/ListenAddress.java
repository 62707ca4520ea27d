package ferry.cli.serve;

import ferry.cli.args.ValueType;
import ferry.cli.remote.Remote;
import ferry.reactor.ServerConfig;

/**
 * Where {@code ferry serve} listens: {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code :PORT} or
 * {@code PORT} (loopback), {@code HOST} (default port), {@code *:PORT} (every interface, same as
 * {@code 0.0.0.0}). Port 0 lets the system pick a free port; the server prints the one it got.
 *
 * @param host bind address, IPv6 without brackets
 * @param port 0 to 65535
 */
public record ListenAddress(String host, int port) {
    /** How an optional address that is off is written. */
    static final String NONE = "none";
    static final ListenAddress DEFAULT = new ListenAddress(ServerConfig.DEFAULT_BIND_ADDRESS, ServerConfig.DEFAULT_PORT);

    public static ListenAddress parse(String text) {
        return parse(text, ServerConfig.DEFAULT_PORT);
    }

    /** As {@link #parse(String)}, with {@code defaultPort} where the text names only a host. */
    public static ListenAddress parse(String text, int defaultPort) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty address (write HOST:PORT, e.g. 127.0.0.1:7373)");
        }
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has '[' without ']'");
            }
            host = t.substring(1, close);
            if (!Remote.isIpv6Literal(host)) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
            String after = t.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("'" + text + "' needs ':' after ']'");
            }
            port = after.isEmpty() ? null : after.substring(1);
        } else if (t.chars().allMatch(Character::isDigit)) {
            host = "";
            port = t;
        } else if (Remote.isIpv6Literal(t)) {
            host = t;
            port = null;
        } else {
            int c = t.lastIndexOf(':');
            host = c < 0 ? t : t.substring(0, c);
            port = c < 0 ? null : t.substring(c + 1);
            for (char ch : host.toCharArray()) {
                if (!(Character.isLetterOrDigit(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '*')) {
                    throw new IllegalArgumentException("'" + text + "' has an invalid host '" + host + "'");
                }
            }
        }
        if (host.isEmpty()) {
            host = ServerConfig.DEFAULT_BIND_ADDRESS;
        } else if (host.equals("*")) {
            host = "0.0.0.0";
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = port.length() > 5 ? -1 : Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("'" + text + "' has an invalid port '" + port + "' (0 to 65535; 0 picks a free one)");
            }
        }
        return new ListenAddress(host, p);
    }

    static ValueType<ListenAddress> type() {
        return new ValueType<>() {
            @Override
            public ListenAddress parse(String text) {
                return ListenAddress.parse(text);
            }

            @Override
            public String format(ListenAddress value) {
                return value.toString();
            }
        };
    }

    /**
     * An address as {@link #parse(String, int)} reads it, or {@code none} (and empty text, as a
     * printed config writes an unset one) for null: an optional listener that is off.
     */
    static ValueType<ListenAddress> typeOrNone(int defaultPort) {
        return new ValueType<>() {
            @Override
            public ListenAddress parse(String text) {
                String t = text.trim();
                return t.isEmpty() || t.equalsIgnoreCase(NONE) ? null : ListenAddress.parse(t, defaultPort);
            }

            @Override
            public String format(ListenAddress value) {
                return value == null ? NONE : value.toString();
            }
        };
    }

    /** {@code host:port} with brackets around IPv6. */
    static String format(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return format(host, port);
    }
}

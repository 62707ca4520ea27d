package ferry.services.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import ferry.protocol.Json;
import ferry.reactor.ConnectionAdmin;
import ferry.reactor.ConnectionInfo;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's live view over HTTP, for {@code ferry serve --admin-listen}:
 *
 * <pre>
 * GET  /connections              one JSON object per line per live connection
 * POST /connections/ID/close     closes connection ID:            {"closed":1}, 404 when none
 * POST /users/NAME/close         closes every connection of NAME: {"closed":N}
 * </pre>
 *
 * <p>It has no password, so it is loopback-only, checked three ways: it binds only a loopback
 * address (anything else is refused at construction), it answers only peers on loopback, and only
 * requests whose {@code Host} is a loopback name (a web page that rebinds its DNS name to
 * 127.0.0.1 sends its own name). A POST must also carry {@value #CONFIRM_HEADER}: a browser sends a
 * cross-site form POST without it, and does not send it cross-site without a CORS preflight that
 * this endpoint never approves. Anyone with a shell on the machine can use it, as they can signal
 * the server; do not enable it on a host shared with untrusted users.
 *
 * <p>Threading: requests run one at a time on this endpoint's own thread ({@code ferry-admin});
 * {@link ConnectionAdmin} reads and closes connections by posting to their loops. Construct (binds),
 * {@link #start}, then {@link #close} once, from any thread.
 */
public final class AdminEndpoint implements AutoCloseable {
    /** The header every POST must carry (any value). */
    public static final String CONFIRM_HEADER = "X-Ferry-Admin";
    public static final String CONNECTIONS = "/connections";
    public static final String JSON_LINES = "application/x-ndjson; charset=utf-8";
    private static final String JSON = "application/json; charset=utf-8";
    private static final Pattern CLOSE_ONE = Pattern.compile("/connections/([0-9]{1,18})/close");
    private static final Pattern CLOSE_USER = Pattern.compile("/users/([^/]{1,256})/close");
    private static final int BACKLOG = 8;
    private static final int STOP_GRACE_SECONDS = 0;
    private static final int OK = 200;
    private static final int FORBIDDEN = 403;
    private static final int NOT_FOUND = 404;
    private static final int METHOD_NOT_ALLOWED = 405;
    private static final int NO_BODY = -1;

    private final HttpServer http;
    private final ExecutorService thread;
    private final ConnectionAdmin admin;
    private final ServerLog log;

    /**
     * Binds {@code address}, which must be a loopback address (port 0: any free port).
     *
     * @throws IllegalArgumentException the address is not loopback
     */
    public AdminEndpoint(InetSocketAddress address, ConnectionAdmin admin, ServerLog log) throws IOException {
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the admin endpoint has no password: it listens on loopback only"
                    + " (127.0.0.1 or ::1), not " + address.getHostString());
        }
        this.admin = admin;
        this.log = log;
        this.http = HttpServer.create(address, BACKLOG);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-admin");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", this::handle);
    }

    public void start() {
        http.start();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRemoteAddress().getAddress().isLoopbackAddress() || !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, FORBIDDEN, "{\"error\":\"loopback only\"}\n");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if (path.equals(CONNECTIONS)) {
                if (!method.equals("GET")) {
                    ex.getResponseHeaders().set("Allow", "GET");
                    send(ex, METHOD_NOT_ALLOWED, null);
                    return;
                }
                send(ex, OK, connectionLines(), JSON_LINES);
                return;
            }
            Matcher one = CLOSE_ONE.matcher(path);
            Matcher user = CLOSE_USER.matcher(path);
            if (!one.matches() && !user.matches()) {
                send(ex, NOT_FOUND, "{\"error\":\"no such path; see docs/DEPLOYING.md, Admin view\"}\n");
                return;
            }
            if (!method.equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                send(ex, METHOD_NOT_ALLOWED, null);
                return;
            }
            if (ex.getRequestHeaders().getFirst(CONFIRM_HEADER) == null) {
                send(ex, FORBIDDEN, "{\"error\":\"a POST needs the header " + CONFIRM_HEADER + "\"}\n");
                return;
            }
            if (one.matches()) {
                long id = Long.parseLong(one.group(1));
                boolean closed = admin.close(id);
                log.info("admin: close connection c" + id + (closed ? "" : ": no such connection"));
                send(ex, closed ? OK : NOT_FOUND, "{\"closed\":" + (closed ? 1 : 0) + "}\n");
            } else {
                String name = URLDecoder.decode(user.group(1), StandardCharsets.UTF_8);
                int n = admin.closeUser(name);
                log.info("admin: close the connections of user " + Json.write(name) + ": " + n + " closed");
                send(ex, OK, "{\"closed\":" + n + "}\n");
            }
        }
    }

    /** The live connections, one JSON object a line. */
    String connectionLines() {
        StringBuilder sb = new StringBuilder();
        for (ConnectionInfo c : admin.list()) {
            Map<String, Object> m = AdminService.row(c);
            sb.append(Json.write(m)).append('\n');
        }
        return sb.toString();
    }

    /** Whether a Host header names loopback: 127.x.y.z, [::1] or localhost, with or without a port. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return h.equals("[::1]") || h.startsWith("[::1]:");
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.equals("localhost")) {
            return true;
        }
        if (!h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
        } catch (IOException e) {
            return false;
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        send(ex, status, body, JSON);
    }

    private static void send(HttpExchange ex, int status, String body, String type) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, NO_BODY);
            return;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        // 0 is "chunked" to the JDK's server: an empty list is sent as an empty chunked body.
        ex.sendResponseHeaders(status, b.length == 0 ? 0 : b.length);
        if (b.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    /** Stops listening and ends the thread. */
    @Override
    public void close() {
        http.stop(STOP_GRACE_SECONDS);
        thread.shutdownNow();
    }
}

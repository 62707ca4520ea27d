package ferry.services.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} in Prometheus' text format, over the JDK's HTTP server, for
 * {@code ferry serve --metrics-listen}. It has no authentication: keep it on loopback, or behind a
 * firewall that only lets the Prometheus server in (the caller warns when it is not on loopback).
 * It shows counts, op names, error codes and JVM figures; never a user, an address or a path.
 *
 * <p>Only {@code /metrics} is served (404 otherwise, 405 for methods other than GET and HEAD).
 * Scrapes run one at a time on this endpoint's own thread ({@code ferry-metrics}), never on an event
 * loop: a scrape reads counters the loops publish and does not make a loop wait.
 *
 * <p>Threading contract: construct (binds), {@link #start}, then {@link #close} once, from any thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The one path served. */
    public static final String PATH = "/metrics";
    /** Connections the kernel queues for the endpoint: scrapers are few. */
    private static final int BACKLOG = 16;
    /** On close, no wait for a scrape in progress: losing one scrape is harmless, a slow stop is not. */
    private static final int STOP_GRACE_SECONDS = 0;
    private static final int OK = 200;
    private static final int NOT_FOUND = 404;
    private static final int METHOD_NOT_ALLOWED = 405;
    /** sendResponseHeaders' value for "no body" (HEAD). */
    private static final int NO_BODY = -1;

    private final HttpServer http;
    private final ExecutorService thread;
    private final List<MetricsSource> sources;
    private final ServerLog log;

    /** Binds {@code address} (port 0: any free port, see {@link #address()}); serves nothing until {@link #start}. */
    public MetricsEndpoint(InetSocketAddress address, List<MetricsSource> sources, ServerLog log) throws IOException {
        this.sources = List.copyOf(sources);
        this.log = log;
        this.http = HttpServer.create(address, BACKLOG);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", this::handle); // "/" too: a context matches by prefix, /metricsX must be a 404
    }

    public void start() {
        http.start();
    }

    /** The bound address (with the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** One scrape's text (for the handler and for tests that read it without HTTP). */
    public String scrape() {
        PrometheusText out = new PrometheusText();
        for (MetricsSource s : sources) {
            s.writeTo(out);
        }
        return out.text();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals(PATH)) {
                ex.sendResponseHeaders(NOT_FOUND, NO_BODY);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(METHOD_NOT_ALLOWED, NO_BODY);
                return;
            }
            byte[] body;
            try {
                body = scrape().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) { // a bug in a source: say so in the log, not only to the scraper
                log.warn("metrics scrape failed: " + e, e);
                throw e;
            }
            ex.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(OK, NO_BODY);
                return;
            }
            ex.sendResponseHeaders(OK, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /** Stops listening, cuts a scrape in progress, and ends the thread. */
    @Override
    public void close() {
        http.stop(STOP_GRACE_SECONDS);
        thread.shutdownNow();
    }
}

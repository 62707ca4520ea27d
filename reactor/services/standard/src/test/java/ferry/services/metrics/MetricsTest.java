package ferry.services.metrics;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.reactor.Version;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, metrics: a real server with the file service and the endpoint on loopback; requests
 * over the protocol, then scrapes over HTTP with the JDK's client, parsed strictly
 * ({@link Exposition}): a malformed exposition fails here before Prometheus drops it.
 */
class MetricsTest {
    /** Long enough for a loaded 2-core machine; only a real failure waits this long. */
    private static final long WAIT_LIMIT_SECONDS = 20;
    private static final int WORKERS = 3;

    @TempDir
    Path tmp;

    private FerryServer server;
    private MetricsEndpoint endpoint;
    private final ConcurrentLinkedQueue<String> scrapeThreads = new ConcurrentLinkedQueue<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).workerThreads(WORKERS).build(), ServerLog.NONE);
        FileService files = new FileService(FileServiceConfig.builder(tmp).tempSweepIntervalMillis(0).build());
        server.install(files);
        RequestMetrics requests = new RequestMetrics(server.ops());
        server.addRequestObserver(requests);
        MetricsSource whoScrapes = out -> scrapeThreads.add(Thread.currentThread().getName());
        endpoint = new MetricsEndpoint(new InetSocketAddress("127.0.0.1", 0),
                List.of(new ServerMetrics(server, files), requests, new JvmMetrics(), whoScrapes), ServerLog.NONE);
        server.start();
        endpoint.start();
    }

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (server != null) {
            server.stop(0, TimeUnit.MILLISECONDS);
        }
    }

    private HttpResponse<String> get(String path, String method) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Exposition scrape() throws Exception {
        HttpResponse<String> r = get(MetricsEndpoint.PATH, "GET");
        assertEquals(200, r.statusCode());
        assertEquals(PrometheusText.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(null));
        return Exposition.parse(r.body());
    }

    /**
     * Scrapes until {@code done} holds. Observers run once an answer is queued, which may be just
     * after the client read it: polling the effect, not timing it.
     */
    private Exposition scrapeUntil(Predicate<Exposition> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_LIMIT_SECONDS);
        while (true) {
            Exposition e = scrape();
            if (done.test(e)) {
                return e;
            }
            if (System.nanoTime() > deadline) {
                fail(what + " not seen within " + WAIT_LIMIT_SECONDS + " s");
            }
            Thread.sleep(2); // polling for the loop's observer, not a timing assumption
        }
    }

    private static double v(Exposition e, String name, String... labels) {
        Double d = e.value(name, labels);
        assertNotNull(d, Exposition.key(name, labels) + " missing");
        return d;
    }

    @Test
    void aScrapeAfterRequestsCountsThemByOpAndCode() throws Exception {
        start();
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            for (int i = 0; i < 3; i++) {
                c.ping();
            }
            RemoteException missing = assertThrows(RemoteException.class,
                    () -> c.call(Header.op("STAT").put("path", "no/such/file")));
            assertEquals("not_found", missing.code());
            RemoteException unknown = assertThrows(RemoteException.class, () -> c.call(Header.op("FROBNICATE")));
            assertEquals("unknown_op", unknown.code());

            Exposition e = scrapeUntil(x -> x.value("ferry_requests_total", "op", "other", "outcome", "error") != null
                    && x.value("ferry_requests_total", "op", "other", "outcome", "error") == 1, "the unknown op");
            assertEquals(3, v(e, "ferry_requests_total", "op", "PING", "outcome", "ok"));
            assertEquals(0, v(e, "ferry_requests_total", "op", "PING", "outcome", "error"));
            assertEquals(1, v(e, "ferry_requests_total", "op", "STAT", "outcome", "error"));
            assertEquals(1, v(e, "ferry_request_errors_total", "op", "STAT", "code", "not_found"));
            assertEquals(1, v(e, "ferry_request_errors_total", "op", "other", "code", "unknown_op"));
            assertEquals(3, v(e, "ferry_request_duration_seconds_count", "op", "PING"));
            assertEquals(3, v(e, "ferry_request_duration_seconds_bucket", "op", "PING", "le", "+Inf"));
            assertEquals("histogram", e.family("ferry_request_duration_seconds").type());
            assertFalse(get(MetricsEndpoint.PATH, "GET").body().contains("FROBNICATE"),
                    "a client's op name never becomes a label");
            for (String op : server.ops()) {
                assertNotNull(e.value("ferry_requests_total", "op", op, "outcome", "cancelled"), op + " has its series");
            }

            assertEquals(1, v(e, "ferry_connections_open"));
            assertEquals(1, v(e, "ferry_connections_accepted_total"));
            assertTrue(v(e, "ferry_received_bytes_total") > 0);
            assertTrue(v(e, "ferry_sent_bytes_total") > 0);
            assertTrue(v(e, "ferry_loop_iterations_total") > 0);
            assertEquals(WORKERS, v(e, "ferry_worker_threads", "lane", "metadata"));
            assertEquals(0, v(e, "ferry_worker_queued", "lane", "bulk"));
            assertEquals(0, v(e, "ferry_open_download_files"));
            assertEquals(0, v(e, "ferry_uploads_in_progress"));
            assertEquals(0, v(e, "ferry_logins_total", "result", "success"));
            assertEquals("counter", e.family("ferry_jvm_gc_collections_total").type());
            assertTrue(v(e, "ferry_jvm_heap_bytes", "area", "used") > 0);
            assertEquals(1, v(e, "ferry_build_info", "version", Version.VERSION));
        }
        Exposition after = scrapeUntil(x -> x.value("ferry_connections_closed_total") == 1, "the close");
        assertEquals(0, v(after, "ferry_connections_open"));
        assertTrue(scrapeThreads.stream().allMatch("ferry-metrics"::equals),
                "scrapes run on the endpoint's thread, never a loop: " + scrapeThreads);
    }

    @Test
    void onlyGetAndHeadOfMetricsAreServed() throws Exception {
        start();
        assertEquals(404, get("/", "GET").statusCode());
        assertEquals(404, get("/metricsX", "GET").statusCode(), "a context matches by prefix; this one must not");
        HttpResponse<String> post = get(MetricsEndpoint.PATH, "POST");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        HttpResponse<String> head = get(MetricsEndpoint.PATH, "HEAD");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(PrometheusText.CONTENT_TYPE, head.headers().firstValue("Content-Type").orElse(null));
    }
}

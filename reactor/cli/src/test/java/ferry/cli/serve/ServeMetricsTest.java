package ferry.cli.serve;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import ferry.services.metrics.MetricsEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-listen's wiring: the services' ops are the labels, the log names the URL, stop closes the port. */
public class ServeMetricsTest {
    @TempDir
    Path tmp;

    /** A log that keeps its lines. */
    private static final class Lines extends ServerLog {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Lines() {
            super(null, Level.INFO);
        }

        @Override
        protected void emit(Level level, String message, Throwable error) {
            lines.add(level + " " + message);
        }
    }

    @Test
    void installedAfterTheServicesAndClosedWithTheServer() throws Exception {
        Lines log = new Lines();
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), log);
        FileService files = new FileService(FileServiceConfig.builder(tmp).tempSweepIntervalMillis(0).build());
        server.install(files);
        MetricsEndpoint endpoint = ServeMetrics.install(server, files, new ListenAddress("127.0.0.1", 0), log);
        int port = endpoint.address().getPort();
        try {
            server.start();
            endpoint.start();
            String text = endpoint.scrape();
            assertTrue(text.contains("ferry_requests_total{op=\"GET\",outcome=\"ok\"} 0"), "the file service's ops");
            assertTrue(text.contains("ferry_uploads_in_progress 0"), "the file service's gauges");
            assertTrue(log.lines.contains("INFO metrics: http://127.0.0.1:" + port + "/metrics"), log.lines.toString());
            assertTrue(log.lines.stream().noneMatch(l -> l.startsWith("WARN")), "loopback: nothing to warn about");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertTrue(s.isConnected());
            }
        } finally {
            server.stop(0, TimeUnit.MILLISECONDS);
        }
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "the server's stop closed the endpoint");
    }

    @Test
    void anAddressOffLoopbackIsWarnedAbout() throws Exception {
        String url = "http://0.0.0.0:9373/metrics";
        assertNull(ServeMetrics.exposureWarning(InetAddress.getByName("127.0.0.1"), url));
        assertNull(ServeMetrics.exposureWarning(InetAddress.getByName("::1"), url));
        String w = ServeMetrics.exposureWarning(InetAddress.getByName("0.0.0.0"), url);
        assertNotNull(w);
        assertTrue(w.contains("no authentication") && w.contains(url), w);
        assertNotNull(ServeMetrics.exposureWarning(InetAddress.getByName("192.0.2.7"), url));
    }
}

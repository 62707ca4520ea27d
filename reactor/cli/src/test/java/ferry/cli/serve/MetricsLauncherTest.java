package ferry.cli.serve;

import ferry.cli.Launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry serve --metrics-listen} in a real process: the URL in the log, a scrape after pings, a busy port. */
public class MetricsLauncherTest {
    private static final Pattern METRICS_URL = Pattern.compile("INFO  metrics: (http://127\\.0\\.0\\.1:(\\d+)/metrics)");
    /** Long enough for a loaded 2-core machine; only a real failure waits this long. */
    private static final long WAIT_LIMIT_SECONDS = 20;

    @TempDir
    Path dir;

    /** The metrics URL from the server's log, which its writer thread may still be writing. */
    private static Matcher metricsLine(Launcher.Server server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_LIMIT_SECONDS);
        while (true) {
            Matcher m = METRICS_URL.matcher(server.log());
            if (m.find()) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                fail("no metrics line in the log: " + server.log());
            }
            Thread.sleep(2); // polling the log writer, not a timing assumption
        }
    }

    @Test
    void servesMetricsOnLoopbackAndABusyPortIsAOneLineFailure() throws Exception {
        try (Launcher.Server server = Launcher.Server.start(dir, "--root", "files", "--metrics-listen", "127.0.0.1:0")) {
            Matcher m = metricsLine(server);
            assertFalse(server.log().contains("WARN"), "loopback: no warning; " + server.log());
            Launcher.Result ping = Launcher.run(dir, "ping", "-c", "2", "-i", "0", server.host());
            assertEquals(0, ping.status(), ping.err());

            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create(m.group(1))).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_LIMIT_SECONDS);
            String body;
            // the ping's connection may be counted a moment after the client saw its answers
            while (!(body = http.send(get, HttpResponse.BodyHandlers.ofString()).body())
                    .contains("ferry_requests_total{op=\"PING\",outcome=\"ok\"} 2\n")) {
                assertTrue(System.nanoTime() < deadline, body);
                Thread.sleep(2);
            }
            assertTrue(body.contains("ferry_requests_total{op=\"GET\",outcome=\"ok\"} 0\n"), "every service's ops");

            Launcher.Result second = Launcher.run(dir, "serve", "--root", "b", "--create-root", "--listen", "127.0.0.1:0",
                    "--metrics-listen", "127.0.0.1:" + m.group(2));
            assertEquals(1, second.status(), second.err());
            List<String> notLog = second.errLines().stream().filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z .*")).toList();
            assertEquals(1, notLog.size(), second.err());
            assertTrue(notLog.get(0).startsWith("ferry serve: --metrics-listen 127.0.0.1:" + m.group(2) + ": "),
                    second.err());
            assertEquals(0, server.terminate(), "stops cleanly with the endpoint open");
        }
    }
}

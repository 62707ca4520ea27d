package ferry.cli.serve;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerLog;
import ferry.services.file.FileService;
import ferry.services.metrics.JvmMetrics;
import ferry.services.metrics.MetricsEndpoint;
import ferry.services.metrics.RequestMetrics;
import ferry.services.metrics.ServerMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * {@code --metrics-listen}: counts requests with a {@link RequestMetrics} observer and binds the
 * {@link MetricsEndpoint}, warning when that is not loopback (the endpoint has no authentication).
 *
 * <p>Thread safety: called once on the main thread, after every service is installed (the ops they
 * registered are the request metrics' labels) and before {@link FerryServer#start()} (observers
 * must be added before it); the caller starts the endpoint once the server runs.
 */
public final class ServeMetrics {
    private ServeMetrics() {}

    /**
     * @param files the file service, for its open downloads and uploads (null: none)
     * @return the bound endpoint, not yet serving; closed when the server stops
     * @throws IOException the address cannot be bound (in use, not local)
     */
    static MetricsEndpoint install(FerryServer server, FileService files, ListenAddress at, ServerLog log)
            throws IOException {
        RequestMetrics requests = new RequestMetrics(server.ops());
        InetSocketAddress address = new InetSocketAddress(at.host(), at.port());
        if (address.isUnresolved()) {
            throw new IOException("--metrics-listen " + at + ": unknown host " + at.host());
        }
        MetricsEndpoint endpoint;
        try {
            endpoint = new MetricsEndpoint(address,
                    List.of(new ServerMetrics(server, files), requests, new JvmMetrics()), log);
        } catch (IOException e) {
            throw new IOException("--metrics-listen " + at + ": " + e.getMessage(), e);
        }
        server.addRequestObserver(requests);
        server.onStop(endpoint::close);
        String url = "http://" + ListenAddress.format(at.host(), endpoint.address().getPort()) + MetricsEndpoint.PATH;
        String warning = exposureWarning(address.getAddress(), url);
        if (warning != null) {
            log.warn(warning);
        }
        log.info("metrics: " + url);
        return endpoint;
    }

    /** What to warn about an endpoint at {@code address}: null on loopback, the only place it is private. */
    static String exposureWarning(InetAddress address, String url) {
        if (address.isLoopbackAddress()) {
            return null;
        }
        return "metrics at " + url + " have no authentication: anyone who can reach that address can read them "
                + "(counts, op names, error codes; no users, addresses or paths); let only Prometheus reach it";
    }
}

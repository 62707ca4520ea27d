package ferry.services.metrics;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerStats;
import ferry.reactor.Version;
import ferry.reactor.WorkerLane;
import ferry.reactor.Workers;
import ferry.services.file.FileService;
import java.util.Locale;

/**
 * The server's own state in a scrape: connections, bytes, timeouts and errors from
 * {@link ServerStats}, the worker lanes' queues and busy threads, loop passes, and the file
 * service's open downloads and uploads in progress.
 *
 * <p>Threading contract: {@link #writeTo} on the scraping thread; it reads LongAdders, atomics,
 * volatile counters and the worker pools' own thread-safe getters, never a loop's private state.
 * (So the bytes buffered for slow peers, which only each loop can sum, are not here.)
 */
public final class ServerMetrics implements MetricsSource {
    private final FerryServer server;
    private final FileService files;

    /**
     * @param server a started server (its loops exist)
     * @param files its file service, or null when it has none
     */
    public ServerMetrics(FerryServer server, FileService files) {
        this.server = server;
        this.files = files;
    }

    @Override
    public void writeTo(PrometheusText out) {
        ServerStats s = server.stats();
        out.family("ferry_build_info", "gauge", "Always 1; the version is the label.")
                .sample("ferry_build_info", 1, "version", Version.VERSION);
        gauge(out, "ferry_connections_open", "Connections open now.", s.connectionsOpen.get());
        gauge(out, "ferry_buffered_output_bytes", "Answers buffered in memory, all connections together.",
                s.bufferedOutputBytes.get());
        counter(out, "ferry_connections_accepted_total", "Connections accepted.", s.connectionsAccepted.sum());
        counter(out, "ferry_connections_refused_total",
                "Connections refused (server_full, per-address cap, untrusted proxy, shutting down).",
                s.connectionsRefused.sum());
        counter(out, "ferry_connections_closed_total", "Connections closed, for any reason.", s.connectionsClosed.sum());
        counter(out, "ferry_received_bytes_total", "Bytes read from clients' sockets.", s.bytesRead.sum());
        counter(out, "ferry_sent_bytes_total", "Bytes written to clients' sockets, file bodies included.",
                s.bytesWritten.sum());
        counter(out, "ferry_timeouts_total", "Connections closed by a timeout (handshake, header, idle).", s.timeouts.sum());
        counter(out, "ferry_protocol_errors_total", "Broken frame streams or preambles (the connection is closed).",
                s.protocolErrors.sum());
        counter(out, "ferry_handler_errors_total", "Bugs caught: an op handler or observer threw.", s.handlerErrors.sum());
        counter(out, "ferry_accept_errors_total", "accept() failures (out of file descriptors, ...).", s.acceptErrors.sum());
        counter(out, "ferry_output_overflows_total",
                "Connections closed because a producer buffered more than --max-buffered-output.", s.outputOverflows.sum());
        counter(out, "ferry_output_budget_pauses_total",
                "Times a connection stopped being read because all answers buffered passed --max-total-buffered-output.",
                s.budgetPauses.sum());
        counter(out, "ferry_loop_iterations_total", "Passes of the event loops (a count racing ahead of the work: a spin).",
                server.loopIterations());
        counter(out, "ferry_loop_errors_total", "Errors the event loops survived.", server.loopErrors());
        lanes(out);
        if (files != null) {
            gauge(out, "ferry_open_download_files", "Files held open by downloads now.", files.openDownloads());
            gauge(out, "ferry_uploads_in_progress", "Uploads in progress now.", files.activeUploads());
        }
    }

    private void lanes(PrometheusText out) {
        out.family("ferry_worker_queued", "gauge", "Tasks waiting for a worker, by lane (full queue: busy answers).");
        for (WorkerLane lane : WorkerLane.values()) {
            out.sample("ferry_worker_queued", server.workers(lane).queued(), "lane", label(lane));
        }
        out.family("ferry_worker_active", "gauge", "Workers running a task now, by lane.");
        for (WorkerLane lane : WorkerLane.values()) {
            out.sample("ferry_worker_active", server.workers(lane).activeCount(), "lane", label(lane));
        }
        out.family("ferry_worker_threads", "gauge", "Workers a lane may run at once (its configured size).");
        for (WorkerLane lane : WorkerLane.values()) {
            Workers w = server.workers(lane);
            out.sample("ferry_worker_threads", w.threads(), "lane", label(lane));
        }
    }

    private static String label(WorkerLane lane) {
        return lane.name().toLowerCase(Locale.ROOT);
    }

    static void counter(PrometheusText out, String name, String help, long value) {
        out.family(name, "counter", help).sample(name, value);
    }

    static void gauge(PrometheusText out, String name, String help, long value) {
        out.family(name, "gauge", help).sample(name, value);
    }
}

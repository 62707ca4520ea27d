package ferry.loadtest;

import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * The report as a GitHub Markdown table: one row per metric, one column per setting (the
 * medians when runs were repeated). Rows that no setting has are left out.
 */
public final class MarkdownReport {
    private record Row(String label, String key, DoubleFunction<String> fmt) {}

    private static final List<Row> ROWS = List.of(
            new Row("requests measured", RunResult.REQUESTS, Format::integer),
            new Row("seconds measured", RunResult.SECONDS, v -> Format.decimal(v, 2)),
            new Row("throughput (req/s)", RunResult.REQ_PER_SEC, Format::rate),
            new Row("throughput (MB/s on the wire, both ways)", RunResult.MB_PER_SEC, v -> Format.decimal(v, 2)),
            new Row("payload (MB/s of bodies: PINGs both ways, files once)", RunResult.PAYLOAD_MB_PER_SEC, v -> Format.decimal(v, 2)),
            new Row("latency p50", RunResult.P50, Format::micros),
            new Row("latency p90", RunResult.P90, Format::micros),
            new Row("latency p99", RunResult.P99, Format::micros),
            new Row("latency p99.9", RunResult.P999, Format::micros),
            new Row("latency max", RunResult.MAX, Format::micros),
            new Row("errors", RunResult.ERRORS, Format::integer),
            new Row("client write() calls per request", RunResult.WRITES_PER_REQ, v -> Format.decimal(v, 2)),
            new Row("client read() calls per request", RunResult.READS_PER_REQ, v -> Format.decimal(v, 2)),
            new Row("server loop allocation per request", RunResult.SERVER_ALLOC_PER_REQ, Format::bytes),
            new Row("server loop CPU per request", RunResult.SERVER_CPU_PER_REQ, Format::micros),
            new Row("server loop busy (% of one core)", RunResult.SERVER_LOOP_BUSY, v -> Format.decimal(v, 0) + " %"),
            new Row("server process CPU (% of one core)", RunResult.SERVER_PROCESS_CPU, v -> Format.decimal(v, 0) + " %"),
            new Row("client CPU per request", RunResult.CLIENT_CPU_PER_REQ, Format::micros),
            new Row("client busy (% of one core)", RunResult.CLIENT_BUSY, v -> Format.decimal(v, 0) + " %"),
            new Row("server GCs while measuring", RunResult.SERVER_GCS, Format::integer),
            new Row("server-side errors", RunResult.SERVER_ERRORS, Format::integer),
            new Row("connections opened", RunResult.OPENED, Format::integer),
            new Row("RSS before connecting (after GC)", RunResult.RSS_BASELINE, Format::bytes),
            new Row("RSS with connections idle (after GC)", RunResult.RSS_IDLE, Format::bytes),
            new Row("RSS after one PING each (after GC)", RunResult.RSS_AFTER_PING, Format::bytes),
            new Row("RSS per connection, idle", RunResult.RSS_PER_CONN_IDLE, Format::bytes),
            new Row("RSS per connection, after a PING", RunResult.RSS_PER_CONN_PING, Format::bytes),
            new Row("live heap per connection, idle", RunResult.HEAP_PER_CONN_IDLE, Format::bytes),
            new Row("live heap per connection, after a PING", RunResult.HEAP_PER_CONN_PING, Format::bytes),
            new Row("direct memory per connection, after a PING", RunResult.DIRECT_PER_CONN_PING, Format::bytes),
            new Row("RSS at the end", RunResult.RSS, Format::bytes));

    /** Rows repeated per kind of request in a mixed run. */
    private static final List<Row> KIND_ROWS = List.of(
            new Row("requests", RunResult.REQUESTS, Format::integer),
            new Row("req/s", RunResult.REQ_PER_SEC, Format::rate),
            new Row("payload MB/s", RunResult.PAYLOAD_MB_PER_SEC, v -> Format.decimal(v, 2)),
            new Row("latency p50", RunResult.P50, Format::micros),
            new Row("latency p99", RunResult.P99, Format::micros),
            new Row("latency max", RunResult.MAX, Format::micros));

    private MarkdownReport() {}

    public static String render(Report report) {
        StringBuilder sb = new StringBuilder();
        Options o = report.options();
        List<Report.Column> cols = report.columns();
        sb.append("### ").append(report.title()).append("\n\n");
        RunResult first = cols.get(0).summary();
        sb.append("- load: ").append(o.connections).append(" connection(s), ").append(o.depth)
                .append(" request(s) in flight each, ");
        if (Scenarios.usesFiles(o.scenario)) {
            sb.append(Format.bytes(o.fileBytes)).append(" files, mix ").append(o.mix()).append(", PUT ")
                    .append(o.putVerify ? "verified (sha-256 + expect)" : "unverified (algorithm none)").append(", ");
            if (o.controlsServer()) {
                sb.append("server fsync on commit ").append(o.serverSync ? "on" : "off").append(", ");
            }
        } else {
            sb.append(o.bodyBytes).append("-byte PING bodies, ");
        }
        sb.append(first.get(RunResult.THREADS)).append(" client thread(s)\n");
        sb.append("- server: ").append(first.str(RunResult.TARGET));
        if (first.has(RunResult.MEMORY_SCOPE)) {
            sb.append("; RSS covers ").append(first.str(RunResult.MEMORY_SCOPE));
        }
        sb.append('\n');
        if (o.repeat > 1) {
            sb.append("- ").append(o.repeat).append(" runs per setting, alternating; medians shown (errors summed)\n");
        }
        sb.append("- machine: ").append(MachineInfo.oneLine(report.machine())).append("\n\n");
        sb.append("| |");
        for (Report.Column c : cols) {
            sb.append(' ').append(escape(c.variant().label())).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(cols.size()));
        sb.append('\n');
        row(sb, "TCP_NODELAY client / server", cols, r -> onOff(r.get(RunResult.NODELAY)) + " / " + onOff(r.get(RunResult.SERVER_NODELAY)));
        row(sb, "write pattern", cols, r -> r.str(RunResult.WRITE_PATTERN));
        for (Row row : ROWS) {
            boolean any = false;
            for (Report.Column c : cols) {
                any |= c.summary().has(row.key());
            }
            if (any) {
                row(sb, row.label(), cols, r -> r.has(row.key()) ? row.fmt().apply(r.num(row.key())) : "–");
            }
        }
        for (OpKind k : OpKind.values()) {
            for (Row row : KIND_ROWS) {
                String key = RunResult.perKind(row.key(), k);
                boolean any = false;
                for (Report.Column c : cols) {
                    any |= c.summary().has(key);
                }
                if (any) {
                    row(sb, k.label() + ": " + row.label(), cols, r -> r.has(key) ? row.fmt().apply(r.num(key)) : "–");
                }
            }
        }
        boolean anyErrors = false;
        for (Report.Column c : cols) {
            anyErrors |= c.summary().errors().total() > 0;
        }
        if (anyErrors) {
            row(sb, "errors by kind", cols, r -> escape(r.errors().toString()));
        }
        for (Report.Column c : cols) {
            if (c.summary().has(RunResult.ABORTED)) {
                sb.append("\n**").append(escape(c.variant().label())).append(" aborted:** ")
                        .append(escape(c.summary().str(RunResult.ABORTED))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String onOff(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v ? "on" : "off";
        }
        return String.valueOf(v);
    }

    private static void row(StringBuilder sb, String label, List<Report.Column> cols,
                            Function<RunResult, String> cell) {
        sb.append("| ").append(label).append(" |");
        for (Report.Column c : cols) {
            sb.append(' ').append(cell.apply(c.summary())).append(" |");
        }
        sb.append('\n');
    }

    static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}

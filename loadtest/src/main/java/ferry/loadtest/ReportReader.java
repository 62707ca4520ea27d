package ferry.loadtest;

import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a report written with {@code --out FILE.json} back, so it can be printed, charted or
 * turned into CSV again without re-running the load ({@code ferry-loadtest report FILE.json
 * [--svg F] [--out F.csv]}). Medians are recomputed from the runs.
 */
final class ReportReader {
    private ReportReader() {}

    @SuppressWarnings("unchecked")
    static Report read(Path file, String label) throws IOException {
        Object parsed;
        try {
            parsed = Json.parseDocument(Files.readString(file, StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            throw new IOException(file + " is not a ferry-loadtest JSON report: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map) || !"ferry-loadtest".equals(((Map<String, Object>) parsed).get("tool"))) {
            throw new IOException(file + " is not a ferry-loadtest JSON report (no \"tool\":\"ferry-loadtest\")");
        }
        Map<String, Object> root = (Map<String, Object>) parsed;
        Map<String, Object> opts = (Map<String, Object>) root.get("options");
        Options o = new Options();
        o.scenario = (String) opts.get("scenario");
        o.target = String.valueOf(opts.get("target"));
        o.connections = intOf(opts.get("connections"));
        o.depth = intOf(opts.get("depth"));
        o.bodyBytes = intOf(opts.get("bodyBytes"));
        o.threads = intOf(opts.get("threads"));
        o.repeat = intOf(opts.get("repeat"));
        if (opts.get("fileBytes") instanceof Number) { // file scenarios
            o.fileBytes = ((Number) opts.get("fileBytes")).longValue();
            o.mix = opts.get("mix") instanceof String ? (String) opts.get("mix") : null;
            o.putVerify = Boolean.TRUE.equals(opts.get("putVerify"));
            o.serverSync = !Boolean.FALSE.equals(opts.get("serverSync"));
            o.getVerifyEvery = opts.get("getVerifyEvery") instanceof Number ? intOf(opts.get("getVerifyEvery")) : o.getVerifyEvery;
        }
        Map<String, Object> machine = (Map<String, Object>) root.getOrDefault("machine", Map.of());
        Report report = new Report(label != null ? label : (String) root.get("title"), o, machine);
        for (Object so : (List<Object>) root.get("settings")) {
            Map<String, Object> s = (Map<String, Object>) so;
            List<RunResult> runs = new ArrayList<>();
            for (Object ro : (List<Object>) s.get("runs")) {
                runs.add(run((Map<String, Object>) ro));
            }
            RunResult first = runs.get(0);
            Variant v = new Variant((String) s.get("setting"), Boolean.TRUE.equals(first.get(RunResult.NODELAY)),
                    WritePattern.parse(String.valueOf(first.get(RunResult.WRITE_PATTERN))));
            report.add(v, runs);
        }
        return report;
    }

    @SuppressWarnings("unchecked")
    private static RunResult run(Map<String, Object> m) {
        ErrorCounts errors = new ErrorCounts();
        Map<String, Object> kinds = (Map<String, Object>) m.getOrDefault("errorsByKind", Map.of());
        Map<String, Object> details = (Map<String, Object>) m.getOrDefault("errorDetails", Map.of());
        for (Map.Entry<String, Object> e : kinds.entrySet()) {
            long n = Math.round(((Number) e.getValue()).doubleValue());
            if (n > 0) {
                errors.count(e.getKey(), (String) details.get(e.getKey()));
                errors.count(e.getKey(), n - 1);
            }
        }
        RunResult r = new RunResult(errors);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().equals("errorsByKind") || e.getKey().equals("errorDetails")) {
                continue;
            }
            Object v = e.getValue();
            if (v instanceof Number) {
                // The writer prints whole doubles without a fraction, so the parsed type says
                // nothing: the key decides, as in the run that wrote the file.
                double d = ((Number) v).doubleValue();
                v = isIntegral(e.getKey()) ? (Object) Math.round(d) : (Object) d;
            }
            r.put(e.getKey(), v);
        }
        return r;
    }

    /** Fields the harness writes as integers (counts, bytes), so medians stay integers. */
    private static boolean isIntegral(String key) {
        switch (key) {
            case RunResult.RUN: case RunResult.RUNS: case RunResult.CONNECTIONS: case RunResult.OPENED:
            case RunResult.DEPTH: case RunResult.BODY_BYTES: case RunResult.THREADS: case RunResult.REQUESTS:
            case RunResult.BYTES_OUT: case RunResult.BYTES_IN: case RunResult.ERRORS: case RunResult.SERVER_REQUESTS:
            case RunResult.SERVER_ERRORS: case RunResult.SERVER_GCS: case RunResult.RSS: case RunResult.RSS_BASELINE:
            case RunResult.RSS_IDLE: case RunResult.RSS_AFTER_PING:
                return true;
            default:
                return false;
        }
    }

    private static int intOf(Object v) {
        return v instanceof Number ? (int) Math.round(((Number) v).doubleValue()) : 0;
    }
}

package ferry.loadtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as JSON: the machine, the options, and per setting its median and every run (with
 * errors by kind and the first message of each kind).
 */
public final class JsonReport {
    private JsonReport() {}

    public static String render(Report report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "ferry-loadtest");
        root.put("title", report.title());
        root.put("generatedAt", Instant.now().toString());
        root.put("machine", report.machine());
        root.put("options", options(report.options()));
        List<Object> settings = new ArrayList<>();
        for (Report.Column c : report.columns()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("setting", c.variant().label());
            s.put("median", run(c.summary()));
            List<Object> runs = new ArrayList<>();
            for (RunResult r : c.runs()) {
                runs.add(run(r));
            }
            s.put("runs", runs);
            settings.add(s);
        }
        root.put("settings", settings);
        StringBuilder sb = new StringBuilder();
        write(sb, root, 0);
        return sb.append('\n').toString();
    }

    private static Map<String, Object> run(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>(r.fields());
        m.put("errorsByKind", new LinkedHashMap<>(r.errors().asMap()));
        m.put("errorDetails", new LinkedHashMap<>(r.errors().details()));
        return m;
    }

    private static Map<String, Object> options(Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", o.scenario);
        m.put("target", o.target);
        m.put("connections", (long) o.connections);
        m.put("depth", (long) o.depth);
        m.put("bodyBytes", o.bodyBytes);
        m.put("threads", (long) o.threads);
        m.put("warmupSeconds", o.warmupNanos / 1e9);
        m.put("durationSeconds", o.durationNanos / 1e9);
        m.put("requests", o.requests);
        m.put("repeat", (long) o.repeat);
        m.put("serverCpus", o.serverCpus);
        m.put("serverLoops", (long) o.serverLoops);
        if (Scenarios.usesFiles(o.scenario)) {
            m.put("fileBytes", o.fileBytes);
            m.put("mix", o.mix().toString());
            m.put("putVerify", o.putVerify);
            m.put("getVerifyEvery", (long) o.getVerifyEvery);
            m.put("serverSync", o.serverSync);
        }
        return m;
    }

    /** A double as JSON allows it (no NaN/Infinity: those become null). */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        // The shortest text that reads back as the same double: a report re-rendered from the
        // file must show exactly what the run showed (6 significant digits flipped roundings).
        return Double.toString(d);
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map) {
            Map<String, Object> m = (Map<String, Object>) v;
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                sb.append("  ".repeat(indent + 1));
                string(sb, e.getKey());
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            sb.append("  ".repeat(indent)).append('}');
        } else if (v instanceof List) {
            List<Object> l = (List<Object>) v;
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                sb.append("  ".repeat(indent + 1));
                write(sb, l.get(i), indent + 1);
                sb.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            sb.append("  ".repeat(indent)).append(']');
        } else if (v instanceof Double || v instanceof Float) {
            sb.append(number(((Number) v).doubleValue()));
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            string(sb, v.toString());
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}

package ferry.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report as RFC 4180 CSV: a header line, then one line per run and one per setting's
 * median (its {@code run} column says {@code median}). Columns are the union of every run's
 * fields, in first-seen order.
 */
public final class CsvReport {
    private CsvReport() {}

    public static String render(Report report) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Report.Column c : report.columns()) {
            for (RunResult r : c.runs()) {
                rows.add(r.fields());
            }
            if (c.runs().size() > 1) {
                Map<String, Object> m = new LinkedHashMap<>(c.summary().fields());
                m.put(RunResult.RUN, "median");
                rows.add(m);
            }
        }
        Set<String> keys = new LinkedHashSet<>();
        keys.add(RunResult.SETTING);
        keys.add(RunResult.RUN);
        for (Map<String, Object> row : rows) {
            keys.addAll(row.keySet());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", keys.stream().map(CsvReport::cell).toList())).append("\r\n");
        for (Map<String, Object> row : rows) {
            boolean first = true;
            for (String k : keys) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Object v = row.get(k);
                sb.append(v == null ? "" : cell(v instanceof Double ? JsonReport.number((Double) v) : v.toString()));
            }
            sb.append("\r\n");
        }
        return sb.toString();
    }

    static String cell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}

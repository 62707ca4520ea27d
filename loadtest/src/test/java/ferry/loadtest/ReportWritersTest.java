package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.args.UsageException;
import ferry.protocol.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class ReportWritersTest {
    private static RunResult result(String setting, long run, double p50, double rps, String... errorKinds) {
        ErrorCounts e = new ErrorCounts();
        for (String k : errorKinds) {
            e.count(k, "detail with \"quotes\", commas and a | pipe");
        }
        return new RunResult(e)
                .put(RunResult.SCENARIO, "ping")
                .put(RunResult.SETTING, setting)
                .put(RunResult.RUN, run)
                .put(RunResult.TARGET, "in-process")
                .put(RunResult.NODELAY, setting.contains("on"))
                .put(RunResult.SERVER_NODELAY, setting.contains("on"))
                .put(RunResult.WRITE_PATTERN, "split")
                .put(RunResult.REQUESTS, 1000L * run)
                .put(RunResult.REQ_PER_SEC, rps)
                .put(RunResult.P50, p50)
                .put(RunResult.P90, p50 * 2)
                .put(RunResult.P99, p50 * 3)
                .put(RunResult.P999, p50 * 4)
                .put(RunResult.MAX, p50 * 5)
                .put(RunResult.ERRORS, e.total())
                .put(RunResult.ERROR_KINDS, e.toString());
    }

    private static Options options(String... args) {
        try {
            return CommandLine.parse(args);
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }

    private static Report sample() {
        Options o = options("ping", "--compare", "nodelay", "--repeat", "2");
        Report rep = new Report("test, \"report\" <&>", o);
        Variant on = o.variants().get(0);
        Variant off = o.variants().get(1);
        rep.add(on, List.of(result(on.label(), 1, 40, 20_000), result(on.label(), 2, 60, 24_000)));
        rep.add(off, List.of(result(off.label(), 1, 44_000, 23.4, "timeout"), result(off.label(), 2, 46_000, 21.0)));
        return rep;
    }

    @Test
    void medianSummarisesNumbersAndSumsErrors() {
        RunResult m = sample().columns().get(1).summary();
        assertEquals(45_000, m.num(RunResult.P50), 1e-9);
        assertEquals(22.2, m.num(RunResult.REQ_PER_SEC), 1e-9);
        assertEquals(1500L, m.get(RunResult.REQUESTS), "integral fields stay integers");
        assertEquals(1L, m.get(RunResult.ERRORS));
        assertEquals(2L, m.get(RunResult.RUNS));
        assertFalse(m.has(RunResult.RUN));
    }

    @Test
    void markdownIsATableWithOneColumnPerSetting() {
        String md = MarkdownReport.render(sample());
        List<String> rows = new ArrayList<>();
        for (String line : md.split("\n")) {
            if (line.startsWith("|")) {
                rows.add(line);
            }
        }
        assertTrue(rows.size() > 8, md);
        assertEquals("| | nodelay on | nodelay off |", rows.get(0));
        assertEquals("|---|---:|---:|", rows.get(1));
        for (String row : rows) {
            // 3 cells = 4 unescaped pipes
            assertEquals(4, row.replace("\\|", "").chars().filter(c -> c == '|').count(), row);
        }
        assertTrue(md.contains("| latency p50 | 50.0 µs | 45.0 ms |"), md);
        assertTrue(md.contains("| throughput (req/s) | 22,000 | 22.2 |"), md);
        assertTrue(md.contains("| errors by kind | none | timeout=1 |"), md);
        assertTrue(md.contains("2 runs per setting"), md);
    }

    @Test
    void csvHasOneRowPerRunAndPerMedianWithQuoting() {
        String csv = CsvReport.render(sample());
        String[] lines = csv.split("\r\n");
        assertEquals(1 + 2 * 3, lines.length, csv); // header, 2 settings x (2 runs + median)
        List<String> header = cells(lines[0]);
        assertEquals("setting", header.get(0));
        assertEquals("run", header.get(1));
        for (String line : lines) {
            assertEquals(header.size(), cells(line).size(), line);
        }
        assertEquals("median", cells(lines[3]).get(1));
        int p50 = header.indexOf(RunResult.P50);
        assertEquals("45000", cells(lines[6]).get(p50));
    }

    /** Splits one RFC 4180 line (quotes, doubled quotes). */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsWellFormedWithMediansRunsAndErrorDetails() throws Exception {
        Map<String, Object> root = (Map<String, Object>) Json.parseDocument(JsonReport.render(sample()));
        assertEquals("test, \"report\" <&>", root.get("title"));
        assertTrue(((Map<String, Object>) root.get("machine")).containsKey("cpus"));
        List<Object> settings = (List<Object>) root.get("settings");
        assertEquals(2, settings.size());
        Map<String, Object> off = (Map<String, Object>) settings.get(1);
        assertEquals("nodelay off", off.get("setting"));
        Map<String, Object> median = (Map<String, Object>) off.get("median");
        assertEquals(45000.0, ((Number) median.get(RunResult.P50)).doubleValue());
        List<Object> runs = (List<Object>) off.get("runs");
        assertEquals(2, runs.size());
        Map<String, Object> run1 = (Map<String, Object>) runs.get(0);
        assertEquals(Map.of("timeout", 1L), run1.get("errorsByKind"));
        assertEquals("detail with \"quotes\", commas and a | pipe", ((Map<String, Object>) run1.get("errorDetails")).get("timeout"));
    }

    @Test
    void jsonNumbersAreValidJson() throws Exception {
        for (double d : new double[] {0, 1, -2.5, 1e-7, 123456.789, 1e20, 0.1}) {
            Object parsed = Json.parseDocument(JsonReport.number(d));
            assertEquals(d, ((Number) parsed).doubleValue(), Math.abs(d) * 1e-5, JsonReport.number(d));
        }
        assertEquals("null", JsonReport.number(Double.NaN));
    }

    @Test
    void svgIsWellFormedSelfContainedAndShowsEverySetting() throws Exception {
        String svg = SvgChart.render(sample());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
        assertFalse(svg.contains("href"), "no external references");
        assertFalse(svg.contains("<script"), "no scripts");
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        // background + 2 legend swatches + 5 percentiles x 2 settings + 2 throughput bars
        assertEquals(1 + 2 + 10 + 2, rects.getLength());
        assertTrue(svg.contains(">nodelay off</text>"));
        assertTrue(svg.contains(">45.0 ms</text>"), "values are written on the bars");
        assertTrue(svg.contains("Throughput (requests/s)"));
    }

    @Test
    void svgOfARunWithoutLatenciesStillRenders() throws Exception {
        Options o = options("ping");
        Report rep = new Report("empty", o);
        rep.add(o.variants().get(0), List.of(new RunResult(new ErrorCounts()).put(RunResult.TARGET, "x")));
        String svg = SvgChart.render(rep);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("no latency recorded"));
    }

    @Test
    void niceCeilingRoundsUpToOneTwoOrFive() {
        assertEquals(1000, SvgChart.niceCeiling(1000), 1e-9);
        assertEquals(2000, SvgChart.niceCeiling(1001), 1e-9);
        assertEquals(500_000, SvgChart.niceCeiling(373_000), 1e-9);
        assertEquals(10, SvgChart.niceCeiling(5.5), 1e-9);
    }
}

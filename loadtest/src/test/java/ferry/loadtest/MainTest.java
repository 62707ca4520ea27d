package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsScenariosAndExitsZero() {
        assertEquals(0, run("--help"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("pipeline") && text.contains("--compare") && text.contains("--write-pattern"), text);
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        assertEquals(0, run("ping", "--help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (ferry.cli.args.Option<?> o : Options.ALL) {
            assertTrue(text.contains("--" + o.name()), o.name());
        }
        assertTrue(text.contains("-c, --connections N"), text);
        assertTrue(text.contains("(default 2s; idle 0)"), text);
        assertTrue(text.contains("(default 256)"), text);
        assertTrue(text.contains("durations: 500ms, 2s, 1m, 250us"), text);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBadValueIsOneUsageLineAndExitTwo() {
        assertEquals(2, run("ping", "--duration", "soon"));
        assertEquals("ferry-loadtest: invalid value for --duration: 'soon' is not a duration (examples: 500ms, 30s, 5m, 1h)\n"
                + "(ferry-loadtest --help lists the options)\n", err.toString(StandardCharsets.UTF_8).replace("\r", ""));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reportRefusesUnknownOptionsAndAMissingFile() {
        assertEquals(2, run("report", "r.json", "--chart", "x.svg"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("report: unknown option '--chart'"));
        assertEquals(2, run("report"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: report FILE.json"));
        assertEquals(2, run("report", "r.json", "--svg"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("option '--svg' needs a value"));
    }

    @Test
    void badCommandLineExitsTwoWithTheReason() {
        assertEquals(2, run("ping", "--bogus", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--bogus'"));
        assertEquals(2, run("put", "-d", "2"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--depth above 1 is for get only"));
    }

    @Test
    void aRunPrintsMarkdownAndWritesJsonCsvAndSvg(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        Path svg = dir.resolve("charts/r.svg");
        assertEquals(0, run("ping", "--warmup", "0", "--duration", "200ms", "--out", json.toString(), "--svg", svg.toString(), "-q"));
        String md = out.toString(StandardCharsets.UTF_8);
        assertTrue(md.startsWith("### ferry-loadtest ping"), md);
        assertTrue(md.contains("| latency p99.9 |"), md);
        assertTrue(Json.parseDocument(Files.readString(json)) instanceof java.util.Map);
        assertTrue(Files.readString(svg).startsWith("<?xml"));
        assertEquals("", err.toString(StandardCharsets.UTF_8), "quiet means no progress lines");
        Path csv = dir.resolve("r.csv");
        out.reset();
        assertEquals(0, run("ping", "--warmup", "0", "--duration", "100ms", "--out", csv.toString(), "-q"));
        assertTrue(Files.readString(csv).startsWith("setting,run,"));
    }

    @Test
    void aSavedMixedFileReportIsPrintedAgainWithItsFileSettings(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        assertEquals(0, run("mixed", "-c", "2", "--file-size", "64k", "--mix", "ping=1,get=1,put=1", "--put-verify", "on",
                "--warmup", "0", "--duration", "200ms", "--out", json.toString(), "-q"));
        String first = out.toString(StandardCharsets.UTF_8);
        assertTrue(first.contains("64.00 KiB files, mix ping=1,get=1,put=1, PUT verified"), first);
        out.reset();
        assertEquals(0, run("report", json.toString()));
        assertEquals(first, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSavedJsonReportIsPrintedAndChartedAgain(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        assertEquals(0, run("ping", "--compare", "nodelay", "--warmup", "0", "--duration", "100ms", "--out", json.toString(), "-q"));
        String first = out.toString(StandardCharsets.UTF_8);
        out.reset();
        Path svg = dir.resolve("again.svg");
        Path csv = dir.resolve("again.csv");
        assertEquals(0, run("report", json.toString(), "--svg", svg.toString(), "--out", csv.toString()));
        String again = out.toString(StandardCharsets.UTF_8);
        // the same table from the file as from the run (numbers, settings and machine line)
        assertEquals(first, again);
        assertTrue(Files.readString(svg).contains(">nodelay off</text>"));
        assertEquals(3, Files.readAllLines(csv).size(), "header and two runs");
        assertEquals(1, run("report", dir.resolve("missing.json").toString()));
        Files.writeString(dir.resolve("other.json"), "{\"tool\":\"jmh\"}");
        assertEquals(1, run("report", dir.resolve("other.json").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not a ferry-loadtest JSON report"));
    }
}

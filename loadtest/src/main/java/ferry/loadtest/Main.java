package ferry.loadtest;

import ferry.cli.args.ArgParser;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ferry-loadtest}: drives a Ferry server with many connections from one NIO client and
 * reports throughput, latency percentiles, errors and server memory. See {@link CommandLine#usage()}.
 *
 * <p>Exit status: 0 when every run completed (errors, if any, are in the report), 1 when a run
 * could not be carried out, 2 for a bad command line.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("report")) {
            return rerender(args, out, err);
        }
        Options o;
        try {
            o = CommandLine.parse(args);
        } catch (UsageException e) {
            err.println("ferry-loadtest: " + e.getMessage());
            err.println("(ferry-loadtest --help lists the options)");
            return 2;
        }
        if (o.help) {
            out.println(CommandLine.usage());
            return 0;
        }
        try {
            Report report = runAll(o, Scenarios.byName(o.scenario), o.quiet ? null : err);
            out.print(MarkdownReport.render(report));
            out.flush();
            writeFiles(report, o, err);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("ferry-loadtest: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("ferry-loadtest: run failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ferry-loadtest: interrupted");
            return 1;
        }
    }

    /** {@code report FILE.json [--svg F] [--out F] [--label T]}: prints and re-writes a saved report. */
    private static int rerender(String[] args, PrintStream out, PrintStream err) {
        ParsedArgs a;
        try {
            a = new ArgParser(List.of(Options.SVG, Options.OUT, Options.LABEL))
                    .parse(Arrays.asList(args).subList(1, args.length));
        } catch (UsageException e) {
            err.println("ferry-loadtest: report: " + e.getMessage());
            return 2;
        }
        if (a.positionals().size() != 1) {
            err.println("ferry-loadtest: usage: report FILE.json [--svg FILE] [--out FILE.csv|.json] [--label TEXT]");
            return 2;
        }
        Options files = new Options();
        files.svg = a.get(Options.SVG);
        files.out = a.get(Options.OUT);
        try {
            Report report = ReportReader.read(Path.of(a.positionals().get(0)), a.get(Options.LABEL));
            out.print(MarkdownReport.render(report));
            writeFiles(report, files, err);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("ferry-loadtest: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Runs every setting {@code o.repeat} times, alternating settings (A B A B ...) so slow
     * drifts of a noisy machine hit all settings alike, and returns the report.
     */
    public static Report runAll(Options o, Scenario scenario, PrintStream progress) throws IOException, InterruptedException {
        List<Variant> variants = o.variants();
        Map<Variant, List<RunResult>> runs = new LinkedHashMap<>();
        for (Variant v : variants) {
            runs.put(v, new ArrayList<>());
        }
        Target target = Target.of(o);
        Runner runner = new Runner(o, scenario, target, progress);
        try {
            for (int i = 1; i <= o.repeat; i++) {
                for (Variant v : variants) {
                    runs.get(v).add(runner.run(v, i));
                }
            }
        } finally {
            target.end();
        }
        Report report = new Report(o.label != null ? o.label : title(o), o);
        runs.forEach(report::add);
        return report;
    }

    static String title(Options o) {
        String t = "ferry-loadtest " + o.scenario;
        boolean nd = o.compare.contains(Options.Dimension.NODELAY);
        boolean wp = o.compare.contains(Options.Dimension.WRITE_PATTERN);
        if (nd && wp) {
            return t + ": TCP_NODELAY × write pattern";
        }
        if (nd) {
            return t + ": TCP_NODELAY on vs off (" + o.pattern.label() + " writes)";
        }
        if (wp) {
            return t + ": coalesced vs split writes (TCP_NODELAY " + (o.noDelay ? "on" : "off") + ")";
        }
        return t;
    }

    private static void writeFiles(Report report, Options o, PrintStream err) throws IOException {
        if (o.out != null) {
            String text = o.out.toLowerCase(Locale.ROOT).endsWith(".csv") ? CsvReport.render(report) : JsonReport.render(report);
            write(Path.of(o.out), text);
            if (!o.quiet) {
                err.println("wrote " + o.out);
            }
        }
        if (o.svg != null) {
            write(Path.of(o.svg), SvgChart.render(report));
            if (!o.quiet) {
                err.println("wrote " + o.svg);
            }
        }
    }

    private static void write(Path p, String text) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }
}

package ferry.loadtest;

import static ferry.loadtest.Options.*;

import ferry.cli.args.ArgParser;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Suggest;
import ferry.cli.args.UsageException;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code ferry-loadtest}'s command line: parsed by the {@code ferry} command's parser
 * ({@link ArgParser}) against {@link Options#ALL}, then the scenario's defaults and the checks
 * that span options (a flag that only makes sense with another target or scenario).
 *
 * <p>Thread safety: stateless.
 */
final class CommandLine {
    private static final int SYNOPSIS_WIDTH = 28;
    private static final int WIDTH = 100;

    private CommandLine() {}

    /** Usage text for {@code --help}: the scenarios, then every option with its default. */
    static String usage() {
        StringBuilder sb = new StringBuilder(String.join("\n",
                "usage: ferry-loadtest SCENARIO [options]",
                "       ferry-loadtest report FILE.json [--svg FILE] [--out FILE.csv] [--label TEXT]"
                        + "   (re-print a saved report)",
                "",
                "scenarios:",
                "  ping       request/response latency: one PING in flight per connection (defaults: -c 1 -s 0)",
                "  pipeline   small-frame throughput: D PINGs in flight per connection (defaults: -c 64 -d 16 -s 64)",
                "  idle       hold N connections, one PING each; server RSS per connection (defaults: -c 1000, hold 5s)",
                "  get        downloads: D GETs of one shared --file-size file in flight per connection (defaults: -c 1 -d 1)",
                "  put        uploads: each connection PUTs --file-size bytes to its own file, one at a time",
                "  mixed      a random mix per connection, one request at a time (default --mix " + Mix.DEFAULT_MIXED + ")"));
        String group = null;
        for (Option<?> o : ALL) {
            if (!o.group().equals(group)) {
                group = o.group();
                sb.append("\n\n").append(group).append(':');
            }
            String help = o.help() + (o.defaultText() == null || o.defaultText().isEmpty() ? ""
                    : " (default " + o.defaultText() + ")");
            String syn = "  " + o.synopsis();
            sb.append('\n').append(syn.length() <= SYNOPSIS_WIDTH - 2 ? syn + " ".repeat(SYNOPSIS_WIDTH - syn.length())
                    : syn + "\n" + " ".repeat(SYNOPSIS_WIDTH)).append(wrap(help));
        }
        return sb.append("\n\ndurations: 500ms, 2s, 1m, 250us; sizes: 64, 16k, 1m, 1g").toString();
    }

    /** {@code text} broken at spaces to fit after the synopsis column. */
    private static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int col = SYNOPSIS_WIDTH;
        for (String word : text.split(" ")) {
            if (col > SYNOPSIS_WIDTH && col + 1 + word.length() > WIDTH) {
                out.append('\n').append(" ".repeat(SYNOPSIS_WIDTH));
                col = SYNOPSIS_WIDTH;
            } else if (col > SYNOPSIS_WIDTH) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }

    /**
     * Parses a run's arguments ({@code SCENARIO [options]}); with {@code --help} the result only
     * has {@link Options#help} set.
     *
     * @throws UsageException with a one-line message naming what is wrong
     */
    static Options parse(String[] args) throws UsageException {
        ParsedArgs a = new ArgParser(ALL).parse(List.of(args));
        Options o = new Options();
        if (a.get(HELP)) {
            o.help = true;
            return o;
        }
        List<String> rest = a.positionals();
        if (rest.isEmpty()) {
            throw new UsageException("a scenario is required");
        }
        if (rest.size() > 1) {
            throw new UsageException("unexpected argument '" + rest.get(1) + "' (scenario already " + rest.get(0) + ")");
        }
        o.scenario = rest.get(0);
        if (!Scenarios.NAMES.contains(o.scenario)) {
            String close = Suggest.closest(o.scenario, Scenarios.NAMES);
            throw new UsageException("unknown scenario '" + o.scenario + "' (" + (close != null ? "did you mean '" + close
                    + "'?" : "one of " + String.join(", ", Scenarios.NAMES)) + ")");
        }
        fill(o, a);
        check(o, a);
        return o;
    }

    /** Copies the options into {@code o}, with the scenario's defaults for those not given. */
    private static void fill(Options o, ParsedArgs a) {
        boolean pipeline = o.scenario.equals("pipeline");
        boolean idle = o.scenario.equals("idle");
        o.target = a.get(TARGET);
        o.serverPid = or(a, SERVER_PID, -1L);
        o.serverCpus = a.get(SERVER_CPUS);
        String jvm = or(a, SERVER_JVM_OPTS, "").trim();
        o.serverJvmOpts = jvm.isEmpty() ? List.of() : List.of(jvm.split("\\s+"));
        o.serverLoops = a.get(SERVER_LOOPS);
        o.connections = or(a, CONNECTIONS, pipeline ? DEFAULT_PIPELINE_CONNECTIONS : idle ? DEFAULT_IDLE_CONNECTIONS : 1);
        o.depth = or(a, DEPTH, pipeline ? DEFAULT_PIPELINE_DEPTH : 1);
        o.bodyBytes = or(a, SIZE_OPT, pipeline ? DEFAULT_PIPELINE_BODY_BYTES : 0L);
        o.threads = a.get(THREADS);
        o.noDelay = a.get(NODELAY);
        o.pattern = WritePattern.parse(a.get(WRITE_PATTERN));
        o.fileBytes = a.get(FILE_SIZE);
        o.mix = a.get(MIX);
        o.putVerify = a.get(PUT_VERIFY);
        o.getVerifyEvery = a.get(GET_VERIFY_EVERY);
        o.root = a.get(ROOT);
        o.serverSync = a.get(SERVER_SYNC);
        o.user = a.get(USER);
        o.passwordFile = a.get(PASSWORD_FILE);
        o.warmupNanos = or(a, WARMUP, idle ? 0L : DEFAULT_WARMUP_NANOS);
        o.durationNanos = or(a, DURATION_OPT, idle ? DEFAULT_IDLE_HOLD_NANOS : DEFAULT_DURATION_NANOS);
        o.requests = or(a, REQUESTS, 0L);
        o.maxTimeNanos = or(a, MAX_TIME, 0L);
        o.timeoutNanos = a.get(TIMEOUT);
        o.connectTimeoutNanos = a.get(CONNECT_TIMEOUT);
        o.connectConcurrency = a.get(CONNECT_CONCURRENCY);
        o.compare = EnumSet.noneOf(Dimension.class);
        for (String d : a.get(COMPARE)) {
            o.compare.add(d.equals("nodelay") ? Dimension.NODELAY : Dimension.WRITE_PATTERN);
        }
        o.repeat = a.get(REPEAT);
        o.out = a.get(OUT);
        o.svg = a.get(SVG);
        o.label = a.get(LABEL);
        o.quiet = a.get(QUIET);
    }

    private static <T> T or(ParsedArgs a, Option<T> option, T otherwise) {
        return a.has(option) ? a.get(option) : otherwise;
    }

    /** Refuses options that do not go with the scenario or the target. */
    private static void check(Options o, ParsedArgs a) throws UsageException {
        if (o.scenario.equals("idle") && a.has(DEPTH) && o.depth != 1) {
            throw new UsageException("idle sends one PING per connection: --depth does not apply");
        }
        if (Scenarios.usesFiles(o.scenario)) {
            if (o.mix != null && !o.scenario.equals("mixed")) {
                throw new UsageException("--mix goes with the mixed scenario");
            }
            if (o.depth > 1 && !o.mix().isOnly(OpKind.GET)) {
                throw new UsageException(o.scenario + " keeps one request in flight per connection (a PUT"
                        + " streams its body): --depth above 1 is for get only");
            }
        } else if (o.root != null || o.mix != null) {
            throw new UsageException("--root and --mix go with the get, put and mixed scenarios");
        }
        if ((o.root != null || !o.serverSync) && !o.controlsServer()) {
            throw new UsageException("--root and --server-sync need --target inprocess or spawn (the harness does not"
                    + " start that server)");
        }
        if ((o.user == null) != (o.passwordFile == null)) {
            throw new UsageException("--user and --password-file go together");
        }
        if (o.serverPid > 0 && o.controlsServer()) {
            throw new UsageException("--server-pid goes with --target HOST:PORT");
        }
        if (o.serverCpus != null && !o.isSpawn()) {
            throw new UsageException("--server-cpus needs --target spawn (the harness pins only a server JVM it starts)");
        }
    }
}

package ferry.loadtest;

import ferry.cli.args.Option;
import ferry.cli.args.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The harness's settings, and the command-line options that set them: a plain holder that
 * {@link CommandLine#parse} fills and everything else only reads. Defaults depend on the scenario
 * (see {@link CommandLine#usage()}).
 *
 * <p>Threading: filled on the main thread before any run starts; read-only afterwards.
 */
public final class Options {
    /** What a {@code --compare} can vary. */
    public enum Dimension { NODELAY, WRITE_PATTERN }

    public static final String TARGET_IN_PROCESS = "inprocess";
    public static final String TARGET_SPAWN = "spawn";

    public static final long DEFAULT_WARMUP_NANOS = TimeUnit.SECONDS.toNanos(2);
    public static final long DEFAULT_DURATION_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long {@code idle} holds its connections after the PINGs. */
    public static final long DEFAULT_IDLE_HOLD_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A request unanswered this long is an error (and its connection is closed). */
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** All connections must be open within this, or the missing ones are connect errors. */
    public static final long DEFAULT_CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** After the measured window, answers still in flight are awaited this long. */
    public static final long DEFAULT_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * Connects in progress at once: well under the server's accept backlog (1024) and the
     * kernel's somaxconn, so a 10,000-connection ramp does not overflow the SYN queue and wait
     * out 1 s SYN retransmits.
     */
    public static final int DEFAULT_CONNECT_CONCURRENCY = 256;
    public static final int DEFAULT_THREADS = 1;
    public static final int DEFAULT_PIPELINE_CONNECTIONS = 64;
    public static final int DEFAULT_PIPELINE_DEPTH = 16;
    public static final long DEFAULT_PIPELINE_BODY_BYTES = 64;
    public static final int DEFAULT_IDLE_CONNECTIONS = 1000;
    /** Size of the files {@code get}/{@code put}/{@code mixed} move. */
    public static final long DEFAULT_FILE_BYTES = 1024 * 1024;
    /** One GET in this many (per connection) has its body's SHA-256 checked; 0 checks none. */
    public static final int DEFAULT_GET_VERIFY_EVERY = 100;
    /** The longest any duration option may be. */
    static final long MAX_DURATION_NANOS = TimeUnit.DAYS.toNanos(1);

    public String scenario;
    public String target = TARGET_IN_PROCESS;
    public long serverPid = -1;
    public String serverCpus;
    public List<String> serverJvmOpts = List.of();
    public int serverLoops = 1;
    public int connections;
    public int depth;
    public long bodyBytes;
    public int threads = DEFAULT_THREADS;
    public long warmupNanos;
    public long durationNanos;
    public long requests;
    public long maxTimeNanos;
    public long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
    public long connectTimeoutNanos = DEFAULT_CONNECT_TIMEOUT_NANOS;
    public long drainNanos = DEFAULT_DRAIN_NANOS;
    public int connectConcurrency = DEFAULT_CONNECT_CONCURRENCY;
    public boolean noDelay = true;
    public WritePattern pattern = WritePattern.COALESCED;
    public Set<Dimension> compare = EnumSet.noneOf(Dimension.class);
    public int repeat = 1;
    public String out;
    public String svg;
    public String label;
    public boolean quiet;
    public long fileBytes = DEFAULT_FILE_BYTES;
    /** {@code --root}: the folder an in-process or spawned server serves (else a temporary one). */
    public String root;
    /** PUTs ask the server for a SHA-256 and send {@code expect} (verified) instead of {@code algorithm none}. */
    public boolean putVerify;
    public int getVerifyEvery = DEFAULT_GET_VERIFY_EVERY;
    /** {@code --mix} as given, or null for the scenario's default. */
    public String mix;
    public String user;
    public String passwordFile;
    /** With inprocess/spawn: the file service forces each upload to disk before renaming it (its default). */
    public boolean serverSync = true;
    /** {@code --help}: print the usage and run nothing. */
    public boolean help;

    // ---- the command line: one Option per setting, in help order (groups are help headings) ----

    private static final String G_TARGET = "target";
    private static final String G_LOAD = "load";
    private static final String G_FILES = "files (get, put, mixed; docs/BENCHMARKS.md \"File load scenarios\")";
    private static final String G_TIME = "time (all runs stop by themselves)";
    private static final String G_OUTPUT = "comparison and output";
    private static final ValueType<Long> DURATION = ValueType.durationNanos(1, MAX_DURATION_NANOS);
    private static final ValueType<Long> SIZE = ValueType.size(0, Long.MAX_VALUE);
    private static final ValueType<Boolean> ON_OFF = ValueType.bool();

    static final Option<String> TARGET = Option.value("target", "inprocess|spawn|HOST:PORT",
            Options::hostPortOrServer, TARGET_IN_PROCESS, "in-process server on port 0, a server JVM the"
            + " harness starts (out of process, port 0), or an existing server").group(G_TARGET);
    static final Option<Long> SERVER_PID = Option.value("server-pid", "PID", ValueType.number(1, Long.MAX_VALUE), null,
            "with HOST:PORT: read that process's RSS from /proc/PID/status").group(G_TARGET);
    static final Option<String> SERVER_CPUS = Option.value("server-cpus", "LIST", ValueType.text(), null,
            "with spawn: pin the server with taskset -c LIST").group(G_TARGET);
    static final Option<String> SERVER_JVM_OPTS = Option.value("server-jvm-opts", "S", ValueType.textOrNone(), null,
            "with spawn: JVM options for the server (space-separated)").group(G_TARGET);
    static final Option<Integer> SERVER_LOOPS = Option.value("server-loops", "N", ValueType.integer(1, 256), 1,
            "event loops of an in-process or spawned server").group(G_TARGET);

    static final Option<Integer> CONNECTIONS = Option.value("connections", "N", ValueType.integer(1, 1_000_000), null,
            "concurrent connections (default per scenario)").shortName('c').group(G_LOAD);
    static final Option<Integer> DEPTH = Option.value("depth", "D", ValueType.integer(1, 1 << 16), null,
            "requests in flight per connection (default per scenario)").shortName('d').group(G_LOAD);
    static final Option<Long> SIZE_OPT = Option.value("size", "BYTES", SIZE, null,
            "PING body bytes, k, m suffixes allowed (default per scenario)").shortName('s').group(G_LOAD);
    static final Option<Integer> THREADS = Option.value("threads", "T", ValueType.integer(1, 256), DEFAULT_THREADS,
            "client selector threads").shortName('t').group(G_LOAD);
    static final Option<Boolean> NODELAY = Option.value("nodelay", "on|off", ON_OFF, true,
            "TCP_NODELAY on client and (inprocess/spawn) server sockets").defaultText("on").group(G_LOAD);
    static final Option<String> WRITE_PATTERN = Option.value("write-pattern", "coalesced|split",
            ValueType.choice("coalesced", "split"), "coalesced",
            "one write per frame, or prefix/header/body as 3 writes").group(G_LOAD);

    static final Option<Long> FILE_SIZE = Option.value("file-size", "BYTES", SIZE, DEFAULT_FILE_BYTES,
            "size of the file GET reads and PUT writes").group(G_FILES);
    static final Option<String> MIX = Option.value("mix", "KIND=W,...", Options::mixSpec, null,
            "odds of ping/get/put in mixed").defaultText(Mix.DEFAULT_MIXED).group(G_FILES);
    static final Option<Boolean> PUT_VERIFY = Option.value("put-verify", "on|off", ON_OFF, false,
            "PUT with algorithm sha-256 and expect (server hashes and checks) instead of algorithm none")
            .defaultText("off: the cheapest valid PUT").group(G_FILES);
    static final Option<Integer> GET_VERIFY_EVERY = Option.value("get-verify-every", "N",
            ValueType.integer(0, Integer.MAX_VALUE), DEFAULT_GET_VERIFY_EVERY,
            "check the SHA-256 of one GET body in N per connection; 0 never").group(G_FILES);
    static final Option<String> ROOT = Option.value("root", "DIR", ValueType.text(), null,
            "with inprocess/spawn: serve DIR (kept) instead of a temporary folder").group(G_FILES);
    static final Option<Boolean> SERVER_SYNC = Option.value("server-sync", "on|off", ON_OFF, true,
            "with inprocess/spawn: fsync each upload before its rename").defaultText("on, the file service's default")
            .group(G_FILES);
    static final Option<String> USER = Option.value("user", "NAME", ValueType.text(), null,
            "with HOST:PORT: log in as NAME (SCRAM-SHA-256) on every connection").group(G_FILES);
    static final Option<String> PASSWORD_FILE = Option.value("password-file", "FILE", ValueType.text(), null,
            "the password for --user (first line of FILE)").group(G_FILES);

    static final Option<Long> WARMUP = Option.value("warmup", "DUR", ValueType.durationNanos(0, MAX_DURATION_NANOS),
            DEFAULT_WARMUP_NANOS, "unmeasured warm-up after connecting").defaultText("2s; idle 0").group(G_TIME);
    static final Option<Long> DURATION_OPT = Option.value("duration", "DUR", DURATION, DEFAULT_DURATION_NANOS,
            "measured window; idle: how long to hold").defaultText("10s; idle 5s").group(G_TIME);
    static final Option<Long> REQUESTS = Option.value("requests", "N", ValueType.number(1, Long.MAX_VALUE), null,
            "stop after N measured requests instead (still bounded by --max-time)").group(G_TIME);
    static final Option<Long> MAX_TIME = Option.value("max-time", "DUR", DURATION, null, "hard deadline for one run")
            .defaultText("connect + warmup + duration + drain + 10s").group(G_TIME);
    static final Option<Long> TIMEOUT = Option.value("timeout", "DUR", DURATION, DEFAULT_TIMEOUT_NANOS,
            "a request unanswered this long is an error").group(G_TIME);
    static final Option<Long> CONNECT_TIMEOUT = Option.value("connect-timeout", "DUR", DURATION,
            DEFAULT_CONNECT_TIMEOUT_NANOS, "all connections open within this").group(G_TIME);
    static final Option<Integer> CONNECT_CONCURRENCY = Option.value("connect-concurrency", "N",
            ValueType.integer(1, 65_536), DEFAULT_CONNECT_CONCURRENCY, "connects in progress at once").group(G_TIME);

    static final Option<List<String>> COMPARE = Option.value("compare", "nodelay|write-pattern|nodelay,write-pattern",
            ValueType.listOf(ValueType.choice("nodelay", "write-pattern")), List.of(),
            "run each setting, side by side").defaultText(null).group(G_OUTPUT);
    static final Option<Integer> REPEAT = Option.value("repeat", "R", ValueType.integer(1, 1000), 1,
            "run each setting R times, alternating; report medians").group(G_OUTPUT);
    static final Option<String> OUT = Option.value("out", "FILE", ValueType.text(), null,
            "write every run and the medians as JSON (.json) or CSV (.csv)").group(G_OUTPUT);
    static final Option<String> SVG = Option.value("svg", "FILE", ValueType.text(), null,
            "write a chart (latency percentiles and throughput per setting)").group(G_OUTPUT);
    static final Option<String> LABEL = Option.value("label", "TEXT", ValueType.text(), null,
            "a title for the report").group(G_OUTPUT);
    static final Option<Boolean> QUIET = Option.flag("quiet", "no progress lines on stderr").shortName('q')
            .group(G_OUTPUT);
    static final Option<Boolean> HELP = Option.flag("help", "print this help and exit").shortName('h').group(G_OUTPUT);

    /** Every option of a run, in help order. */
    static final List<Option<?>> ALL = List.of(TARGET, SERVER_PID, SERVER_CPUS, SERVER_JVM_OPTS, SERVER_LOOPS,
            CONNECTIONS, DEPTH, SIZE_OPT, THREADS, NODELAY, WRITE_PATTERN,
            FILE_SIZE, MIX, PUT_VERIFY, GET_VERIFY_EVERY, ROOT, SERVER_SYNC, USER, PASSWORD_FILE,
            WARMUP, DURATION_OPT, REQUESTS, MAX_TIME, TIMEOUT, CONNECT_TIMEOUT, CONNECT_CONCURRENCY,
            COMPARE, REPEAT, OUT, SVG, LABEL, QUIET, HELP);

    /** The request kinds of a file scenario: {@code --mix}, or the scenario's own. */
    public Mix mix() {
        if (mix != null) {
            return Mix.parse(mix);
        }
        switch (scenario) {
            case "get": return Mix.only(OpKind.GET);
            case "put": return Mix.only(OpKind.PUT);
            default: return Mix.parse(Mix.DEFAULT_MIXED);
        }
    }

    /** Host and port of a {@code HOST:PORT} target. */
    public static String[] hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("must be inprocess, spawn or HOST:PORT, got '" + s + "'");
        }
        try {
            ValueType.integer(1, 65535).parse(s.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("port " + e.getMessage());
        }
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }

    /** A {@code --mix}, checked and kept as written. */
    private static String mixSpec(String s) {
        Mix.parse(s);
        return s;
    }

    /** A {@code --target}: {@code inprocess}, {@code spawn} or a valid {@code HOST:PORT}. */
    private static String hostPortOrServer(String s) {
        if (!s.equals(TARGET_IN_PROCESS) && !s.equals(TARGET_SPAWN)) {
            hostPort(s);
        }
        return s;
    }

    public boolean isInProcess() {
        return target.equals(TARGET_IN_PROCESS);
    }

    public boolean isSpawn() {
        return target.equals(TARGET_SPAWN);
    }

    /** Whether the harness starts (and so configures) the server. */
    public boolean controlsServer() {
        return isInProcess() || isSpawn();
    }

    /** The settings to run: one, or the cross product of the compared dimensions. */
    public List<Variant> variants() {
        boolean cmpNd = compare.contains(Dimension.NODELAY);
        boolean cmpWp = compare.contains(Dimension.WRITE_PATTERN);
        List<Variant> v = new ArrayList<>();
        boolean[] nds = cmpNd ? new boolean[] {true, false} : new boolean[] {noDelay};
        WritePattern[] wps = cmpWp ? new WritePattern[] {WritePattern.COALESCED, WritePattern.SPLIT} : new WritePattern[] {pattern};
        for (boolean nd : nds) {
            for (WritePattern wp : wps) {
                // Label a column by what varies; a single run names both settings.
                v.add(Variant.of(nd, wp, cmpNd || !cmpWp, cmpWp || !cmpNd));
            }
        }
        return Collections.unmodifiableList(v);
    }

    /** The hard deadline of one run, derived from its phases unless {@code --max-time} gave one. */
    public long runDeadlineNanos() {
        if (maxTimeNanos > 0) {
            return maxTimeNanos;
        }
        long measured = requests > 0 ? Math.max(durationNanos, TimeUnit.SECONDS.toNanos(60)) : durationNanos;
        return connectTimeoutNanos + warmupNanos + measured + drainNanos + TimeUnit.SECONDS.toNanos(10);
    }
}

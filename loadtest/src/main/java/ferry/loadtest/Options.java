package ferry.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The harness's command line, parsed and validated: a plain settings holder that
 * {@link #parse} fills and everything else only reads. Defaults depend on the scenario (see
 * {@link #usage()}).
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

    /** Usage text for {@code --help} and errors. */
    public static String usage() {
        return String.join("\n",
                "usage: ferry-loadtest SCENARIO [options]",
                "       ferry-loadtest report FILE.json [--svg FILE] [--out FILE.csv]   (re-print a saved report)",
                "",
                "scenarios:",
                "  ping       request/response latency: one PING in flight per connection (defaults: -c 1 -s 0)",
                "  pipeline   small-frame throughput: D PINGs in flight per connection (defaults: -c 64 -d 16 -s 64)",
                "  idle       hold N connections, one PING each; server RSS per connection (defaults: -c 1000, hold 5s)",
                "  get        downloads: D GETs of one shared --file-size file in flight per connection (defaults: -c 1 -d 1)",
                "  put        uploads: each connection PUTs --file-size bytes to its own file, one at a time",
                "  mixed      a random mix per connection, one request at a time (default --mix " + Mix.DEFAULT_MIXED + ")",
                "",
                "target:",
                "  --target inprocess|spawn|HOST:PORT  in-process server on port 0 (default), a server JVM the harness",
                "                        starts (out of process, port 0), or an existing server",
                "  --server-pid PID      with HOST:PORT: read that process's RSS from /proc/PID/status",
                "  --server-cpus LIST    with spawn: pin the server with taskset -c LIST",
                "  --server-jvm-opts S   with spawn: JVM options for the server (space-separated)",
                "  --server-loops N      event loops of an in-process or spawned server (default 1)",
                "",
                "load:",
                "  -c, --connections N   concurrent connections",
                "  -d, --depth D         requests in flight per connection",
                "  -s, --size BYTES      PING body bytes (k, m suffixes allowed)",
                "  -t, --threads T       client selector threads (default 1)",
                "  --nodelay on|off      TCP_NODELAY on client and (inprocess/spawn) server sockets (default on)",
                "  --write-pattern coalesced|split  one write per frame, or prefix/header/body as 3 writes (default coalesced)",
                "",
                "files (get, put, mixed; docs/BENCHMARKS.md \"File load scenarios\"):",
                "  --file-size BYTES     size of the file GET reads and PUT writes (default 1m)",
                "  --mix KIND=W,...      odds of ping/get/put in mixed (default " + Mix.DEFAULT_MIXED + ")",
                "  --put-verify on|off   PUT with algorithm sha-256 and expect (server hashes and checks) instead of",
                "                        algorithm none (default off: the cheapest valid PUT)",
                "  --get-verify-every N  check the SHA-256 of one GET body in N per connection (default 100; 0 never)",
                "  --root DIR            with inprocess/spawn: serve DIR (kept) instead of a temporary folder",
                "  --server-sync on|off  with inprocess/spawn: fsync each upload before its rename (default on, the",
                "                        file service's default)",
                "  --user NAME           with HOST:PORT: log in as NAME (SCRAM-SHA-256) on every connection",
                "  --password-file FILE  the password for --user (first line of FILE)",
                "",
                "time (all runs stop by themselves):",
                "  --warmup DUR          unmeasured warm-up after connecting (default 2s; idle 0)",
                "  --duration DUR        measured window (default 10s); idle: how long to hold (default 5s)",
                "  --requests N          stop after N measured requests instead (still bounded by --max-time)",
                "  --max-time DUR        hard deadline for one run (default: connect + warmup + duration + drain + 10s)",
                "  --timeout DUR         a request unanswered this long is an error (default 10s)",
                "  --connect-timeout DUR all connections open within this (default 30s)",
                "  --connect-concurrency N  connects in progress at once (default 256)",
                "",
                "comparison and output:",
                "  --compare nodelay|write-pattern|nodelay,write-pattern  run each setting, side by side",
                "  --repeat R            run each setting R times, alternating; report medians",
                "  --out FILE            write every run and the medians as JSON (.json) or CSV (.csv)",
                "  --svg FILE            write a chart (latency percentiles and throughput per setting)",
                "  --label TEXT          a title for the report",
                "  -q, --quiet           no progress lines on stderr",
                "",
                "durations: 500ms, 2s, 1m, 250us; sizes: 64, 16k, 1m, 1g");
    }

    /** Parses arguments; throws IllegalArgumentException with a message naming the bad one. */
    public static Options parse(String[] args) {
        Options o = new Options();
        List<String> a = new ArrayList<>(List.of(args));
        if (a.isEmpty()) {
            throw new IllegalArgumentException("a scenario is required");
        }
        boolean connectionsSet = false;
        boolean depthSet = false;
        boolean sizeSet = false;
        boolean warmupSet = false;
        boolean durationSet = false;
        for (int i = 0; i < a.size(); i++) {
            String arg = a.get(i);
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (!name.startsWith("-")) {
                if (o.scenario != null) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "' (scenario already " + o.scenario + ")");
                }
                o.scenario = arg;
                continue;
            }
            if (name.equals("-q") || name.equals("--quiet")) {
                o.quiet = true;
                continue;
            }
            String v;
            if (inline != null) {
                v = inline;
            } else if (i + 1 < a.size()) {
                v = a.get(++i);
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            switch (name) {
                case "--target": o.target = v; break;
                case "--server-pid": o.serverPid = positiveLong(name, v); break;
                case "--server-cpus": o.serverCpus = v; break;
                case "--server-jvm-opts":
                    o.serverJvmOpts = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                    break;
                case "--server-loops": o.serverLoops = (int) range(name, v, 1, 256); break;
                case "-c": case "--connections": o.connections = (int) range(name, v, 1, 1_000_000); connectionsSet = true; break;
                case "-d": case "--depth": o.depth = (int) range(name, v, 1, 1 << 16); depthSet = true; break;
                case "-s": case "--size": o.bodyBytes = size(name, v); sizeSet = true; break;
                case "-t": case "--threads": o.threads = (int) range(name, v, 1, 256); break;
                case "--nodelay": o.noDelay = onOff(name, v); break;
                case "--write-pattern": o.pattern = WritePattern.parse(v); break;
                case "--file-size": o.fileBytes = size(name, v); break;
                case "--mix": Mix.parse(v); o.mix = v; break;
                case "--put-verify": o.putVerify = onOff(name, v); break;
                case "--get-verify-every": o.getVerifyEvery = (int) range(name, v, 0, Integer.MAX_VALUE); break;
                case "--root": o.root = v; break;
                case "--server-sync": o.serverSync = onOff(name, v); break;
                case "--user": o.user = v; break;
                case "--password-file": o.passwordFile = v; break;
                case "--warmup": o.warmupNanos = duration(name, v, true); warmupSet = true; break;
                case "--duration": o.durationNanos = duration(name, v, false); durationSet = true; break;
                case "--requests": o.requests = positiveLong(name, v); break;
                case "--max-time": o.maxTimeNanos = duration(name, v, false); break;
                case "--timeout": o.timeoutNanos = duration(name, v, false); break;
                case "--connect-timeout": o.connectTimeoutNanos = duration(name, v, false); break;
                case "--connect-concurrency": o.connectConcurrency = (int) range(name, v, 1, 65_536); break;
                case "--compare": o.compare = dimensions(v); break;
                case "--repeat": o.repeat = (int) range(name, v, 1, 1000); break;
                case "--out": o.out = v; break;
                case "--svg": o.svg = v; break;
                case "--label": o.label = v; break;
                default: throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        if (o.scenario == null) {
            throw new IllegalArgumentException("a scenario is required");
        }
        switch (o.scenario) {
            case "pipeline":
                if (!connectionsSet) o.connections = DEFAULT_PIPELINE_CONNECTIONS;
                if (!depthSet) o.depth = DEFAULT_PIPELINE_DEPTH;
                if (!sizeSet) o.bodyBytes = DEFAULT_PIPELINE_BODY_BYTES;
                break;
            case "idle":
                if (!connectionsSet) o.connections = DEFAULT_IDLE_CONNECTIONS;
                if (!warmupSet) o.warmupNanos = 0;
                if (!durationSet) o.durationNanos = DEFAULT_IDLE_HOLD_NANOS;
                warmupSet = true;
                durationSet = true;
                if (depthSet && o.depth != 1) {
                    throw new IllegalArgumentException("idle sends one PING per connection: --depth does not apply");
                }
                break;
            case "get":
            case "put":
            case "mixed":
                if (o.mix != null && !o.scenario.equals("mixed")) {
                    throw new IllegalArgumentException("--mix goes with the mixed scenario");
                }
                if (depthSet && o.depth > 1 && !o.mix().isOnly(OpKind.GET)) {
                    throw new IllegalArgumentException(o.scenario + " keeps one request in flight per connection (a PUT"
                            + " streams its body): --depth above 1 is for get only");
                }
                break;
            default:
                break;
        }
        if (!Scenarios.usesFiles(o.scenario) && (o.root != null || o.mix != null)) {
            throw new IllegalArgumentException("--root and --mix go with the get, put and mixed scenarios");
        }
        if ((o.root != null || !o.serverSync) && !o.target.equals(TARGET_IN_PROCESS) && !o.target.equals(TARGET_SPAWN)) {
            throw new IllegalArgumentException("--root and --server-sync need --target inprocess or spawn (the harness does not"
                    + " start that server)");
        }
        if ((o.user == null) != (o.passwordFile == null)) {
            throw new IllegalArgumentException("--user and --password-file go together");
        }
        if (!connectionsSet && o.connections == 0) o.connections = 1;
        if (!depthSet && o.depth == 0) o.depth = 1;
        if (!warmupSet) o.warmupNanos = DEFAULT_WARMUP_NANOS;
        if (!durationSet) o.durationNanos = DEFAULT_DURATION_NANOS;
        if (!o.target.equals(TARGET_IN_PROCESS) && !o.target.equals(TARGET_SPAWN)) {
            hostPort(o.target); // validates
            if (o.serverCpus != null) {
                throw new IllegalArgumentException("--server-cpus needs --target spawn (the harness cannot pin a server it did not start)");
            }
        } else if (o.serverPid > 0) {
            throw new IllegalArgumentException("--server-pid goes with --target HOST:PORT");
        }
        if (o.serverCpus != null && !o.target.equals(TARGET_SPAWN)) {
            throw new IllegalArgumentException("--server-cpus needs --target spawn");
        }
        return o;
    }

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
            throw new IllegalArgumentException("--target must be inprocess, spawn or HOST:PORT, got '" + s + "'");
        }
        range("--target port", s.substring(colon + 1), 1, 65535);
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
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

    private static Set<Dimension> dimensions(String v) {
        Set<Dimension> s = EnumSet.noneOf(Dimension.class);
        for (String d : v.split(",")) {
            switch (d.trim()) {
                case "nodelay": s.add(Dimension.NODELAY); break;
                case "write-pattern": s.add(Dimension.WRITE_PATTERN); break;
                default: throw new IllegalArgumentException("--compare takes nodelay, write-pattern or both (comma-separated), got '" + d + "'");
            }
        }
        return s;
    }

    private static boolean onOff(String name, String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "on": case "true": case "1": return true;
            case "off": case "false": case "0": return false;
            default: throw new IllegalArgumentException(name + " must be on or off, got '" + v + "'");
        }
    }

    private static long positiveLong(String name, String v) {
        return range(name, v, 1, Long.MAX_VALUE);
    }

    static long range(String name, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }

    /** Parses {@code 64}, {@code 16k}, {@code 1m}, {@code 1g} (binary multiples) into bytes. */
    static long size(String name, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (s.endsWith("k") || s.endsWith("kib")) { mult = 1L << 10; s = s.replaceAll("k(ib)?$", ""); }
        else if (s.endsWith("m") || s.endsWith("mib")) { mult = 1L << 20; s = s.replaceAll("m(ib)?$", ""); }
        else if (s.endsWith("g") || s.endsWith("gib")) { mult = 1L << 30; s = s.replaceAll("g(ib)?$", ""); }
        long n = range(name, s, 0, Long.MAX_VALUE / mult);
        return n * mult;
    }

    /** Parses {@code 250us}, {@code 500ms}, {@code 2s}, {@code 1m}, or plain seconds into nanoseconds. */
    static long duration(String name, String v, boolean zeroAllowed) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        TimeUnit unit = TimeUnit.SECONDS;
        long mult = 1;
        if (s.endsWith("us")) { unit = TimeUnit.MICROSECONDS; s = s.substring(0, s.length() - 2); }
        else if (s.endsWith("ms")) { unit = TimeUnit.MILLISECONDS; s = s.substring(0, s.length() - 2); }
        else if (s.endsWith("s")) { s = s.substring(0, s.length() - 1); }
        else if (s.endsWith("m")) { mult = 60; s = s.substring(0, s.length() - 1); }
        else if (s.endsWith("h")) { mult = 3600; s = s.substring(0, s.length() - 1); }
        long n = range(name, s, zeroAllowed ? 0 : 1, 24L * 3600 * 1_000_000);
        long nanos = unit.toNanos(n * mult);
        if (nanos > TimeUnit.HOURS.toNanos(24)) {
            throw new IllegalArgumentException(name + " is over a day: " + v);
        }
        return nanos;
    }
}

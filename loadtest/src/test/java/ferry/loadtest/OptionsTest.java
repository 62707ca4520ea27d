package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.args.UsageException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static Options parse(String... args) throws UsageException {
        return CommandLine.parse(args);
    }

    @Test
    void defaultsDependOnTheScenario() throws Exception {
        Options ping = parse("ping");
        assertEquals(1, ping.connections);
        assertEquals(1, ping.depth);
        assertEquals(0, ping.bodyBytes);
        assertEquals(Options.DEFAULT_WARMUP_NANOS, ping.warmupNanos);
        assertEquals(Options.DEFAULT_DURATION_NANOS, ping.durationNanos);
        assertTrue(ping.isInProcess());

        Options pipe = parse("pipeline");
        assertEquals(64, pipe.connections);
        assertEquals(16, pipe.depth);
        assertEquals(64, pipe.bodyBytes);
        assertEquals(Options.DEFAULT_WARMUP_NANOS, pipe.warmupNanos);

        Options idle = parse("idle", "-c", "10000");
        assertEquals(10000, idle.connections);
        assertEquals(0, idle.warmupNanos);
        assertEquals(Options.DEFAULT_IDLE_HOLD_NANOS, idle.durationNanos);
        assertEquals(Options.DEFAULT_IDLE_CONNECTIONS, parse("idle").connections);
        assertEquals(TimeUnit.SECONDS.toNanos(1), parse("idle", "--warmup", "1s").warmupNanos);

        for (String s : List.of("get", "put", "mixed")) {
            Options f = parse(s);
            assertEquals(1, f.connections, s);
            assertEquals(1, f.depth, s);
            assertEquals(Options.DEFAULT_FILE_BYTES, f.fileBytes, s);
            assertEquals(Options.DEFAULT_WARMUP_NANOS, f.warmupNanos, s);
        }
    }

    @Test
    void settingsThatDoNotDependOnTheScenarioKeepTheirDefaults() throws Exception {
        Options o = parse("ping");
        assertEquals(Options.TARGET_IN_PROCESS, o.target);
        assertEquals(-1, o.serverPid);
        assertEquals(List.of(), o.serverJvmOpts);
        assertEquals(1, o.serverLoops);
        assertEquals(Options.DEFAULT_THREADS, o.threads);
        assertEquals(0, o.requests);
        assertEquals(0, o.maxTimeNanos);
        assertEquals(Options.DEFAULT_TIMEOUT_NANOS, o.timeoutNanos);
        assertEquals(Options.DEFAULT_CONNECT_TIMEOUT_NANOS, o.connectTimeoutNanos);
        assertEquals(Options.DEFAULT_CONNECT_CONCURRENCY, o.connectConcurrency);
        assertTrue(o.noDelay);
        assertEquals(WritePattern.COALESCED, o.pattern);
        assertTrue(o.compare.isEmpty());
        assertEquals(1, o.repeat);
        assertFalse(o.quiet);
        assertFalse(o.help);
    }

    @Test
    void parsesDurationsSizesAndInlineValues() throws Exception {
        Options o = parse("pipeline", "--duration=1500ms", "--warmup", "250us", "-s", "16k",
                "--max-time", "2m", "--nodelay", "off", "--write-pattern", "split", "--target", "127.0.0.1:7373");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), o.durationNanos);
        assertEquals(TimeUnit.MICROSECONDS.toNanos(250), o.warmupNanos);
        assertEquals(16 * 1024, o.bodyBytes);
        assertEquals(TimeUnit.MINUTES.toNanos(2), o.runDeadlineNanos());
        assertFalse(o.noDelay);
        assertEquals(WritePattern.SPLIT, o.pattern);
        assertFalse(o.controlsServer());
    }

    @Test
    void everyFlagTheScriptsAndDocsUseStillParses() throws Exception {
        // loadtest/scripts/*.sh and docs/BENCHMARKS.md
        Options o = parse("ping", "-s", "64", "--target", "spawn", "--server-cpus", "0", "--warmup", "3s",
                "--duration", "10s", "--repeat", "3", "--label", "ping-pong, 1 connection", "--out", "r.json",
                "--svg", "r.svg", "--compare", "nodelay,write-pattern", "-q");
        assertEquals(64, o.bodyBytes);
        assertTrue(o.isSpawn());
        assertEquals("0", o.serverCpus);
        assertEquals(3, o.repeat);
        assertEquals("r.svg", o.svg);
        assertEquals(4, o.variants().size());
        assertTrue(o.quiet);
        Options put = parse("put", "-c", "8", "--file-size", "1m", "--put-verify", "on", "--server-sync", "off",
                "--root", "/dev/shm/x", "--server-jvm-opts", "-Xmx1g  -XX:+UseSerialGC", "--server-loops", "2");
        assertEquals(1L << 20, put.fileBytes);
        assertTrue(put.putVerify);
        assertFalse(put.serverSync);
        assertEquals(List.of("-Xmx1g", "-XX:+UseSerialGC"), put.serverJvmOpts);
        assertEquals(2, put.serverLoops);
        Options remote = parse("get", "-c", "8", "--target", "nas:7373", "--user", "bench", "--password-file", "pw",
                "--server-pid", "4242", "--timeout", "3s", "--connect-timeout", "2s", "--requests", "500",
                "--connect-concurrency", "64", "-t", "2", "--get-verify-every", "0", "-d", "4");
        assertEquals(4242, remote.serverPid);
        assertEquals(TimeUnit.SECONDS.toNanos(3), remote.timeoutNanos);
        assertEquals(500, remote.requests);
        assertEquals(4, remote.depth);
        assertEquals(0, remote.getVerifyEvery);
        assertEquals(List.of("nas", "7373"), List.of(Options.hostPort(remote.target)));
    }

    @Test
    void everyRunHasADeadlineEvenWithARequestCount() throws Exception {
        Options o = parse("ping", "--requests", "1000000000");
        assertTrue(o.runDeadlineNanos() > 0);
        assertTrue(o.runDeadlineNanos() < TimeUnit.MINUTES.toNanos(5));
    }

    @Test
    void compareProducesOneVariantPerSetting() throws Exception {
        List<Variant> nd = parse("ping", "--compare", "nodelay").variants();
        assertEquals(2, nd.size());
        assertTrue(nd.get(0).noDelay());
        assertFalse(nd.get(1).noDelay());
        assertEquals("nodelay on", nd.get(0).label());
        List<Variant> both = parse("ping", "--compare", "nodelay,write-pattern").variants();
        assertEquals(4, both.size());
        assertEquals("nodelay off · split", both.get(3).label());
        assertEquals(1, parse("ping").variants().size());
    }

    @Test
    void badCommandLinesSayWhatIsWrongOnOneLine() {
        assertMessage("a scenario is required");
        assertMessage("unknown scenario 'pipline' (did you mean 'pipeline'?)", "pipline");
        assertMessage("unknown scenario 'benchmark' (one of ping, pipeline, idle, get, put, mixed)", "benchmark");
        assertMessage("unexpected argument 'pipeline' (scenario already ping)", "ping", "pipeline");
        assertMessage("unknown option '--bogus'", "ping", "--bogus", "1");
        assertMessage("unknown option '--duraton' (did you mean '--duration'?)", "ping", "--duraton", "1s");
        assertMessage("invalid value for -c: 0 is out of range (1 to 1000000)", "ping", "-c", "0");
        assertMessage("invalid value for --duration: 'soon' is not a duration", "ping", "--duration", "soon");
        assertMessage("invalid value for --duration: '10' needs a unit", "ping", "--duration", "10");
        assertMessage("invalid value for --duration: 0 is out of range", "ping", "--duration", "0");
        assertMessage("invalid value for --warmup: 2d is out of range (0 to 1d)", "ping", "--warmup", "2d");
        assertMessage("invalid value for -s: 'big' is not a size", "ping", "-s", "big");
        assertMessage("invalid value for --nodelay: 'maybe' is not true or false", "ping", "--nodelay", "maybe");
        assertMessage("invalid value for --compare: 'nagle' is not one of nodelay, write-pattern",
                "ping", "--compare", "nagle");
        assertMessage("invalid value for --write-pattern: 'x' is not one of coalesced, split",
                "ping", "--write-pattern", "x");
        assertMessage("invalid value for --target: must be inprocess, spawn or HOST:PORT", "ping", "--target", "nowhere");
        assertMessage("invalid value for --target: port 70000 is out of range", "ping", "--target", "h:70000");
        assertMessage("--server-cpus needs --target spawn", "ping", "--server-cpus", "0");
        assertMessage("--server-cpus needs --target spawn", "ping", "--target", "h:1", "--server-cpus", "0");
        assertMessage("--server-pid goes with --target HOST:PORT", "ping", "--server-pid", "12");
        assertMessage("idle sends one PING per connection", "idle", "-d", "2");
        assertMessage("option '-c' needs a value (N)", "ping", "-c");
    }

    @Test
    void fileScenarioOptionsAndWhatTheyRefuse() throws Exception {
        Options get = parse("get", "-c", "8", "-d", "4", "--file-size", "64m");
        assertEquals(64L << 20, get.fileBytes);
        assertTrue(get.mix().isOnly(OpKind.GET));
        assertFalse(get.putVerify);
        assertTrue(get.serverSync);
        assertEquals(Options.DEFAULT_GET_VERIFY_EVERY, get.getVerifyEvery);
        Options mixed = parse("mixed", "--mix", "get=3,put=1", "--put-verify", "on");
        assertEquals("get=3,put=1", mixed.mix().toString());
        assertTrue(mixed.putVerify);
        assertEquals(Mix.DEFAULT_MIXED, parse("mixed").mix().toString());
        assertEquals(Options.DEFAULT_FILE_BYTES, parse("put").fileBytes);

        assertMessage("--depth above 1 is for get only", "put", "-d", "2");
        assertMessage("--depth above 1 is for get only", "mixed", "-d", "2");
        assertMessage("invalid value for --mix: unknown request kind 'del'", "mixed", "--mix", "get=1,del=2");
        assertMessage("invalid value for --mix: needs a positive weight", "mixed", "--mix", "get=0");
        assertMessage("invalid value for --mix: weight of get: 'x' is not a whole number", "mixed", "--mix", "get=x");
        assertMessage("--mix goes with the mixed scenario", "get", "--mix", "get=1");
        assertMessage("--root and --mix go with the get, put and mixed", "ping", "--root", "/tmp/x");
        assertMessage("--root and --server-sync need --target inprocess or spawn",
                "get", "--target", "127.0.0.1:7373", "--server-sync", "off");
        assertMessage("--user and --password-file go together", "get", "--user", "bench");
    }

    @Test
    void helpWinsOverAMissingScenario() throws Exception {
        assertTrue(parse("--help").help);
        assertTrue(parse("ping", "-h").help);
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}

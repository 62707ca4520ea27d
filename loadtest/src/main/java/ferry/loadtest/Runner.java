package ferry.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs one scenario with one setting against the target and returns its numbers: the
 * coordinator of a run. Every wait is bounded by the run's hard deadline, so a run stops by
 * itself whatever the server does.
 *
 * <p>Threading: the caller's thread coordinates; the load itself runs on the {@link LoadEngine}'s
 * I/O threads.
 */
public final class Runner {
    /** How often the coordinator polls shared counters while it waits. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Descriptors a JVM and the harness use besides connections (jars, selectors, pipes). */
    static final int BASE_DESCRIPTORS = 200;
    private static final double MICROS_PER_NANO = 1e-3;

    private final Options options;
    private final Scenario scenario;
    private final Target target;
    private final PrintStream progress;

    public Runner(Options options, Scenario scenario, Target target, PrintStream progress) {
        this.options = options;
        this.scenario = scenario;
        this.target = target;
        this.progress = progress;
    }

    /** One run of {@code variant}; {@code runIndex} is 1-based among its repeats. */
    public RunResult run(Variant variant, int runIndex) throws IOException, InterruptedException {
        checkDescriptors();
        InetSocketAddress address = target.begin(variant, options);
        try {
            scenario.prepare(address, options, target.fileRoot());
            say(scenario.name() + " [" + variant.label() + "] run " + runIndex + "/" + options.repeat
                    + ": " + options.connections + " connection(s) to " + target.describe());
            return scenario.holdsIdle() ? runIdle(address, variant, runIndex) : runTimed(address, variant, runIndex);
        } finally {
            target.end();
        }
    }

    /** Refuses a run this process cannot hold open, with the fix, instead of failing midway. */
    private void checkDescriptors() {
        long limit = ProcStatus.maxOpenFiles();
        long need = (long) options.connections * target.descriptorsPerConnection() + BASE_DESCRIPTORS;
        if (limit > 0 && need > limit) {
            throw new IllegalArgumentException(options.connections + " connections need about " + need
                    + " file descriptors in this process (" + target.descriptorsPerConnection() + " per connection), but the"
                    + " limit is " + limit + ": raise it (ulimit -n), or use --target spawn so the server's ends live in"
                    + " another process");
        }
    }

    private RunState newState(long start) {
        return new RunState(options.requests, options.timeoutNanos, options.connectTimeoutNanos,
                start + options.runDeadlineNanos());
    }

    /** What a timed run saw: the server before and after the measured window, and how it ended. */
    private static final class Measured {
        ServerSample before = ServerSample.UNKNOWN;
        ServerSample after = ServerSample.UNKNOWN;
        String aborted; // null: the run was not cut short
        long unanswered;
        long clientCpuBefore = -1;
        long clientCpuAfter = -1;
    }

    /** Connects, warms up, measures and drains a started engine; the caller stops it. */
    private Measured measure(LoadEngine engine, RunState st) throws IOException, InterruptedException {
        Measured m = new Measured();
        awaitConnections(st);
        if (st.opened.get() == 0) {
            m.aborted = "no connection opened";
        } else {
            st.warmUp();
            engine.startScripts();
            say("  warm-up " + seconds(options.warmupNanos));
            sleepUntil(System.nanoTime() + options.warmupNanos, st, () -> false);
            m.before = target.sample(false);
            m.clientCpuBefore = engine.cpuNanos();
            st.startMeasuring(System.nanoTime());
            say("  measuring " + (options.requests > 0 ? options.requests + " requests" : seconds(options.durationNanos)));
            long end = options.requests > 0 ? st.hardDeadlineNanos : System.nanoTime() + options.durationNanos;
            sleepUntil(end, st, () -> st.phase() != RunState.Phase.MEASURE);
            st.stopMeasuring(System.nanoTime());
            m.clientCpuAfter = engine.cpuNanos();
            m.after = target.sample(false);
            sleepUntil(System.nanoTime() + options.drainNanos, st, () -> st.inflight.sum() == 0);
            m.unanswered = st.inflight.sum();
        }
        if (st.pastDeadline(System.nanoTime())) {
            m.aborted = "hard deadline of " + seconds(options.runDeadlineNanos()) + " reached";
        }
        return m;
    }

    private RunResult runTimed(InetSocketAddress address, Variant variant, int runIndex) throws IOException, InterruptedException {
        long start = System.nanoTime();
        RunState st = newState(start);
        LoadEngine engine = new LoadEngine(address, options, variant, scenario, st);
        Measured m;
        engine.start();
        try {
            m = measure(engine, st);
        } finally {
            engine.stop();
        }
        ErrorCounts errors = engine.errors();
        if (m.unanswered > 0) {
            errors.count("unanswered", m.unanswered);
        }
        if (m.aborted != null) {
            errors.count("aborted", m.aborted);
        }
        RunResult r = common(variant, runIndex, engine, errors, st);
        long measuredNanos = st.measuredNanos();
        long requests = engine.sum(t -> t.measuredCompleted);
        double secs = measuredNanos / 1e9;
        long out = engine.sum(t -> t.measuredBytesOut);
        long in = engine.sum(t -> t.measuredBytesIn);
        r.put(RunResult.WARMUP_SECONDS, options.warmupNanos / 1e9);
        r.put(RunResult.SECONDS, secs);
        r.put(RunResult.REQUESTS, requests);
        if (secs > 0) {
            r.put(RunResult.REQ_PER_SEC, requests / secs);
            r.put(RunResult.MB_PER_SEC, (out + in) / 1e6 / secs);
            r.put(RunResult.PAYLOAD_MB_PER_SEC, engine.sum(t -> t.measuredPayloadBytes) / 1e6 / secs);
        }
        r.put(RunResult.PAYLOAD_BYTES, engine.sum(t -> t.measuredPayloadBytes));
        r.put(RunResult.BYTES_OUT, out);
        r.put(RunResult.BYTES_IN, in);
        latencies(r, engine.histogram());
        if (scenario.reportsKinds()) {
            perKind(r, engine, secs);
        }
        r.put(RunResult.ERRORS, errors.total());
        r.put(RunResult.ERROR_KINDS, errors.toString());
        if (requests > 0) {
            r.put(RunResult.WRITES_PER_REQ, (double) engine.sum(t -> t.measuredWrites) / requests);
            r.put(RunResult.READS_PER_REQ, (double) engine.sum(t -> t.measuredReads) / requests);
        }
        long served = ServerSample.delta(m.before.requests(), m.after.requests());
        r.putKnown(RunResult.SERVER_REQUESTS, served);
        long alloc = ServerSample.delta(m.before.loopAllocatedBytes(), m.after.loopAllocatedBytes());
        if (alloc >= 0 && served > 0) {
            r.put(RunResult.SERVER_ALLOC_PER_REQ, (double) alloc / served);
        }
        r.putKnown(RunResult.SERVER_GCS, ServerSample.delta(m.before.gcCount(), m.after.gcCount()));
        cpu(r, RunResult.SERVER_CPU_PER_REQ, RunResult.SERVER_LOOP_BUSY,
                ServerSample.delta(m.before.loopCpuNanos(), m.after.loopCpuNanos()), served, measuredNanos);
        long processCpu = ServerSample.delta(m.before.processCpuNanos(), m.after.processCpuNanos());
        if (processCpu >= 0 && measuredNanos > 0 && target.descriptorsPerConnection() == 1) {
            r.put(RunResult.SERVER_PROCESS_CPU, 100.0 * processCpu / measuredNanos); // in-process it would include the client
        }
        cpu(r, RunResult.CLIENT_CPU_PER_REQ, RunResult.CLIENT_BUSY,
                ServerSample.delta(m.clientCpuBefore, m.clientCpuAfter), requests, measuredNanos);
        r.putKnown(RunResult.SERVER_ERRORS, m.after.serverErrors());
        if (target.memoryScope() != null) {
            r.put(RunResult.MEMORY_SCOPE, target.memoryScope());
        }
        r.putKnown(RunResult.RSS, m.after.rssBytes());
        if (m.aborted != null) {
            r.put(RunResult.ABORTED, m.aborted);
        }
        say("  " + summary(r));
        return r;
    }

    private RunResult runIdle(InetSocketAddress address, Variant variant, int runIndex) throws IOException, InterruptedException {
        long start = System.nanoTime();
        RunState st = newState(start);
        LoadEngine engine = new LoadEngine(address, options, variant, scenario, st);
        ServerSample base = target.sample(true);
        ServerSample idle = ServerSample.UNKNOWN;
        ServerSample pinged = ServerSample.UNKNOWN;
        ServerSample end = ServerSample.UNKNOWN;
        String aborted = null;
        engine.start();
        try {
            awaitConnections(st);
            int opened = st.opened.get();
            say("  " + opened + " open; sampling server memory");
            idle = target.sample(true);
            if (opened == 0) {
                aborted = "no connection opened";
            } else {
                st.startMeasuring(System.nanoTime());
                engine.startScripts();
                long pingDeadline = System.nanoTime() + options.timeoutNanos + TimeUnit.SECONDS.toNanos(1);
                sleepUntil(pingDeadline, st, () -> st.completed.sum() >= opened - st.closedEarly.get());
                st.stopMeasuring(System.nanoTime());
                say("  " + st.completed.sum() + " PINGs answered; sampling; holding " + seconds(options.durationNanos));
                pinged = target.sample(true);
                sleepUntil(System.nanoTime() + options.durationNanos, st, () -> false);
                end = target.sample(false);
            }
            if (st.pastDeadline(System.nanoTime())) {
                aborted = "hard deadline of " + seconds(options.runDeadlineNanos()) + " reached";
            }
        } finally {
            engine.stop();
        }
        ErrorCounts errors = engine.errors();
        long unanswered = Math.max(0, st.opened.get() - st.closedEarly.get() - st.completed.sum());
        if (unanswered > 0 && aborted == null) {
            errors.count("unanswered", unanswered);
        }
        if (aborted != null) {
            errors.count("aborted", aborted);
        }
        RunResult r = common(variant, runIndex, engine, errors, st);
        r.put(RunResult.SECONDS, options.durationNanos / 1e9);
        r.put(RunResult.REQUESTS, engine.sum(t -> t.measuredCompleted));
        latencies(r, engine.histogram());
        r.put(RunResult.ERRORS, errors.total());
        r.put(RunResult.ERROR_KINDS, errors.toString());
        if (target.memoryScope() != null) {
            r.put(RunResult.MEMORY_SCOPE, target.memoryScope());
        }
        int n = st.opened.get();
        r.putKnown(RunResult.RSS_BASELINE, base.rssBytes());
        r.putKnown(RunResult.RSS_IDLE, idle.rssBytes());
        r.putKnown(RunResult.RSS_AFTER_PING, pinged.rssBytes());
        r.putKnown(RunResult.RSS, end.rssBytes());
        if (n > 0) {
            perConnection(r, RunResult.RSS_PER_CONN_IDLE, base.rssBytes(), idle.rssBytes(), n);
            perConnection(r, RunResult.RSS_PER_CONN_PING, base.rssBytes(), pinged.rssBytes(), n);
            perConnection(r, RunResult.HEAP_PER_CONN_IDLE, base.heapUsedBytes(), idle.heapUsedBytes(), n);
            perConnection(r, RunResult.HEAP_PER_CONN_PING, base.heapUsedBytes(), pinged.heapUsedBytes(), n);
            perConnection(r, RunResult.DIRECT_PER_CONN_PING, base.directBytes(), pinged.directBytes(), n);
        }
        r.putKnown(RunResult.SERVER_REQUESTS, ServerSample.delta(base.requests(), pinged.requests()));
        r.putKnown(RunResult.SERVER_ERRORS, end.serverErrors());
        if (aborted != null) {
            r.put(RunResult.ABORTED, aborted);
        }
        say("  " + summary(r));
        return r;
    }

    /** Requests, rates and latencies of each kind of request a mixed run sent ({@code requests.get}, ...). */
    private static void perKind(RunResult r, LoadEngine engine, double secs) {
        for (OpKind k : OpKind.values()) {
            int i = k.ordinal();
            long n = engine.sum(t -> t.measuredCompletedByKind[i]);
            if (n == 0) {
                continue;
            }
            long payload = engine.sum(t -> t.measuredPayloadByKind[i]);
            r.put(RunResult.perKind(RunResult.REQUESTS, k), n);
            r.put(RunResult.perKind(RunResult.PAYLOAD_BYTES, k), payload);
            if (secs > 0) {
                r.put(RunResult.perKind(RunResult.REQ_PER_SEC, k), n / secs);
                r.put(RunResult.perKind(RunResult.PAYLOAD_MB_PER_SEC, k), payload / 1e6 / secs);
            }
            Histogram h = engine.histogram(k);
            r.put(RunResult.perKind(RunResult.P50, k), h.valueAt(50) * MICROS_PER_NANO);
            r.put(RunResult.perKind(RunResult.P99, k), h.valueAt(99) * MICROS_PER_NANO);
            r.put(RunResult.perKind(RunResult.MAX, k), h.max() * MICROS_PER_NANO);
        }
    }

    /** CPU µs per request and % of one core busy, when the CPU time is known. */
    private static void cpu(RunResult r, String perRequestKey, String busyKey, long cpuNanos, long requests, long windowNanos) {
        if (cpuNanos < 0 || windowNanos <= 0) {
            return;
        }
        if (requests > 0) {
            r.put(perRequestKey, cpuNanos / 1e3 / requests);
        }
        r.put(busyKey, 100.0 * cpuNanos / windowNanos);
    }

    private static void perConnection(RunResult r, String key, long before, long after, int n) {
        if (before >= 0 && after >= 0) {
            r.put(key, (double) (after - before) / n);
        }
    }

    private RunResult common(Variant variant, int runIndex, LoadEngine engine, ErrorCounts errors, RunState st) {
        RunResult r = new RunResult(errors);
        r.put(RunResult.SCENARIO, scenario.name());
        r.put(RunResult.SETTING, variant.label());
        r.put(RunResult.RUN, (long) runIndex);
        r.put(RunResult.TARGET, target.describe());
        r.put(RunResult.CONNECTIONS, (long) options.connections);
        r.put(RunResult.OPENED, (long) st.opened.get());
        r.put(RunResult.DEPTH, (long) options.depth);
        r.put(RunResult.BODY_BYTES, options.bodyBytes);
        if (Scenarios.usesFiles(options.scenario)) {
            r.put(RunResult.FILE_BYTES, options.fileBytes);
        }
        r.put(RunResult.THREADS, (long) Math.min(options.threads, options.connections));
        r.put(RunResult.NODELAY, variant.noDelay());
        r.put(RunResult.SERVER_NODELAY, target.setsServerNoDelay() ? (Object) variant.noDelay() : "unchanged");
        r.put(RunResult.WRITE_PATTERN, variant.pattern().label());
        return r;
    }

    private static void latencies(RunResult r, Histogram h) {
        if (h.count() == 0) {
            return;
        }
        r.put(RunResult.P50, h.valueAt(50) * MICROS_PER_NANO);
        r.put(RunResult.P90, h.valueAt(90) * MICROS_PER_NANO);
        r.put(RunResult.P99, h.valueAt(99) * MICROS_PER_NANO);
        r.put(RunResult.P999, h.valueAt(99.9) * MICROS_PER_NANO);
        r.put(RunResult.MAX, h.max() * MICROS_PER_NANO);
        r.put(RunResult.MEAN, h.mean() * MICROS_PER_NANO);
    }

    /** Waits until every connection opened or failed, the connect timeout, or the deadline. */
    private void awaitConnections(RunState st) {
        say("  connecting " + options.connections);
        long until = System.nanoTime() + options.connectTimeoutNanos + TimeUnit.SECONDS.toNanos(1);
        sleepUntil(until, st, () -> st.opened.get() + st.connectFailures.get() >= options.connections);
    }

    /** Parks until {@code deadline}, the run's hard deadline, or {@code done}, whichever is first. */
    private static void sleepUntil(long deadline, RunState st, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now - deadline >= 0 || st.pastDeadline(now)) {
                return;
            }
            LockSupport.parkNanos(Math.min(POLL_NANOS, deadline - now));
        }
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s == Math.rint(s) ? (long) s + "s" : String.format(Locale.ROOT, "%.3gs", s);
    }

    private static String summary(RunResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.has(RunResult.REQ_PER_SEC)) {
            sb.append(Format.rate(r.num(RunResult.REQ_PER_SEC))).append(" req/s, ");
        }
        if (r.has(RunResult.P50)) {
            sb.append("p50 ").append(Format.micros(r.num(RunResult.P50))).append(", ");
        }
        if (r.has(RunResult.RSS_PER_CONN_PING)) {
            sb.append(Format.bytes(r.num(RunResult.RSS_PER_CONN_PING))).append(" RSS/connection after PING, ");
        }
        sb.append("errors: ").append(r.errors());
        return sb.toString();
    }

    private void say(String line) {
        if (progress != null) {
            progress.println(line);
        }
    }
}

package ferry.loadtest;

import ferry.cli.args.ValueType;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File-transfer benchmark against the loopback ceiling, in one run on one machine.
 *
 * <p>Run it through {@code loadtest/bench-files.sh} (or {@code make bench-files}), which pins this
 * JVM, the client side, to core 1. It starts the Ferry servers in JVMs of their own pinned to
 * core 0 ({@link FileBenchServer}), and for every round runs, one after another (alternating, so slow
 * phases of a noisy machine hit every scenario alike): {@code iperf3 -Z} and plain {@code iperf3}
 * (sender on core 0, receiver on core 1, like a Ferry download), a GET of the big cached file to a
 * client that discards what it reads in 64 KiB reads, a GET saved to disk and verified (the
 * FileClient defaults: SHA-256, fsync, rename), a {@code dd} write of the same size with
 * {@code conv=fsync} (the reference for saved downloads) and one with {@code oflag=direct} (what
 * the disk takes: the reference for uploads, which the server writes with O_DIRECT), PUTs, and
 * 100 concurrent downloads. Then PING latency during a cold
 * download, with and without read-ahead. Prints medians and ratios as Markdown.
 *
 * <p>{@code run --dir DIR [--size 2g] [--rounds 5] [--clients 100] [--out FILE]}
 */
public final class FileBench {
    private static final String BIG = "big.bin";
    private static final int IPERF_PORT = 5399;

    private final Path dir;
    private final long size;
    private final int rounds;
    private final int clients;
    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private int iperfRuns;

    private FileBench(Path dir, long size, int rounds, int clients) {
        this.dir = dir;
        this.size = size;
        this.rounds = rounds;
        this.clients = clients;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            System.exit(FileBenchServer.serve(args));
        }
        if (args.length == 0 || !args[0].equals("run")) {
            System.err.println("usage: FileBench run --dir DIR [--size 2g] [--rounds 5] [--clients 100] [--out FILE]");
            System.err.println("       FileBench serve --root DIR [--read-ahead BYTES] [--no-sync]");
            System.exit(2);
        }
        Path dir = Path.of("/tmp/ferry-bench");
        long size = 2L << 30;
        int rounds = 5;
        int clients = 100;
        Path out = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--size" -> size = ValueType.size(1, Long.MAX_VALUE).parse(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String report = new FileBench(dir, size, rounds, clients).run();
        System.out.println(report);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
        }
    }

    private String run() throws Exception {
        Path srv = Files.createDirectories(dir.resolve("srv"));
        Path srvB = Files.createDirectories(dir.resolve("srv-nosync"));
        Path cli = Files.createDirectories(dir.resolve("cli"));
        Path big = srv.resolve(BIG);
        Path src = cli.resolve("src.bin");
        log("preparing " + size + "-byte files in " + dir);
        BenchHost.ensureFile(big, size, 1);
        BenchHost.ensureFile(src, size, 2);
        BenchHost.cat(big);
        BenchHost.cat(src);
        try (BenchServerProcess a = BenchServerProcess.start(srv, "--read-ahead", String.valueOf(16L << 20));
             BenchServerProcess noSync = BenchServerProcess.start(srvB, "--no-sync");
             BenchServerProcess noAhead = BenchServerProcess.start(srv, "--read-ahead", "0")) {
            long t0 = System.nanoTime();
            try (FerryClient c = FerryClient.connect("127.0.0.1", a.port)) {
                new FileClient(c).hash(BIG, DigestAlgorithm.SHA_256);
            }
            notes.add(String.format(Locale.ROOT, "first SHA-256 of the %s file on the server (cached afterwards): %.2f s",
                    human(size), (System.nanoTime() - t0) / 1e9));
            log("warm-up round (not recorded): JIT, and the first touch of page-cache memory");
            getDiscard(a.port, 0, size);
            getSaved(a.port, cli);
            put(a.port, src, true);
            put(noSync.port, src, false);
            for (int r = 1; r <= rounds; r++) {
                log("round " + r + " of " + rounds);
                record("iperf3 -Z", iperf(true));
                record("iperf3", iperf(false));
                record("GET to a discarding client (64 KiB reads)", getDiscard(a.port, 0, size));
                record("GET saved to disk + SHA-256 verified (fsync, rename)", getSaved(a.port, cli));
                record("dd write of the same size (conv=fsync)", dd(cli, false));
                record("dd O_DIRECT write of the same size (oflag=direct, conv=fsync)", dd(cli, true));
                record("PUT, SHA-256 verified, fsync (defaults)", put(a.port, src, true));
                record("PUT, unverified, no fsync", put(noSync.port, src, false));
                record("PUT, SHA-256 verified, no fsync", put(noSync.port, src, true));
                record(clients + " concurrent GETs, aggregate", concurrent(a.port));
            }
            String ping = pingDuringColdGet(a, noAhead, big);
            return report(ping);
        } finally {
            for (Path p : new Path[] {cli.resolve("dl.bin"), cli.resolve("dd.bin"), srv.resolve("up.bin"), srvB.resolve("up.bin")}) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- scenarios ------------------------------------------------------------------------------

    /** iperf3 sender on core 0, receiver on core 1 (the receiver measures). Bytes per second. */
    private double iperf(boolean zeroCopy) throws Exception {
        int port = IPERF_PORT + (iperfRuns++ % 50); // a fresh port: the last run's may still be closing
        Process server = new ProcessBuilder("taskset", "-c", "1", "iperf3", "-s", "-1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "0", "iperf3", "-c", "127.0.0.1",
                    "-p", String.valueOf(port), "-n", String.valueOf(size), "-J"));
            if (zeroCopy) {
                cmd.add("-Z");
            }
            String json = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) { // on a loaded machine the server may take a while to listen
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                // iperf3 -J exits 0 even when it could not connect; the JSON then has an "error".
                if (p.waitFor() == 0 && !json.contains("\"error\"")) {
                    break;
                }
                if (!server.isAlive()) {
                    throw new IOException("iperf3 server on port " + port + " exited: " + json);
                }
                Thread.sleep(200); // a tool waiting for another process, not a test
            }
            Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.e+]+)",
                    Pattern.DOTALL).matcher(json);
            if (!m.find()) {
                throw new IOException("cannot read iperf3's result: " + json.substring(0, Math.min(400, json.length())));
            }
            return Double.parseDouble(m.group(1)) / 8;
        } finally {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroy();
            }
        }
    }

    /** GET [offset, offset+length) of the big file; the client reads 64 KiB at a time and discards. */
    private static double getDiscard(int port, long offset, long length) throws IOException {
        try (FerryClient c = FerryClient.connect("127.0.0.1", port)) {
            c.hello();
            return timedGet(c, offset, length);
        }
    }

    private static double timedGet(FerryClient c, long offset, long length) throws IOException {
        long t0 = System.nanoTime();
        Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", BIG).put("offset", offset).put("length", length);
        c.send(req);
        Header h = c.expect(c.readHeader(), "FILE", req.id());
        long[] got = {0};
        while (c.readBodyChunk(chunk -> {
            got[0] += chunk.remaining();
            chunk.position(chunk.limit());
        })) {
            // discard
        }
        if (got[0] != h.size()) {
            throw new IOException("short body: " + got[0] + " of " + h.size());
        }
        return got[0] * 1e9 / (System.nanoTime() - t0);
    }

    private double getSaved(int port, Path cli) throws IOException {
        Path dst = cli.resolve("dl.bin");
        Files.deleteIfExists(dst);
        try (FerryClient c = FerryClient.connect("127.0.0.1", port)) {
            c.hello();
            long t0 = System.nanoTime();
            new FileClient(c).download(BIG, dst);
            double rate = size * 1e9 / (System.nanoTime() - t0);
            Files.delete(dst);
            return rate;
        }
    }

    /**
     * dd of the file's size to the client's folder, through the page cache (what a saved download
     * is compared with) or with O_DIRECT (what the disk itself takes: the reference for uploads,
     * which the server writes with O_DIRECT).
     */
    private double dd(Path cli, boolean direct) throws Exception {
        Path out = cli.resolve("dd.bin");
        long mib = size >> 20;
        long t0 = System.nanoTime();
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "1", "dd", "if=/dev/zero", "of=" + out, "bs=1M",
                "count=" + mib, "conv=fsync"));
        if (direct) {
            cmd.add("oflag=direct");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("dd failed: " + text);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Matcher m = Pattern.compile("copied, ([0-9.]+) s").matcher(text);
        double secs = m.find() ? Double.parseDouble(m.group(1)) : wall;
        Files.delete(out);
        return (mib << 20) / secs;
    }

    private double put(int port, Path src, boolean verify) throws IOException {
        try (FerryClient c = FerryClient.connect("127.0.0.1", port)) {
            c.hello();
            FileClient files = new FileClient(c, FileClient.Options.defaults().withVerify(verify).withResume(false));
            long t0 = System.nanoTime();
            files.upload(src, "up.bin");
            double rate = size * 1e9 / (System.nanoTime() - t0);
            files.delete("up.bin", false);
            return rate;
        }
    }

    /**
     * {@code clients} connections each GET a slice of the big file at once; aggregate bytes/s from
     * the first GET's start to the last one's end, as the GET threads themselves time them (the
     * main thread shares the client core with them and may run late).
     */
    private double concurrent(int port) throws Exception {
        long slice = size / clients;
        List<FerryClient> conns = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(clients);
        try {
            for (int i = 0; i < clients; i++) {
                FerryClient c = FerryClient.connect("127.0.0.1", port);
                c.hello();
                conns.add(c);
                long off = i * slice;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        long t0 = System.nanoTime();
                        firstStart.accumulateAndGet(t0, Math::min);
                        timedGet(c, off, slice);
                        lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                        bytes.addAndGet(slice);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "get-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!errors.isEmpty()) {
                throw new IOException("concurrent GET failed: " + errors.get(0), errors.get(0));
            }
            return bytes.get() * 1e9 / (lastEnd.get() - firstStart.get());
        } finally {
            for (FerryClient c : conns) {
                c.close();
            }
        }
    }

    /**
     * PING round trips on a second connection while a first downloads the big file with a cold
     * page cache (evicted with {@code dd iflag=nocache}, which only drops this file's pages), with
     * read-ahead (the default) and without.
     */
    private String pingDuringColdGet(BenchServerProcess withAhead, BenchServerProcess without, Path big) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("| server | cold GET GB/s | PINGs | PING p50 | PING p99 | PING max |\n|---|---|---|---|---|---|\n");
        sb.append(pingRow("idle (no download), for reference", withAhead.port, null, big));
        for (int r = 0; r < 2; r++) {
            sb.append(pingRow("read-ahead 16 MiB in 4 MiB windows (default)", withAhead.port, withAhead, big));
            sb.append(pingRow("read-ahead off (one region, loop reads the disk)", without.port, without, big));
        }
        BenchHost.cat(big); // leave it cached
        return sb.toString();
    }

    private String pingRow(String label, int pingPort, BenchServerProcess server, Path big) throws Exception {
        List<Long> lat = new ArrayList<>();
        double[] rate = {0};
        try (FerryClient pinger = FerryClient.connect("127.0.0.1", pingPort)) {
            pinger.hello();
            if (server == null) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < end) {
                    lat.add(pinger.ping());
                }
            } else {
                BenchHost.evict(big);
                Throwable[] err = {null};
                Thread dl = new Thread(() -> {
                    try {
                        rate[0] = getDiscard(server.port, 0, size);
                    } catch (Throwable e) {
                        err[0] = e;
                    }
                }, "cold-get");
                dl.start();
                while (dl.isAlive()) {
                    lat.add(pinger.ping());
                }
                dl.join();
                if (err[0] != null) {
                    throw new IOException("cold GET failed: " + err[0], err[0]);
                }
            }
        }
        Collections.sort(lat);
        return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s |\n", label,
                server == null ? "-" : String.format(Locale.ROOT, "%.2f", rate[0] / 1e9), lat.size(),
                micros(lat.get(lat.size() / 2)), micros(lat.get((int) Math.min(lat.size() - 1, lat.size() * 0.99))),
                micros(lat.get(lat.size() - 1)));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void record(String name, double bytesPerSecond) {
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(bytesPerSecond);
        log(String.format(Locale.ROOT, "  %-55s %6.2f GB/s", name, bytesPerSecond / 1e9));
    }

    /** Median over rounds of run[i] / reference[i]. */
    private static double pairedRatio(List<Double> runs, List<Double> reference) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(runs.size(), reference.size()); i++) {
            r.add(runs.get(i) / reference.get(i));
        }
        return median(r);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private String report(String ping) throws Exception {
        double zc = median(results.get("iperf3 -Z"));
        double dd = median(results.get("dd write of the same size (conv=fsync)"));
        Map<String, String> goals = Map.of(
                "GET to a discarding client (64 KiB reads)", "≥ 0.85 of iperf3 -Z",
                "GET saved to disk + SHA-256 verified (fsync, rename)", "≥ 0.9 of dd",
                "PUT, SHA-256 verified, fsync (defaults)", "≥ 0.6 of iperf3 -Z",
                "PUT, unverified, no fsync", "≥ 0.6 of iperf3 -Z",
                "PUT, SHA-256 verified, no fsync", "≥ 0.6 of iperf3 -Z",
                clients + " concurrent GETs, aggregate", "≥ 0.85 of iperf3 -Z");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Machine: %s, %d cores, kernel %s, Java %s. File: %s. Rounds: %d (median).%n%n",
                BenchHost.cpuModel(), BenchHost.cpuCount(), System.getProperty("os.version"),
                System.getProperty("java.version"), human(size), rounds));
        sb.append("Ratios: median over medians, and (in brackets) the median of the per-round ratios, each run\n"
                + "compared with the reference measured minutes earlier in the same round.\n\n");
        sb.append("| scenario | median GB/s | all runs GB/s | vs iperf3 -Z | vs dd | goal |\n|---|---|---|---|---|---|\n");
        List<Double> zcRuns = results.get("iperf3 -Z");
        List<Double> ddRuns = results.get("dd write of the same size (conv=fsync)");
        double ddDirect = median(results.get("dd O_DIRECT write of the same size (oflag=direct, conv=fsync)"));
        List<Double> ddDirectRuns = results.get("dd O_DIRECT write of the same size (oflag=direct, conv=fsync)");
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            double m = median(e.getValue());
            StringBuilder all = new StringBuilder();
            for (double v : e.getValue()) {
                all.append(all.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v / 1e9));
            }
            boolean disk = e.getKey().startsWith("GET saved") || e.getKey().startsWith("dd write");
            boolean direct = e.getKey().startsWith("PUT") || e.getKey().startsWith("dd O_DIRECT");
            String vsDd = disk ? String.format(Locale.ROOT, "%.2f (%.2f)", m / dd, pairedRatio(e.getValue(), ddRuns))
                    : direct ? String.format(Locale.ROOT, "%.2f (%.2f) of O_DIRECT dd", m / ddDirect,
                            pairedRatio(e.getValue(), ddDirectRuns)) : "";
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %.2f (%.2f) | %s | %s |%n", e.getKey(), m / 1e9, all,
                    m / zc, pairedRatio(e.getValue(), zcRuns), vsDd, goals.getOrDefault(e.getKey(), "")));
        }
        sb.append("\nPING round trips on a second connection during a cold GET of the whole file:\n\n").append(ping);
        sb.append('\n');
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }

    private static String human(long bytes) {
        return bytes % (1L << 30) == 0 ? (bytes >> 30) + " GiB" : bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " B";
    }

    private static void log(String s) {
        System.err.println(s);
    }
}

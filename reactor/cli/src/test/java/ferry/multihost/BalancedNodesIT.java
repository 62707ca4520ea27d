package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.AuthClient;
import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.DigestAlgorithm;
import ferry.services.file.UploadTemps;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Ferry nodes over one shared volume behind HAProxy (Debian's package, in the local image)
 * with PROXY protocol v2 and the health check of docs/DEPLOYING.md, as they are deployed: many
 * clients doing uploads and verified downloads through the balancer while one node is SIGKILLed
 * and another is cut off the network mid-upload. Every client finishes through the balancer on a
 * surviving node, the interrupted uploads resuming from the partial the failed node left on the
 * shared storage; no file is lost or corrupt; the nodes log the clients' addresses the PROXY
 * headers named; HAProxy's check takes the failed nodes out and the healed ones back.
 *
 * <p>The clients run in the test JVM and reach the balancer through its published port; each
 * retries a failed step on a new connection, as the CLI does ({@code --retries}).
 */
@MultiHost
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BalancedNodesIT {
    private static final String PASSWORD = "balanced-nodes-pw";
    private static final String USER = "alice";
    private static final List<String> NODES = List.of("ferry-1", "ferry-2", "ferry-3");
    private static final String KILLED = "ferry-1";
    private static final String CUT = "ferry-2";
    private static final String SURVIVOR = "ferry-3";
    private static final String BALANCER = "ferry-lb";
    /** Clients at once; {@code -Dferry.balanced.clients=N} to change. */
    private static final int CLIENTS = Integer.getInteger("ferry.balanced.clients", 200);
    /** Upload + verified download rounds per client. */
    private static final int ROUNDS = 2;
    private static final int MIN_SMALL_BYTES = 16 * 1024;
    private static final int MAX_SMALL_BYTES = 384 * 1024;
    /** Big uploads, opened first so that least-connections balancing gives each node two of them. */
    private static final int BIG_UPLOADS = 6;
    private static final long BIG_BYTES = 32L << 20;
    /** What each big upload sends before the faults, and what its node has written when they come. */
    private static final long BIG_PREFIX = 8L << 20;
    /** A client gives up on a step after this long of retrying. */
    private static final Duration STEP_DEADLINE = Duration.ofSeconds(100);
    private static final long MAX_BACKOFF_MILLIS = 1_000;
    private static final ClientOptions CLIENT_OPTIONS = ClientOptions.defaults()
            .withConnectTimeoutMillis(3_000).withReadTimeoutMillis(4_000);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);

    /**
     * PROXY protocol from the private ranges Docker networks use (the balancer's address is known
     * only once it starts); a silent upload stopped within 20 s (a cut node lets go of its partial's
     * lock), 2 min by default, while an upload that sent its prefix in its first window and then
     * waited a few seconds for the faults is left alone. All clients here are one user from one address (the test
     * JVM behind Docker's gateway), so the per-user and per-address caps are lifted, and the upload
     * buffers made small enough for every client to upload to one node at once in a 256 MiB heap.
     */
    private static final String[] NODE_ARGS = {"--proxy-protocol", "--trusted-proxies",
            "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", "--min-upload-rate", "32k", "--upload-rate-window", "10s",
            "--max-connections-per-address", "0", "--max-uploads-per-user", "1024", "--max-uploads-per-address", "1024",
            "--max-concurrent-uploads", "1024", "--upload-buffer", "256k"};

    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.builder()
            .server("ferry-1", NODE_ARGS).user("ferry-1", USER, "all", PASSWORD)
            .server("ferry-2", NODE_ARGS).user("ferry-2", USER, "all", PASSWORD)
            .server("ferry-3", NODE_ARGS).user("ferry-3", USER, "all", PASSWORD)
            .sharedData("ferry-1", "ferry-2", "ferry-3")
            .balancer(BALANCER)
            .build();

    @TempDir
    Path local;

    private final Map<String, String> expected = new ConcurrentHashMap<>(); // remote name -> sha-256 of what was put
    private final AtomicInteger retries = new AtomicInteger();

    @Test
    void clientsThroughHaproxyFinishWhenOneNodeIsKilledAndAnotherCutMidUpload() throws Exception {
        FerryHost lb = HOSTS.get(BALANCER);
        lb.writeFile("/haproxy.cfg", haproxyConfig());
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + BIG_UPLOADS);
        try (BackgroundExec haproxy = lb.start("haproxy", "-db", "-f", "/haproxy.cfg")) {
            awaitBalancer(lb, haproxy);
            long t0 = System.nanoTime();

            // 1. Two big uploads per node, each stopped after its prefix until the faults are in.
            CountDownLatch faultsIn = new CountDownLatch(1);
            List<Future<TransferResult>> big = new ArrayList<>();
            for (int i = 0; i < BIG_UPLOADS; i++) {
                Path src = TestFiles.write(local.resolve("big-" + i), BIG_BYTES, 1000 + i);
                expected.put("big-" + i, TestFiles.sha256(src));
                BigUpload u = new BigUpload(lb, src, "big-" + i, faultsIn);
                u.sendPrefix(); // sequentially: leastconn gives the 6 long connections 2 per node
                big.add(pool.submit(u::finish));
            }

            // 2. The many clients; the faults once a quarter of their uploads are in and every big
            // upload's node has written its prefix.
            CountDownLatch quarter = new CountDownLatch(CLIENTS * ROUNDS / 4);
            List<Future<?>> small = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                small.add(pool.submit(() -> {
                    smallClient(lb, client, quarter);
                    return null;
                }));
            }
            FerryHost survivor = HOSTS.get(SURVIVOR);
            for (int i = 0; i < BIG_UPLOADS; i++) {
                String temp = UploadTemps.tempFor(Path.of(FerryHost.DATA, "big-" + i), USER, BIG_BYTES,
                        DigestAlgorithm.SHA_256, expected.get("big-" + i)).toString();
                survivor.awaitSize(temp, BIG_PREFIX, Duration.ofSeconds(60), null);
            }
            quarter.await(STEP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            HOSTS.get(KILLED).kill();
            HOSTS.get(CUT).disconnect();
            faultsIn.countDown();
            haproxy.awaitStderrLine("Server ferry/" + KILLED + " is DOWN", HEALTH_TIMEOUT);
            haproxy.awaitStderrLine("Server ferry/" + CUT + " is DOWN", HEALTH_TIMEOUT);
            int downSeen = haproxy.stderr().length();

            // 3. Everyone finishes.
            for (Future<?> f : small) {
                f.get(3, TimeUnit.MINUTES);
            }
            int resumed = 0;
            int whole = 0;
            StringBuilder bigReport = new StringBuilder();
            for (int i = 0; i < BIG_UPLOADS; i++) {
                TransferResult r = big.get(i).get(3, TimeUnit.MINUTES);
                bigReport.append(" big-").append(i).append(" resumed from ").append(r.resumedFrom());
                if (r.resumedFrom() >= BIG_PREFIX) {
                    resumed++;
                } else if (r.resumedFrom() == 0 && r.transferred() == BIG_BYTES) {
                    whole++;
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("BalancedNodesIT: %d clients x %d rounds + %d big uploads in %d ms, %d retries;%s%n",
                    CLIENTS, ROUNDS, BIG_UPLOADS, millis, retries.get(), bigReport);
            assertTrue(resumed >= 4, "the big uploads on the killed and the cut node (two each) resumed from"
                    + " the partial they left on the shared volume:" + bigReport);
            // The two on the survivor normally go on uninterrupted; on a machine so loaded that the
            // faults came after a whole --upload-rate-window of their silence, they were stopped and resumed.
            assertEquals(BIG_UPLOADS, resumed + whole, "each big upload resumed from its partial or went whole:"
                    + bigReport);

            // 4. Nothing lost, nothing corrupt, no temp left: hashed on the shared volume itself.
            assertEquals(new TreeMap<>(expected), onDisk(survivor), "every file, byte-exact");
            assertEquals(List.of(), survivor.transferLeftovers(FerryHost.DATA), "no upload temp is left");

            // 5. The nodes logged the clients the PROXY headers named, not the balancer.
            String lbAddress = lb.container().getContainerInfo().getNetworkSettings().getNetworks().values()
                    .iterator().next().getIpAddress();
            for (String node : NODES) {
                assertProxiedClientsLogged(HOSTS.get(node), lbAddress);
            }

            // 6. Healed, the nodes pass the health check again.
            HOSTS.get(KILLED).heal();
            HOSTS.get(CUT).heal();
            awaitAfter(haproxy, downSeen, "Server ferry/" + KILLED + " is UP");
            awaitAfter(haproxy, downSeen, "Server ferry/" + CUT + " is UP");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until HAProxy's stderr, past its first {@code mark} characters, holds {@code text}. */
    private static void awaitAfter(BackgroundExec haproxy, int mark, String text) throws InterruptedException {
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (!haproxy.stderr().substring(mark).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("HAProxy did not say \"" + text + "\" within " + HEALTH_TIMEOUT + ":"
                        + haproxy.snapshot());
            }
            Thread.sleep(50); // polling HAProxy's log, with a deadline
        }
    }

    // ---- the balancer ------------------------------------------------------------------------------

    /**
     * The HAProxy configuration: the backend's health check is the one docs/DEPLOYING.md gives,
     * read from it, so the documented check is what this test proves; checks every 500 ms and
     * connects to a dead node are given up in a second (clients notice a silent node by their own
     * read and write timeouts); Docker's DNS follows a restarted node's address.
     */
    static String haproxyConfig() throws IOException {
        String doc = Files.readString(Path.of("../../docs/DEPLOYING.md")); // failsafe runs in reactor/cli
        Matcher block = Pattern.compile("```haproxy\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/DEPLOYING.md has a haproxy block");
        String checks = block.group(1).lines()
                .filter(l -> l.strip().startsWith("option tcp-check") || l.strip().startsWith("tcp-check "))
                .map(l -> "    " + l.strip() + "\n").collect(Collectors.joining());
        // As in the doc, the check's connection carries a PROXY header (Ferry refuses a trusted proxy's without).
        assertTrue(block.group(1).contains("check-send-proxy"), "the documented servers send PROXY headers on checks");
        assertTrue(checks.contains("tcp-check send-binary") && checks.contains("tcp-check expect"), checks);
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4096
                resolvers docker
                    nameserver dns 127.0.0.11:53
                    hold valid 1s
                defaults
                    mode tcp
                    timeout connect 1s
                    timeout client 60s
                    timeout server 60s
                    retries 3
                    option redispatch
                frontend ferry_in
                    bind :7373
                    default_backend ferry
                backend ferry
                    balance leastconn
                """);
        cfg.append(checks);
        cfg.append("    default-server send-proxy-v2 check check-send-proxy inter 500ms fall 2 rise 2"
                + " resolvers docker init-addr libc,none\n");
        for (String node : NODES) {
            cfg.append("    server ").append(node).append(' ').append(node).append(':').append(FerryHost.PORT).append('\n');
        }
        return cfg.toString();
    }

    /** Until a login and a PING go through the balancer (HAProxy started, nodes checked). */
    private static void awaitBalancer(FerryHost lb, BackgroundExec haproxy) throws InterruptedException {
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (true) {
            try (FerryClient c = lb.connect(CLIENT_OPTIONS)) {
                new AuthClient(c).login(USER, PASSWORD.toCharArray());
                c.ping();
                return;
            } catch (IOException e) {
                if (haproxy.isDone() || System.nanoTime() > deadline) {
                    throw new AssertionError("HAProxy did not pass a PING to a node: " + e + haproxy.snapshot(), e);
                }
                Thread.sleep(100); // polling the balancer's start, with a deadline
            }
        }
    }

    // ---- the clients ---------------------------------------------------------------------------

    /** A connection through the balancer, logged in, opened again after a failure. */
    private final class Session implements AutoCloseable {
        private final FerryHost lb;
        private FerryClient client;

        Session(FerryHost lb) {
            this.lb = lb;
        }

        FileClient files() throws IOException {
            if (client == null) {
                FerryClient c = lb.connect(CLIENT_OPTIONS);
                try {
                    new AuthClient(c).login(USER, PASSWORD.toCharArray());
                } catch (IOException e) {
                    c.close();
                    throw e;
                }
                client = c;
            }
            return new FileClient(client);
        }

        FerryClient raw() throws IOException {
            files();
            return client;
        }

        /** Runs {@code step} until it succeeds, on a new connection after each failure. */
        <T> T retrying(String what, Step<T> step) throws Exception {
            long deadline = System.nanoTime() + STEP_DEADLINE.toNanos();
            long backoff = 50;
            while (true) {
                try {
                    return step.run(files());
                } catch (IOException e) {
                    close();
                    if (!retryable(e) || System.nanoTime() > deadline) {
                        throw new AssertionError(what + " failed: " + e, e);
                    }
                    retries.incrementAndGet();
                    Thread.sleep(backoff); // a client's back-off between reconnections, as the CLI's
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                }
            }
        }

        @Override
        public void close() {
            if (client != null) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // a broken connection: nothing to say goodbye to
                }
                client = null;
            }
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run(FileClient files) throws Exception;
    }

    /** Lost connections, and what a node answers while another still holds the upload or is busy. */
    private static boolean retryable(IOException e) {
        if (e instanceof RemoteException r) {
            return Set.of("conflict", "busy", "timed_out", "unavailable").contains(r.code());
        }
        return true;
    }

    /** Rounds of: upload a file of its own, then download and check one another client uploaded. */
    private void smallClient(FerryHost lb, int client, CountDownLatch progress) throws Exception {
        SplittableRandom random = new SplittableRandom(client);
        try (Session s = new Session(lb)) {
            for (int round = 0; round < ROUNDS; round++) {
                String name = "c" + client + "-" + round;
                Path src = TestFiles.write(local.resolve(name), random.nextInt(MIN_SMALL_BYTES, MAX_SMALL_BYTES), client * 31L + round);
                String digest = TestFiles.sha256(src);
                s.retrying("upload of " + name, files -> files.upload(src, name));
                expected.put(name, digest);
                progress.countDown();

                String other = "c" + ((client + 1) % CLIENTS) + "-" + round;
                String read = expected.containsKey(other) ? other : name;
                Path dst = local.resolve("got-" + client + "-" + round);
                s.retrying("download of " + read, files -> files.download(read, dst));
                assertEquals(expected.get(read), TestFiles.sha256(dst), "downloaded " + read);
                Files.delete(dst);
            }
        }
    }

    /** One big upload: its prefix on one connection, the rest once the faults are in, resuming if need be. */
    private final class BigUpload {
        private final Session session;
        private final Path src;
        private final String name;
        private final CountDownLatch faultsIn;
        private long id;

        BigUpload(FerryHost lb, Path src, String name, CountDownLatch faultsIn) {
            this.session = new Session(lb);
            this.src = src;
            this.name = name;
            this.faultsIn = faultsIn;
        }

        void sendPrefix() throws IOException {
            FileClient files = session.files();
            id = files.beginPut(name, BIG_BYTES, 0, expected.get(name), -1);
            try (FileChannel in = FileChannel.open(src)) {
                session.raw().sendFileBody(in, 0, BIG_PREFIX);
            }
        }

        TransferResult finish() throws Exception {
            try (session) {
                faultsIn.await();
                try (FileChannel in = FileChannel.open(src)) {
                    FerryClient c = session.raw();
                    c.sendFileBody(in, BIG_PREFIX, BIG_BYTES - BIG_PREFIX);
                    session.files().endPut(id, expected.get(name), name);
                    return new TransferResult(BIG_BYTES, 0, BIG_BYTES, 0, "sha-256", expected.get(name));
                } catch (IOException lost) {
                    session.close();
                    retries.incrementAndGet();
                    return session.retrying("resumed upload of " + name, files -> files.upload(src, name));
                }
            }
        }
    }

    // ---- checks --------------------------------------------------------------------------------

    /** name -> sha-256 of every file on the shared volume, hashed inside a node (busybox). */
    private static Map<String, String> onDisk(FerryHost node) throws InterruptedException {
        ExecResult r = node.exec(Duration.ofMinutes(2), "sh", "-c", "cd " + FerryHost.DATA + " && sha256sum c*-* big-*");
        assertTrue(r.ok(), r::toString);
        Map<String, String> m = new TreeMap<>();
        for (String line : r.stdout().strip().split("\n")) {
            String[] parts = line.split("\\s+", 2);
            m.put(parts[1], parts[0]);
        }
        return m;
    }

    /** The node logged connections as "cN ADDR:PORT via proxy LB:PORT (PROXY v2)": the client's address, not the balancer's. */
    private static void assertProxiedClientsLogged(FerryHost node, String lbAddress) {
        Matcher m = Pattern.compile(" c\\d+ (\\S+):\\d+ via proxy (\\S+):\\d+ \\(PROXY v2\\)").matcher(node.logs());
        int proxied = 0;
        while (m.find()) {
            assertEquals(lbAddress, m.group(2), "the connection came from the balancer");
            assertTrue(!m.group(1).equals(lbAddress), "the client's address, not the balancer's: " + m.group());
            proxied++;
        }
        assertTrue(proxied > 0, node.name() + " logged no proxied client:\n" + node.logs());
    }

    /** Local test files of seeded random bytes. */
    private static final class TestFiles {
        private static final int CHUNK = 1 << 20;

        static Path write(Path file, long size, long seed) throws IOException {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] buf = new byte[CHUNK];
            try (var out = Files.newOutputStream(file)) {
                for (long left = size; left > 0; left -= CHUNK) {
                    int n = (int) Math.min(CHUNK, left);
                    r.nextBytes(buf);
                    out.write(buf, 0, n);
                }
            }
            return file;
        }

        static String sha256(Path file) throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[CHUNK];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }
}

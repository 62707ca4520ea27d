package ferry.loadtest;

import ferry.client.FerryClient;
import ferry.protocol.Preamble;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How much do slowloris peers cost everyone else? Measures PING round trips of a few ordinary
 * clients at a steady rate, first with the server quiet, then while 1,000 connections each dribble
 * one byte of a frame header per second (a slowloris: the header never completes before the header
 * timeout), alternating quiet and dribble phases so drift in a shared machine's load hits both.
 * Reports p50/p99 per phase and the ratio dribble/quiet (goal: at most 2x).
 *
 * <pre>
 *   java -cp loadtest/target/ferry-loadtest.jar ferry.loadtest.DribbleBench
 *        [--dribblers 1000] [--pingers 4] [--rate 100] [--seconds 15] [--rounds 2] [--connect HOST:PORT]
 *        [--header-timeout MS]
 * </pre>
 *
 * Without {@code --connect} it starts a server in this JVM with the default configuration (so the
 * numbers include the load generator sharing the machine; they compare phases, not machines).
 * Dribblers closed by the server (header timeout) reconnect and start again, as an attacker would;
 * {@code --header-timeout} (in-process server only) shortens the timeout so the run includes that
 * churn of timeouts and reconnects.
 *
 * <p>Threading: single-use from the thread that calls {@link #main}; one thread per pinger and one
 * for all dribblers.
 */
public final class DribbleBench {
    /** Slowloris connections in the dribble phase. */
    static final int DEFAULT_DRIBBLERS = 1000;
    /** Ordinary clients pinging during both phases. */
    static final int DEFAULT_PINGERS = 4;
    /** PINGs per second per ordinary client: a steady rate, not a saturating loop. */
    static final int DEFAULT_RATE_PER_PINGER = 100;
    static final int DEFAULT_PHASE_SECONDS = 15;
    /** Quiet/dribble pairs; phases alternate so slow drift in machine load hits both. */
    static final int DEFAULT_ROUNDS = 2;
    /** Each dribbler sends one byte per this many nanoseconds. */
    static final long DRIBBLE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Dribblers connect and send their first bytes this long before a dribble phase is measured. */
    static final long DRIBBLE_WARMUP_MILLIS = 2000;

    private DribbleBench() {}

    public static void main(String[] args) throws Exception {
        int dribblers = DEFAULT_DRIBBLERS;
        int pingers = DEFAULT_PINGERS;
        int rate = DEFAULT_RATE_PER_PINGER;
        int seconds = DEFAULT_PHASE_SECONDS;
        int rounds = DEFAULT_ROUNDS;
        String connect = null;
        long headerTimeoutMillis = ServerConfig.DEFAULT_HEADER_TIMEOUT_MILLIS;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--dribblers": dribblers = Integer.parseInt(v); i++; break;
                case "--pingers": pingers = Integer.parseInt(v); i++; break;
                case "--rate": rate = Integer.parseInt(v); i++; break;
                case "--seconds": seconds = Integer.parseInt(v); i++; break;
                case "--rounds": rounds = Integer.parseInt(v); i++; break;
                case "--connect": connect = v; i++; break;
                case "--header-timeout": headerTimeoutMillis = Long.parseLong(v); i++; break;
                default:
                    System.err.println("usage: DribbleBench [--dribblers N] [--pingers N] [--rate PER_S] [--seconds S] [--rounds N] [--connect HOST:PORT] [--header-timeout MS]");
                    System.exit(2);
            }
        }
        FerryServer server = null;
        InetSocketAddress target;
        if (connect == null) {
            server = new FerryServer(ServerConfig.builder().port(0).headerTimeoutMillis(headerTimeoutMillis).build(), ServerLog.NONE);
            server.start();
            target = new InetSocketAddress("127.0.0.1", server.port());
        } else {
            int colon = connect.lastIndexOf(':');
            target = new InetSocketAddress(connect.substring(0, colon), Integer.parseInt(connect.substring(colon + 1)));
        }
        System.out.printf(Locale.ROOT, "DribbleBench: %d dribblers (1 byte/s each), %d pingers x %d PING/s, %d s phases x %d rounds, "
                + "server %s, %d CPUs%n", dribblers, pingers, rate, seconds, rounds,
                connect == null ? "in-process " + target + " (header timeout " + headerTimeoutMillis + " ms)" : target,
                Runtime.getRuntime().availableProcessors());

        List<long[]> quiet = new ArrayList<>();
        List<long[]> dribble = new ArrayList<>();
        phase("warm-up", target, pingers, rate, Math.min(5, seconds), null); // JIT, connections, caches
        for (int r = 0; r < rounds; r++) {
            quiet.add(phase("quiet " + (r + 1), target, pingers, rate, seconds, null));
            Dribblers d = new Dribblers(target, dribblers);
            d.start();
            Thread.sleep(DRIBBLE_WARMUP_MILLIS);
            try {
                dribble.add(phase("dribble " + (r + 1), target, pingers, rate, seconds, d));
            } finally {
                d.stop();
            }
        }
        long[] q = merge(quiet);
        long[] dr = merge(dribble);
        double p50Ratio = (double) percentile(dr, 50) / percentile(q, 50);
        double p99Ratio = (double) percentile(dr, 99) / percentile(q, 99);
        System.out.println();
        System.out.println("| phase | PINGs | p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|");
        System.out.println(row("quiet (all rounds)", q));
        System.out.println(row("1,000 dribblers (all rounds)", dr));
        System.out.printf(Locale.ROOT, "%nratio dribble/quiet: p50 %.2fx, p99 %.2fx (goal <= 2x): %s%n", p50Ratio, p99Ratio,
                p50Ratio <= 2 && p99Ratio <= 2 ? "MET" : "NOT MET");
        if (server != null) {
            System.out.println("server stats: " + server.stats());
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    /** One measured phase: every pinger pings at its rate for {@code seconds}; returns all round trips (ns). */
    private static long[] phase(String name, InetSocketAddress target, int pingers, int rate, int seconds, Dribblers d)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        long[][] samples = new long[pingers][];
        AtomicLong errors = new AtomicLong();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int p = 0; p < pingers; p++) {
            int idx = p;
            Thread t = new Thread(() -> {
                long[] s = new long[(int) (seconds * (long) rate) + 16];
                int n = 0;
                try (FerryClient c = FerryClient.connect(target.getHostString(), target.getPort())) {
                    c.ping();
                    // pingers start staggered inside one interval so they do not arrive together
                    long next = start + intervalNanos * idx / pingers;
                    while (next < end && n < s.length) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        s[n++] = c.ping();
                        next += intervalNanos;
                        long now = System.nanoTime();
                        if (now > next) {
                            next = now; // behind schedule: do not burst to catch up
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
                samples[idx] = Arrays.copyOf(s, n);
            }, "pinger-" + p);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long[] all = merge(Arrays.asList(samples));
        System.out.println(row(name, all) + (d == null ? "" : " | dribblers open " + d.openCount() + ", bytes "
                + d.bytesSent() + ", reconnects " + d.reconnects()) + (errors.get() > 0 ? " | pinger errors " + errors : ""));
        return all;
    }

    private static String row(String name, long[] ns) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |", name, ns.length,
                micros(percentile(ns, 50)), micros(percentile(ns, 99)), micros(ns.length == 0 ? 0 : ns[ns.length - 1]));
    }

    private static String micros(long ns) {
        return String.format(Locale.ROOT, "%.0f µs", ns / 1000.0);
    }

    private static long[] merge(List<long[]> parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] all = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** The nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * Slowloris connections on one thread with non-blocking sockets: each sends its preamble, then
     * one byte of a frame header that declares 64 KiB per {@link #DRIBBLE_INTERVAL_NANOS}, the
     * connections' bytes spread evenly over each second. A connection the server closes is
     * replaced by a new one.
     */
    static final class Dribblers {
        private final InetSocketAddress target;
        private final SocketChannel[] channels;
        private final int[] sent;
        private final byte[] header;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong reconnects = new AtomicLong();
        private Thread thread;

        Dribblers(InetSocketAddress target, int n) {
            this.target = target;
            this.channels = new SocketChannel[n];
            this.sent = new int[n];
            // u32 length 65536, then the start of a JSON object that would fill it
            StringBuilder json = new StringBuilder("{\"op\":\"PING\",\"pad\":\"");
            while (json.length() < 1024) {
                json.append('x');
            }
            ByteBuffer b = ByteBuffer.allocate(4 + json.length());
            b.putInt(64 * 1024).put(json.toString().getBytes(StandardCharsets.US_ASCII));
            header = b.array();
        }

        void start() throws IOException {
            for (int i = 0; i < channels.length; i++) {
                channels[i] = open();
            }
            running.set(true);
            thread = new Thread(this::run, "dribblers");
            thread.setDaemon(true);
            thread.start();
        }

        private SocketChannel open() throws IOException {
            SocketChannel ch = SocketChannel.open(target);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.write(ByteBuffer.wrap(Preamble.bytes()));
            ch.configureBlocking(false);
            return ch;
        }

        private void run() {
            ByteBuffer one = ByteBuffer.allocate(1);
            ByteBuffer discard = ByteBuffer.allocate(4096);
            long slot = DRIBBLE_INTERVAL_NANOS / channels.length;
            long next = System.nanoTime();
            int i = 0;
            while (running.get()) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += slot;
                try {
                    SocketChannel ch = channels[i];
                    discard.clear();
                    int r = ch.read(discard); // the server's preamble, or its ERROR and EOF after a timeout
                    if (r < 0 || sent[i] >= header.length) {
                        ch.close();
                        channels[i] = open();
                        sent[i] = 0;
                        reconnects.incrementAndGet();
                    } else {
                        one.clear();
                        one.put(header[sent[i]]).flip();
                        if (ch.write(one) == 1) {
                            sent[i]++;
                            bytes.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    try {
                        channels[i].close();
                        channels[i] = open();
                        sent[i] = 0;
                        reconnects.incrementAndGet();
                    } catch (IOException again) {
                        // the server is gone or full; try this slot again next second
                    }
                }
                i = (i + 1) % channels.length;
            }
        }

        int openCount() {
            int n = 0;
            for (SocketChannel c : channels) {
                if (c != null && c.isOpen()) {
                    n++;
                }
            }
            return n;
        }

        long bytesSent() {
            return bytes.get();
        }

        long reconnects() {
            return reconnects.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            for (SocketChannel c : channels) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}

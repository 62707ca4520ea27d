package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand connections that each do something and then vanish abruptly; afterwards the
 * server must be back at its baseline: file descriptors, threads, its own bookkeeping, pooled
 * buffers, heap and direct memory. Client sockets live in this JVM too, so every client closes its
 * socket before the comparison.
 */
class LeakTest {
    private static final int CONNECTIONS = 10_000;
    private static final int WARMUP_CONNECTIONS = 1_000;
    private static final int CLIENT_THREADS = 4;
    /** Unrelated JVM noise allowed; one leaked fd per 1,000 connections would already be 10. */
    private static final long FD_TOLERANCE = 4;
    /** Heap noise allowed after a full GC; 10,000 leaked connections would hold well over 10 MiB. */
    private static final long HEAP_TOLERANCE_BYTES = 6L * 1024 * 1024;

    /** How a connection ends. */
    enum Vanish {
        /** answered, then a TCP reset (SO_LINGER 0) */
        RESET,
        /** a request, then shutdownOutput; reads its answer and the server's close */
        HALF_CLOSE,
        /** the preamble and 2 bytes of a length prefix, then gone */
        MID_HEADER,
        /** a length and half of the header JSON, then a reset */
        MID_HEADER_JSON,
        /** 64 KiB of a 1 MiB PING body (echoed as it arrives), never read, then a reset */
        MID_BODY,
        /** 50 pipelined PINGs, nothing read, then closed (the unread answers make it a reset) */
        PIPELINED_UNANSWERED,
    }

    @Test
    void tenThousandAbruptConnectionsLeaveNothingBehind() throws Exception {
        ServerConfig cfg = TestServers.config().maxConnectionsPerAddress(100_000).build();
        FerryServer server = TestServers.start(cfg);
        try {
            run(server, WARMUP_CONNECTIONS); // loads classes, fills pools, JIT: what a baseline should include
            quiesce(server);
            Snapshot before = Snapshot.take(server);

            long started = System.nanoTime();
            run(server, CONNECTIONS);
            quiesce(server);
            Snapshot after = Snapshot.take(server);
            System.out.println("leak test: " + CONNECTIONS + " connections in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms\n  before " + before + "\n  after  " + after);

            assertEquals(0, server.stats().connectionsOpen.get());
            assertEquals(0, server.connectionCount(), "no connection left in any loop's list");
            assertEquals(0, server.perAddressEntries(), "the per-address map is empty");
            assertEquals(0, server.loopErrors());
            assertEquals(WARMUP_CONNECTIONS + CONNECTIONS, server.stats().connectionsAccepted.sum());
            assertEquals(WARMUP_CONNECTIONS + CONNECTIONS, server.stats().connectionsClosed.sum());
            if (before.fds >= 0) {
                assertTrue(after.fds <= before.fds + FD_TOLERANCE, "file descriptors " + before.fds + " -> " + after.fds);
            }
            assertEquals(before.ferryThreads, after.ferryThreads, "the server's threads");
            assertTrue(after.threads <= before.threads + 2, "threads " + before.threads + " -> " + after.threads);
            for (int i = 0; i < before.pooled.length; i++) {
                assertTrue(after.pooled[i] <= cfg.maxPooledBuffers(), "loop " + i + " keeps " + after.pooled[i] + " free buffers");
                assertTrue(after.allocated[i] - before.allocated[i] < cfg.maxPooledBuffers(),
                        "loop " + i + " allocated " + (after.allocated[i] - before.allocated[i])
                                + " more pooled buffers: they are reused, not leaked");
            }
            assertTrue(after.heapUsed <= before.heapUsed + HEAP_TOLERANCE_BYTES,
                    "heap " + before.heapUsed / 1024 + " KiB -> " + after.heapUsed / 1024 + " KiB");
            assertTrue(after.directUsed <= before.directUsed + (long) cfg.maxPooledBuffers() * cfg.poolBufferBytes(),
                    "direct memory " + before.directUsed + " -> " + after.directUsed);
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code n} connections over a few client threads, cycling through every way to vanish. */
    private static void run(FerryServer server, int n) throws Exception {
        byte[][] scripts = scripts();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            int first = t;
            Thread th = new Thread(() -> {
                try {
                    for (int i = first; i < n; i += CLIENT_THREADS) {
                        Vanish v = Vanish.values()[i % Vanish.values().length];
                        connectAndVanish(server.port(), v, scripts[v.ordinal()]);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "leak-client-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a client failed", failure.get());
        }
    }

    /** The bytes each kind of connection sends, preamble included. */
    private static byte[][] scripts() {
        FrameEncoder enc = new FrameEncoder();
        byte[][] s = new byte[Vanish.values().length][];
        byte[] ping = bytes(enc.encode(Header.op("PING").put(Header.ID, 1)));
        s[Vanish.RESET.ordinal()] = concat(Preamble.bytes(), ping);
        s[Vanish.HALF_CLOSE.ordinal()] = concat(Preamble.bytes(),
                bytes(enc.encode(Header.op("PING").put(Header.ID, 1).put(Header.SIZE, 3L))), new byte[] {1, 2, 3});
        s[Vanish.MID_HEADER.ordinal()] = concat(Preamble.bytes(), new byte[] {0, 0});
        s[Vanish.MID_HEADER_JSON.ordinal()] = Arrays.copyOf(concat(Preamble.bytes(), ping), Preamble.LENGTH + 4 + 6);
        s[Vanish.MID_BODY.ordinal()] = concat(Preamble.bytes(),
                bytes(enc.encode(Header.op("PING").put(Header.ID, 1).put(Header.SIZE, 1L << 20))), new byte[64 * 1024]);
        ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
        pipelined.writeBytes(Preamble.bytes());
        for (int i = 0; i < 50; i++) {
            pipelined.writeBytes(bytes(enc.encode(Header.op("PING").put(Header.ID, i))));
        }
        s[Vanish.PIPELINED_UNANSWERED.ordinal()] = pipelined.toByteArray();
        return s;
    }

    private static void connectAndVanish(int port, Vanish how, byte[] script) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(script);
            switch (how) {
                case RESET:
                    readAtLeast(in, Preamble.LENGTH + 4); // the server's preamble and the PONG's length
                    s.setSoLinger(true, 0);
                    break;
                case HALF_CLOSE:
                    s.shutdownOutput();
                    while (in.read() >= 0) {
                        // the answer, then the server's close
                    }
                    break;
                case MID_HEADER_JSON:
                case MID_BODY:
                    s.setSoLinger(true, 0);
                    break;
                default:
                    break; // plain close; with unread answers the kernel turns it into a reset
            }
        }
    }

    private static void readAtLeast(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) {
                throw new IOException("closed after " + got + " bytes");
            }
            got += r;
        }
    }

    /** Waits until the server has closed every connection (and lingering sockets had their time). */
    private static void quiesce(FerryServer server) throws Exception {
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Admission.LINGER_MILLIS * 3);
        long fds = ServerInternals.openFileDescriptors();
        while (System.nanoTime() < deadline) { // lingering closes end by EOF or their 2 s deadline
            Thread.sleep(50); // polling the fd table for an event in the server, not timing anything
            long now = ServerInternals.openFileDescriptors();
            if (now == fds && now >= 0 && lingeringDone(server)) {
                break;
            }
            fds = now;
        }
    }

    private static boolean lingeringDone(FerryServer server) throws Exception {
        int registered = 0;
        for (EventLoop l : ServerInternals.loops(server)) {
            registered += l.registeredCount();
        }
        return registered == 1; // the listening socket only
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** What is compared before and after. */
    private record Snapshot(long fds, int threads, int ferryThreads, long heapUsed, long directUsed,
                            int[] pooled, long[] allocated) {
        static Snapshot take(FerryServer server) throws Exception {
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long direct = 0;
            for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (b.getName().equals("direct")) {
                    direct = b.getMemoryUsed();
                }
            }
            int ferry = 0;
            for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                if (t.getThreadName().startsWith("ferry-")) {
                    ferry++;
                }
            }
            EventLoop[] loops = ServerInternals.loops(server);
            int[] pooled = new int[loops.length];
            long[] allocated = new long[loops.length];
            for (int i = 0; i < loops.length; i++) {
                EventLoop l = loops[i];
                int[] p = new int[1];
                long[] a = new long[1];
                java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
                l.execute(() -> { // the pool belongs to the loop thread
                    p[0] = l.pool().pooled();
                    a[0] = l.pool().allocated();
                    read.countDown();
                });
                assertTrue(read.await(10, TimeUnit.SECONDS));
                pooled[i] = p[0];
                allocated[i] = a[0];
            }
            return new Snapshot(ServerInternals.openFileDescriptors(), ManagementFactory.getThreadMXBean().getThreadCount(),
                    ferry, mem.getHeapMemoryUsage().getUsed(), direct, pooled, allocated);
        }

        @Override
        public String toString() {
            return "fds=" + fds + " threads=" + threads + " ferryThreads=" + ferryThreads + " heapUsed=" + heapUsed / 1024
                    + "KiB direct=" + directUsed / 1024 + "KiB pooled=" + Arrays.toString(pooled)
                    + " allocated=" + Arrays.toString(allocated);
        }
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reactor through real sockets on 127.0.0.1, port 0: where sockets are the point (many
 * connections, several loops, connection caps, stopping, TCP backpressure). Request/response rules
 * are tested without sockets in {@link RequestResponseTest}.
 */
class ReactorTest {
    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void pingEchoesBodiesOfManySizes() throws Exception {
        server = TestServers.start(TestServers.config().build());
        Random rnd = new Random(42);
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            for (int size : new int[] {0, 1, 100, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024 + 7, 3 * 1024 * 1024}) {
                byte[] body = new byte[size];
                rnd.nextBytes(body);
                assertArrayEquals(body, c.ping(body), "size " + size);
            }
        }
    }

    @Test
    void thousandConcurrentConnectionsEachPing() throws Exception {
        server = TestServers.start(TestServers.config().build());
        List<FerryClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(FerryClient.connect("127.0.0.1", server.port()));
            }
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send(Header.op("PING").put(Header.ID, i + 1));
            }
            for (int i = 0; i < clients.size(); i++) {
                Header h = clients.get(i).readHeader();
                assertEquals("PONG", h.op());
                assertEquals(i + 1, h.id());
            }
            assertEquals(1000, server.stats().connectionsOpen.get());
        } finally {
            for (FerryClient c : clients) {
                c.close();
            }
        }
        assertEquals(0, server.stats().protocolErrors.sum());
    }

    @Test
    void severalLoopsShareTheConnections() throws Exception {
        server = TestServers.start(TestServers.config().loops(3).build());
        List<FerryClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                clients.add(FerryClient.connect("127.0.0.1", server.port()));
            }
            for (FerryClient c : clients) {
                assertArrayEquals(new byte[] {9}, c.ping(new byte[] {9}));
            }
            assertEquals(30, server.connectionCount());
        } finally {
            for (FerryClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void overTheConnectionLimitNewcomersAreRefusedWithAReason() throws Exception {
        server = TestServers.start(TestServers.config().maxConnections(2).build());
        try (FerryClient a = FerryClient.connect("127.0.0.1", server.port());
             FerryClient b = FerryClient.connect("127.0.0.1", server.port())) {
            a.ping();
            b.ping();
            try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
                RemoteException e = assertThrows(RemoteException.class, c::hello);
                assertEquals(ErrorCode.SERVER_FULL, e.code());
                assertTrue(e.getMessage().contains("limit of 2"));
            }
            a.ping();
            assertEquals(1, server.stats().connectionsRefused.sum());
        }
    }

    @Test
    void byDefaultEachRemoteAddressHasACapButLoopbackIsExempt() throws Exception {
        ServerConfig defaults = ServerConfig.builder().build();
        assertEquals(64, defaults.maxConnectionsPerAddress());
        assertTrue(defaults.capsConnectionsFrom(java.net.InetAddress.getByName("192.0.2.7")));
        assertTrue(defaults.capsConnectionsFrom(java.net.InetAddress.getByName("2001:db8::7")));
        assertFalse(defaults.capsConnectionsFrom(java.net.InetAddress.getByName("127.0.0.1")));
        assertFalse(defaults.capsConnectionsFrom(java.net.InetAddress.getByName("::1")));
        // The default cap at work, on loopback made to count like any address.
        server = TestServers.start(TestServers.config().perAddressCapCoversLoopback(true).build());
        List<RawPeer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < ServerConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS; i++) {
                RawPeer p = new RawPeer(server.port());
                peers.add(p);
                p.send(Header.op("PING").put(Header.ID, 1));
                assertEquals("PONG", p.read().op(), "connection " + (i + 1));
            }
            try (RawPeer extra = new RawPeer(server.port())) {
                RawPeer.Frame f = extra.read();
                assertEquals(ErrorCode.SERVER_FULL, f.header().getString("code", null), f.header().toString());
            }
        } finally {
            for (RawPeer p : peers) {
                p.close();
            }
        }
    }

    @Test
    void perAddressCapRefusesTheExtraConnection() throws Exception {
        server = TestServers.start(TestServers.config().maxConnectionsPerAddress(1).perAddressCapCoversLoopback(true).build());
        try (FerryClient a = FerryClient.connect("127.0.0.1", server.port())) {
            a.ping();
            try (FerryClient b = FerryClient.connect("127.0.0.1", server.port())) {
                RemoteException e = assertThrows(RemoteException.class, b::hello);
                assertEquals(ErrorCode.SERVER_FULL, e.code());
                assertTrue(e.getMessage().contains("too many connections from 127.0.0.1"));
            }
        }
        // the slot is free again once the first client leaves
        waitUntil(() -> server.stats().connectionsOpen.get() == 0);
        try (FerryClient again = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(again.ping() > 0);
        }
    }

    @Test
    void gracefulStopLetsInFlightWorkFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        server = TestServers.start(TestServers.config().build(), ctx -> ctx.register("SLOW", call -> {
            starts.incrementAndGet();
            started.countDown();
            ctx.workers().submit(call, () -> release.await(10, TimeUnit.SECONDS),
                    (ok, err) -> call.reply(Header.reply("DONE", call.id())));
            return null;
        }));
        FerryServer s = server;
        try (RawPeer p = new RawPeer(s.port()); RawPeer idle = new RawPeer(s.port())) {
            p.send(Header.op("SLOW").put(Header.ID, 1));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread stopper = new Thread(() -> s.stop(10, TimeUnit.SECONDS));
            stopper.start();
            waitUntil(s::isShuttingDown);
            // An idle connection is told before it is closed.
            RawPeer.Frame bye = idle.read();
            assertEquals(ErrorCode.SHUTTING_DOWN, bye.header().getString("code", null), bye.header().toString());
            assertFalse(bye.header().has(Header.ID));
            assertTrue(idle.closedByServer());
            // Requests that arrive now are refused, and a write is not run.
            p.send(Header.op("PING").put(Header.ID, 2));
            p.send(Header.op("SLOW").put(Header.ID, 3));
            release.countDown();
            RawPeer.Frame f = p.read();
            assertEquals("DONE", f.op(), "the in-flight request was answered during shutdown");
            // Each request still gets shutting_down, or, if the server stopped reading before it, the
            // connection's last frame (shutting_down without id) says it was not run.
            RawPeer.Frame next;
            long expectId = 2;
            while ((next = p.read()).header().has(Header.ID)) {
                assertEquals(expectId++, next.header().id());
                assertEquals(ErrorCode.SHUTTING_DOWN, next.header().getString("code", null), next.header().toString());
            }
            assertTrue(expectId > 2, "the PING was answered");
            assertEquals(ErrorCode.SHUTTING_DOWN, next.header().getString("code", null), next.header().toString());
            assertEquals(1, starts.get(), "the SLOW sent after the stop began never ran");
            assertTrue(p.closedByServer());
            stopper.join(15_000);
            assertFalse(stopper.isAlive());
            assertFalse(s.isRunning());
        }
    }

    @Test
    void nonReadingClientIsThrottledNotBuffered() throws Exception {
        ServerConfig cfg = TestServers.config().socketSendBufferBytes(64 * 1024).build();
        server = TestServers.start(cfg);
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            ch.connect(server.localAddress());
            ch.configureBlocking(false);
            RawPeer encoderOnly = null;
            byte[] body = new byte[8 * 1024];
            ferry.protocol.FrameEncoder enc = new ferry.protocol.FrameEncoder();
            ByteBuffer frame = ByteBuffer.allocate(64 * 1024);
            long sent = 0;
            long cap = 64L * 1024 * 1024; // a broken server would buffer (almost) all of this
            ByteBuffer pre = ByteBuffer.wrap(Preamble.bytes());
            while (pre.hasRemaining()) {
                ch.write(pre);
            }
            try (java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
                ch.register(sel, java.nio.channels.SelectionKey.OP_WRITE);
                long id = 1;
                while (sent < cap) {
                    frame.clear();
                    enc.encode(Header.op("PING").put(Header.ID, id++).put(Header.SIZE, (long) body.length), frame);
                    frame.put(body).flip();
                    while (frame.hasRemaining()) {
                        int n = ch.write(frame);
                        sent += n;
                        if (n == 0 && sel.select(1000) == 0) {
                            break; // the server stopped reading us: backpressure reached the client
                        }
                        sel.selectedKeys().clear();
                    }
                    if (frame.hasRemaining()) {
                        break;
                    }
                }
            }
            assertTrue(sent < cap, "the server kept reading a client that never reads: sent " + sent);
            long pending = server.maxPendingBytes();
            assertTrue(pending <= cfg.highWaterBytes() + cfg.poolBufferBytes() + body.length,
                    "server buffered " + pending + " bytes for one non-reading client");
        }
        // and everybody else is still served
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(c.ping() > 0);
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(2); // polling for an event in another thread, not timing anything
        }
    }
}

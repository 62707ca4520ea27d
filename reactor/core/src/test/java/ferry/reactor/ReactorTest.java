package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reactor through real sockets on 127.0.0.1, port 0. */
class ReactorTest {
    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void helloReportsServerAndFeatures() throws Exception {
        server = TestServers.start(TestServers.config().serverName("test-ferry").build());
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            Header h = c.hello();
            assertEquals("HELLO", h.op());
            assertEquals("test-ferry", h.getString("server", null));
            assertEquals(Preamble.MAJOR + "." + Preamble.MINOR, h.getString("protocol", null));
            assertTrue(h.optList("features").contains("ping"));
            assertEquals("optional", h.getString("login", null));
            assertEquals(Session.ANONYMOUS, h.getString("user", null));
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
    void pipelinedPingsComeBackInOrderWithTheirBodies() throws Exception {
        server = TestServers.start(TestServers.config().build());
        int n = 2000;
        try (RawPeer p = new RawPeer(server.port())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= n; i++) {
                byte[] body = ("ping-" + i).repeat(i % 7).getBytes(StandardCharsets.UTF_8);
                all.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, i), body));
            }
            p.sendRaw(all.toByteArray()); // every request in one write: the sticky-packet case
            for (int i = 1; i <= n; i++) {
                RawPeer.Frame f = p.read();
                assertEquals("PONG", f.op());
                assertEquals(i, f.header().id());
                assertEquals(("ping-" + i).repeat(i % 7), new String(f.body(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void answersKeepRequestOrderWhenALaterRequestFinishesFirst() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fastAnswered = new CountDownLatch(2);
        server = TestServers.start(TestServers.config().build(), ctx -> {
            ctx.register("SLOW", call -> {
                ctx.workers().submit(call, () -> release.await(10, TimeUnit.SECONDS), (ok, err) ->
                        call.reply(Header.reply("DONE", call.id()).put("which", "slow")));
                return null;
            }, Sequencing.READ);
            ctx.register("FAST", call -> {
                call.reply(Header.reply("DONE", call.id()).put("which", "fast"));
                fastAnswered.countDown();
                return null;
            }, Sequencing.READ);
        });
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("SLOW").put(Header.ID, 1));
            p.send(Header.op("FAST").put(Header.ID, 2));
            p.send(Header.op("FAST").put(Header.ID, 3));
            assertTrue(fastAnswered.await(10, TimeUnit.SECONDS), "fast requests were handled while slow one waits");
            release.countDown();
            for (long id = 1; id <= 3; id++) {
                RawPeer.Frame f = p.read();
                assertEquals(id, f.header().id());
                assertEquals(id == 1 ? "slow" : "fast", f.header().getString("which", null));
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
    void httpRequestGetsBadPreambleErrorAndIsClosedWhileOthersWork() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (FerryClient good = FerryClient.connect("127.0.0.1", server.port());
             RawPeer http = new RawPeer(server.port(), false)) {
            good.hello();
            http.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawPeer.Frame err = http.read();
            assertEquals("ERROR", err.op());
            assertEquals(ErrorCode.BAD_PREAMBLE, err.header().getString("code", null));
            assertTrue(err.header().getString("message", "").contains("HTTP"), err.header().toString());
            assertTrue(http.closedByServer());
            assertArrayEquals(new byte[] {1, 2, 3}, good.ping(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void seedsRawCommandTextIsRefusedWithAReason() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (RawPeer seed = new RawPeer(server.port(), false)) {
            seed.sendRaw("dir".getBytes(StandardCharsets.US_ASCII)); // the seed's client sends a bare command
            RawPeer.Frame err = seed.read();
            assertEquals(ErrorCode.BAD_PREAMBLE, err.header().getString("code", null));
            assertTrue(err.header().getString("message", "").contains("plain text \"dir\""), err.header().toString());
            assertTrue(seed.closedByServer());
        }
    }

    @Test
    void hugeLengthAndBadJsonGetBadFrameThenClose() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (RawPeer big = new RawPeer(server.port()); RawPeer json = new RawPeer(server.port());
             FerryClient good = FerryClient.connect("127.0.0.1", server.port())) {
            big.sendRaw(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            RawPeer.Frame e1 = big.read();
            assertEquals(ErrorCode.BAD_FRAME, e1.header().getString("code", null));
            assertEquals("header length 2147483647 exceeds limit 65536", e1.header().getString("message", null));
            assertTrue(big.closedByServer());

            byte[] bad = "{\"op\":\"PING\",\"op\":\"PING\"}".getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(4 + bad.length).putInt(bad.length).put(bad);
            json.sendRaw(frame.array());
            RawPeer.Frame e2 = json.read();
            assertEquals(ErrorCode.BAD_FRAME, e2.header().getString("code", null));
            assertTrue(e2.header().getString("message", "").contains("duplicate key"), e2.header().toString());
            assertTrue(json.closedByServer());

            assertEquals("HELLO", good.hello().op());
            assertEquals(2, server.stats().protocolErrors.sum());
        }
    }

    @Test
    void requestLevelErrorsKeepTheConnectionOpen() throws Exception {
        server = TestServers.start(TestServers.config().build(), ctx -> {
            ctx.register("BOOM", call -> {
                throw new IllegalStateException("kaboom");
            });
            ctx.register("NEEDS", call -> {
                call.request().requireString("path");
                call.reply(Header.reply("OK", call.id()));
                return null;
            });
        });
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            RemoteException unknown = assertThrows(RemoteException.class, () -> c.call(Header.op("NOPE")));
            assertEquals(ErrorCode.UNKNOWN_OP, unknown.code());
            RemoteException boom = assertThrows(RemoteException.class, () -> c.call(Header.op("BOOM")));
            assertEquals(ErrorCode.INTERNAL, boom.code());
            assertTrue(boom.getMessage().contains("kaboom"));
            RemoteException missing = assertThrows(RemoteException.class, () -> c.call(Header.op("NEEDS")));
            assertEquals(ErrorCode.BAD_REQUEST, missing.code());
            assertTrue(missing.getMessage().contains("\"path\""));
            RemoteException noOp = assertThrows(RemoteException.class, () -> c.call(new Header().put("x", 1)));
            assertEquals(ErrorCode.BAD_REQUEST, noOp.code());
            assertEquals("OK", c.call(Header.op("NEEDS").put("path", "x")).op());
            assertEquals(1, server.stats().handlerErrors.sum());
        }
    }

    @Test
    void unknownOpWithABodySkipsTheBodyAndStaysInSync() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("NOPE").put(Header.ID, 1), new byte[100_000]);
            p.send(Header.op("PING").put(Header.ID, 2), "after".getBytes(StandardCharsets.UTF_8));
            assertEquals(ErrorCode.UNKNOWN_OP, p.read().header().getString("code", null));
            RawPeer.Frame pong = p.read();
            assertEquals(2, pong.header().id());
            assertEquals("after", new String(pong.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void loginRequiredGatesEverythingButHelloAuthPingBye() throws Exception {
        server = TestServers.start(TestServers.config().loginRequired(true).build(), ctx ->
                ctx.register("SECRET", call -> {
                    call.reply(Header.reply("OK", call.id()));
                    return null;
                }));
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            assertEquals("required", c.hello().getString("login", null));
            assertTrue(c.ping() > 0);
            RemoteException e = assertThrows(RemoteException.class, () -> c.call(Header.op("SECRET")));
            assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
            assertTrue(e.getMessage().contains("log in first"));
            c.bye();
        }
    }

    @Test
    void byeAnswersAfterEarlierRequestsThenCloses() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (RawPeer p = new RawPeer(server.port())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, 1), new byte[0]));
            out.writeBytes(p.frameBytes(Header.op("BYE").put(Header.ID, 2), new byte[0]));
            out.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, 3), new byte[0]));
            p.sendRaw(out.toByteArray());
            assertEquals("PONG", p.read().op());
            assertEquals("BYE", p.read().op());
            assertTrue(p.closedByServer(), "nothing is answered after BYE");
        }
    }

    @Test
    void halfClosedClientStillGetsItsAnswers() throws Exception {
        server = TestServers.start(TestServers.config().build());
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("PING").put(Header.ID, 7), "last words".getBytes(StandardCharsets.UTF_8));
            p.socket.shutdownOutput();
            RawPeer.Frame f = p.read();
            assertEquals(7, f.header().id());
            assertEquals("last words", new String(f.body(), StandardCharsets.UTF_8));
            assertTrue(p.closedByServer());
        }
    }

    @Test
    void peerThatHalfClosesMidBodyStillGetsEarlierAnswersAndIsClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = TestServers.start(TestServers.config().build(), ctx -> ctx.register("SLOW", call -> {
            ctx.workers().submit(call, () -> release.await(10, TimeUnit.SECONDS),
                    (ok, err) -> call.reply(Header.reply("DONE", call.id())));
            return null;
        }));
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("SLOW").put(Header.ID, 1));
            byte[] partial = p.frameBytes(Header.op("PING").put(Header.ID, 2), new byte[10_000]);
            p.sendRaw(java.util.Arrays.copyOf(partial, partial.length - 5_000)); // body cut short
            p.socket.shutdownOutput();
            ReactorTest.waitUntil(() -> server.stats().requests.sum() == 2);
            release.countDown();
            assertEquals("DONE", p.read().op(), "the complete earlier request is answered");
            assertTrue(p.closedByServer(), "the truncated one is dropped and the connection closes");
        }
        waitUntil(() -> server.stats().connectionsOpen.get() == 0);
    }

    @Test
    void customOpsCanBeEmbeddedBesideTheBuiltInOnes() throws Exception {
        server = TestServers.start(TestServers.config().build(), ctx -> {
            ctx.addFeature("upper");
            ctx.register("UPPER", call -> BodySink.collect(call, 1024, body -> {
                String s = StandardCharsets.UTF_8.decode(body).toString().toUpperCase();
                call.reply(Header.reply("UPPER", call.id()), ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
            }));
        });
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(c.hello().optList("features").contains("upper"));
            Header req = Header.op("UPPER").put(Header.ID, c.nextId());
            c.send(req, ByteBuffer.wrap("ferry".getBytes(StandardCharsets.UTF_8)));
            Header resp = c.expect(c.readHeader(), "UPPER", req.id());
            ByteBuffer out = ByteBuffer.allocate((int) resp.size());
            while (c.readBody(out) >= 0 && out.hasRemaining()) {
                // read all
            }
            assertEquals("FERRY", new String(out.array(), StandardCharsets.UTF_8));
            Header tooBig = Header.op("UPPER").put(Header.ID, c.nextId());
            c.send(tooBig, ByteBuffer.allocate(2000));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "UPPER", tooBig.id()));
            assertEquals(ErrorCode.TOO_LARGE, e.code());
            assertTrue(c.ping() > 0, "connection still in sync after the refused body");
        }
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
    void requestsWithoutAnIntegerIdAreRefusedWithoutRunning() throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        server = TestServers.start(TestServers.config().build(), ctx -> ctx.register("COUNT", call -> {
            runs.incrementAndGet();
            call.reply(Header.reply("OK", call.id()));
            return null;
        }));
        try (RawPeer p = new RawPeer(server.port())) {
            for (Object badId : new Object[] {"7", true, List.of(1L), null}) {
                Header h = Header.op("COUNT");
                if (badId != null) {
                    h.put(Header.ID, badId);
                }
                p.send(h);
                RawPeer.Frame f = p.read();
                assertEquals("ERROR", f.op(), "id " + badId);
                assertEquals(ErrorCode.BAD_REQUEST, f.header().getString("code", null));
                assertTrue(f.header().getString("message", "").contains("\"id\""), f.header().toString());
                assertFalse(f.header().has(Header.ID), "an answer to a request without an integer id carries none");
            }
            assertEquals(0, runs.get(), "none of them ran");
            p.send(Header.op("COUNT").put(Header.ID, -5L)); // any int64 is an id
            RawPeer.Frame ok = p.read();
            assertEquals("OK", ok.op());
            assertEquals(-5L, ok.header().id());
            assertEquals(1, runs.get());
        }
    }

    @Test
    void aWriteWaitsForEarlierRequestsAndLaterOnesWaitForIt() throws Exception {
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        server = TestServers.start(TestServers.config().build(), ctx -> {
            ctx.register("R", call -> { // a read held on a worker until released
                long id = call.id();
                events.add("start R" + id);
                ctx.workers().submit(call, () -> id == 1 ? release.await(10, TimeUnit.SECONDS) : true, (ok, err) -> {
                    events.add("end R" + id);
                    call.reply(Header.reply("OK", call.id()));
                });
                return null;
            }, Sequencing.READ);
            ctx.register("W", call -> {
                events.add("start W" + call.id());
                ctx.workers().submit(call, () -> true, (ok, err) -> {
                    events.add("end W" + call.id());
                    call.reply(Header.reply("OK", call.id()));
                });
                return null;
            }, Sequencing.WRITE);
        });
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("R").put(Header.ID, 1));
            p.send(Header.op("R").put(Header.ID, 2));
            p.send(Header.op("W").put(Header.ID, 3));
            p.send(Header.op("R").put(Header.ID, 4));
            waitUntil(() -> events.contains("end R2")); // reads overlap: R2 finished while R1 is held
            assertFalse(events.contains("start W3"), "the write waits for the reads before it: " + events);
            release.countDown();
            for (long id = 1; id <= 4; id++) {
                assertEquals(id, p.read().header().id());
            }
            assertEquals(List.of("start R1", "start R2", "end R2", "end R1", "start W3", "end W3", "start R4", "end R4"),
                    events);
        }
    }

    @Test
    void anOpCannotBeRegisteredTwice() throws Exception {
        FerryServer s = new FerryServer(TestServers.config().build());
        OpHandler h = call -> null;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.register("PING", h, true));
        assertTrue(e.getMessage().contains("PING"), e.getMessage());
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

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Requests and answers of the core ops and the dispatch rules, on the in-memory harness: no
 * socket, one hosted loop stepped by the test (moved here from {@link ReactorTest}, where the
 * socket was not the point).
 */
class RequestResponseTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(RawPeer.Frame f) {
        return new String(f.body(), StandardCharsets.UTF_8);
    }

    private static String code(RawPeer.Frame f) {
        return f.header().getString("code", null);
    }

    @Test
    void helloReportsServerAndFeatures() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config().serverName("test-ferry"))) {
            MemoryPeer p = s.connect();
            p.send(Header.op("HELLO").put(Header.ID, 1));
            Header h = p.read().header();
            assertEquals("HELLO", h.op());
            assertEquals("test-ferry", h.getString("server", null));
            assertEquals(Preamble.MAJOR + "." + Preamble.MINOR, h.getString("protocol", null));
            assertTrue(h.optList("features").contains("ping"));
            assertEquals("optional", h.getString("login", null));
            assertEquals(Session.ANONYMOUS, h.getString("user", null));
        }
    }

    @Test
    void pipelinedPingsComeBackInOrderWithTheirBodies() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer p = s.connect();
            int n = 2000;
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= n; i++) {
                all.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, i), utf8(("ping-" + i).repeat(i % 7))));
            }
            p.sendRaw(all.toByteArray()); // every request in one read: the sticky-packet case
            for (int i = 1; i <= n; i++) {
                RawPeer.Frame f = p.read();
                assertEquals("PONG", f.op());
                assertEquals(i, f.header().id());
                assertEquals(("ping-" + i).repeat(i % 7), text(f));
            }
        }
    }

    @Test
    void answersKeepRequestOrderWhenALaterRequestFinishesFirst() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fastAnswered = new AtomicInteger();
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> {
            ctx.register("SLOW", call -> {
                ctx.workers().submit(call, () -> release.await(10, TimeUnit.SECONDS), (ok, err) ->
                        call.reply(Header.reply("DONE", call.id()).put("which", "slow")));
                return null;
            }, Sequencing.READ);
            ctx.register("FAST", call -> {
                call.reply(Header.reply("DONE", call.id()).put("which", "fast"));
                fastAnswered.incrementAndGet();
                return null;
            }, Sequencing.READ);
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("SLOW").put(Header.ID, 1));
            p.send(Header.op("FAST").put(Header.ID, 2));
            p.send(Header.op("FAST").put(Header.ID, 3));
            assertEquals(2, fastAnswered.get(), "fast requests were handled while the slow one waits");
            assertTrue(p.readAvailable().isEmpty(), "their answers wait behind the slow one");
            release.countDown();
            for (long id = 1; id <= 3; id++) {
                RawPeer.Frame f = p.read();
                assertEquals(id, f.header().id());
                assertEquals(id == 1 ? "slow" : "fast", f.header().getString("which", null));
            }
        }
    }

    @Test
    void httpRequestGetsBadPreambleErrorAndIsClosedWhileOthersWork() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer good = s.connect();
            MemoryPeer http = s.connect(false);
            http.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawPeer.Frame err = http.read();
            assertEquals("ERROR", err.op());
            assertEquals(ErrorCode.BAD_PREAMBLE, code(err));
            assertTrue(err.header().getString("message", "").contains("HTTP"), err.header().toString());
            assertTrue(http.closedByServer());
            good.send(Header.op("PING").put(Header.ID, 1), new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, good.read().body());
        }
    }

    @Test
    void seedsRawCommandTextIsRefusedWithAReason() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer seed = s.connect(false);
            seed.sendRaw("dir".getBytes(StandardCharsets.US_ASCII)); // the seed's client sends a bare command
            RawPeer.Frame err = seed.read();
            assertEquals(ErrorCode.BAD_PREAMBLE, code(err));
            assertTrue(err.header().getString("message", "").contains("plain text \"dir\""), err.header().toString());
            assertTrue(seed.closedByServer());
        }
    }

    @Test
    void hugeLengthAndBadJsonGetBadFrameThenClose() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer big = s.connect();
            MemoryPeer json = s.connect();
            MemoryPeer good = s.connect();
            big.sendRaw(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            RawPeer.Frame e1 = big.read();
            assertEquals(ErrorCode.BAD_FRAME, code(e1));
            assertEquals("header length 2147483647 exceeds limit 65536", e1.header().getString("message", null));
            assertTrue(big.closedByServer());

            byte[] bad = utf8("{\"op\":\"PING\",\"op\":\"PING\"}");
            json.sendRaw(ByteBuffer.allocate(4 + bad.length).putInt(bad.length).put(bad).array());
            RawPeer.Frame e2 = json.read();
            assertEquals(ErrorCode.BAD_FRAME, code(e2));
            assertTrue(e2.header().getString("message", "").contains("duplicate key"), e2.header().toString());
            assertTrue(json.closedByServer());

            good.send(Header.op("HELLO").put(Header.ID, 1));
            assertEquals("HELLO", good.read().op());
            assertEquals(2, s.server().stats().protocolErrors.sum());
        }
    }

    @Test
    void requestLevelErrorsKeepTheConnectionOpen() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> {
            ctx.register("BOOM", call -> {
                throw new IllegalStateException("kaboom");
            });
            ctx.register("NEEDS", call -> {
                call.request().requireString("path");
                call.reply(Header.reply("OK", call.id()));
                return null;
            });
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("NOPE").put(Header.ID, 1));
            assertEquals(ErrorCode.UNKNOWN_OP, code(p.read()));
            p.send(Header.op("BOOM").put(Header.ID, 2));
            RawPeer.Frame boom = p.read();
            assertEquals(ErrorCode.INTERNAL, code(boom));
            assertTrue(boom.header().getString("message", "").contains("kaboom"));
            p.send(Header.op("NEEDS").put(Header.ID, 3));
            RawPeer.Frame missing = p.read();
            assertEquals(ErrorCode.BAD_REQUEST, code(missing));
            assertTrue(missing.header().getString("message", "").contains("\"path\""));
            p.send(new Header().put("x", 1).put(Header.ID, 4));
            assertEquals(ErrorCode.BAD_REQUEST, code(p.read()));
            p.send(Header.op("NEEDS").put(Header.ID, 5).put("path", "x"));
            assertEquals("OK", p.read().op());
            assertEquals(1, s.server().stats().handlerErrors.sum());
        }
    }

    @Test
    void unknownOpWithABodySkipsTheBodyAndStaysInSync() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer p = s.connect();
            p.send(Header.op("NOPE").put(Header.ID, 1), new byte[100_000]);
            p.send(Header.op("PING").put(Header.ID, 2), utf8("after"));
            assertEquals(ErrorCode.UNKNOWN_OP, code(p.read()));
            RawPeer.Frame pong = p.read();
            assertEquals(2, pong.header().id());
            assertEquals("after", text(pong));
        }
    }

    @Test
    void loginRequiredGatesEverythingButHelloAuthPingBye() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config().loginRequired(true), ctx ->
                ctx.register("SECRET", call -> {
                    call.reply(Header.reply("OK", call.id()));
                    return null;
                }))) {
            MemoryPeer p = s.connect();
            p.send(Header.op("HELLO").put(Header.ID, 1));
            assertEquals("required", p.read().header().getString("login", null));
            p.send(Header.op("PING").put(Header.ID, 2));
            assertEquals("PONG", p.read().op());
            p.send(Header.op("SECRET").put(Header.ID, 3));
            RawPeer.Frame e = p.read();
            assertEquals(ErrorCode.UNAUTHENTICATED, code(e));
            assertTrue(e.header().getString("message", "").contains("log in first"));
            p.send(Header.op("BYE").put(Header.ID, 4));
            assertEquals("BYE", p.read().op());
            assertTrue(p.closedByServer());
        }
    }

    @Test
    void byeAnswersAfterEarlierRequestsThenCloses() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer p = s.connect();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, 1), new byte[0]));
            out.writeBytes(p.frameBytes(Header.op("BYE").put(Header.ID, 2), new byte[0]));
            out.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, 3), new byte[0]));
            p.sendRaw(out.toByteArray());
            List<RawPeer.Frame> frames = p.readAvailable();
            assertEquals(List.of("PONG", "BYE"), frames.stream().map(RawPeer.Frame::op).toList(),
                    "nothing is answered after BYE");
            assertTrue(p.closedByServer());
        }
    }

    @Test
    void halfClosedClientStillGetsItsAnswers() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer p = s.connect();
            p.transport.feed(p.frameBytes(Header.op("PING").put(Header.ID, 7), utf8("last words")));
            p.endInput();
            RawPeer.Frame f = p.read();
            assertEquals(7, f.header().id());
            assertEquals("last words", text(f));
            assertTrue(p.closedByServer());
            assertEquals(0, s.server().stats().connectionsOpen.get());
        }
    }

    @Test
    void peerThatHalfClosesMidBodyStillGetsEarlierAnswersAndIsClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> ctx.register("SLOW", call -> {
            ctx.workers().submit(call, () -> release.await(10, TimeUnit.SECONDS),
                    (ok, err) -> call.reply(Header.reply("DONE", call.id())));
            return null;
        }))) {
            MemoryPeer p = s.connect();
            p.send(Header.op("SLOW").put(Header.ID, 1));
            byte[] partial = p.frameBytes(Header.op("PING").put(Header.ID, 2), new byte[10_000]);
            p.sendRaw(java.util.Arrays.copyOf(partial, partial.length - 5_000)); // body cut short
            p.endInput();
            assertEquals(2, s.server().stats().requests.sum());
            release.countDown();
            assertEquals("DONE", p.read().op(), "the complete earlier request is answered");
            assertTrue(p.readAvailable().isEmpty(), "the truncated one is dropped");
            assertTrue(p.closedByServer(), "and the connection closes");
            assertEquals(0, s.server().stats().connectionsOpen.get());
        }
    }

    @Test
    void customOpsCanBeEmbeddedBesideTheBuiltInOnes() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> {
            ctx.addFeature("upper");
            ctx.register("UPPER", call -> BodySink.collect(call, 1024, body -> {
                String up = StandardCharsets.UTF_8.decode(body).toString().toUpperCase();
                call.reply(Header.reply("UPPER", call.id()), ByteBuffer.wrap(utf8(up)));
            }));
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("HELLO").put(Header.ID, 1));
            assertTrue(p.read().header().optList("features").contains("upper"));
            p.send(Header.op("UPPER").put(Header.ID, 2), utf8("ferry"));
            assertEquals("FERRY", text(p.read()));
            p.send(Header.op("UPPER").put(Header.ID, 3), new byte[2000]);
            assertEquals(ErrorCode.TOO_LARGE, code(p.read()));
            p.send(Header.op("PING").put(Header.ID, 4));
            assertEquals(4, p.read().header().id(), "connection still in sync after the refused body");
        }
    }

    @Test
    void requestsWithoutAnIntegerIdAreRefusedWithoutRunning() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> ctx.register("COUNT", call -> {
            runs.incrementAndGet();
            call.reply(Header.reply("OK", call.id()));
            return null;
        }))) {
            MemoryPeer p = s.connect();
            for (Object badId : new Object[] {"7", true, List.of(1L), null}) {
                Header h = Header.op("COUNT");
                if (badId != null) {
                    h.put(Header.ID, badId);
                }
                p.send(h);
                RawPeer.Frame f = p.read();
                assertEquals("ERROR", f.op(), "id " + badId);
                assertEquals(ErrorCode.BAD_REQUEST, code(f));
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
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> {
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
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("R").put(Header.ID, 1));
            p.send(Header.op("R").put(Header.ID, 2));
            p.send(Header.op("W").put(Header.ID, 3));
            p.send(Header.op("R").put(Header.ID, 4));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!events.contains("end R2") && System.nanoTime() < deadline) {
                s.waitPass(); // reads overlap: R2 finishes on its worker while R1 is held
            }
            assertTrue(events.contains("end R2"), events.toString());
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
    void nonReadingClientIsThrottledNotBuffered() throws Exception {
        ServerConfig.Builder cfg = TestServers.config();
        ServerConfig limits = cfg.build();
        try (MemoryServer s = MemoryServer.start(cfg)) {
            MemoryPeer p = s.connect();
            p.transport.room(0); // the peer never reads
            byte[] body = new byte[8 * 1024];
            long sent = 0;
            long cap = 64L * 1024 * 1024; // a broken server would buffer all of this
            for (long id = 1; sent < cap && p.transport.unreadInput() == 0; id++) {
                byte[] frame = p.frameBytes(Header.op("PING").put(Header.ID, id), body);
                p.sendRaw(frame);
                sent += frame.length;
            }
            assertTrue(sent < cap, "the server kept reading a client that never reads: sent " + sent);
            assertEquals(0, p.transport.interestOps() & Transport.READ, "reading is paused");
            long pending = s.server().maxPendingBytes();
            assertTrue(pending <= limits.highWaterBytes() + limits.poolBufferBytes() + body.length,
                    "server buffered " + pending + " bytes for one non-reading client");
            // and everybody else is still served
            MemoryPeer other = s.connect();
            other.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", other.read().op());
            // once the peer reads, the answers flow and reading resumes
            p.transport.room(Long.MAX_VALUE);
            s.runUntilIdle();
            assertTrue(p.readAvailable().size() > 1);
            assertEquals(0, p.transport.unreadInput(), "every request was read once the peer drained");
        }
    }

    @Test
    void aSinkReadIntoDirectlySeesItsOwnLimitWhenThePeerLeavesMidBody() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        AtomicInteger limitAtCancel = new AtomicInteger(-1);
        AtomicInteger directBytes = new AtomicInteger();
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> ctx.register("SINK", call -> {
            call.onCancel(() -> limitAtCancel.set(buf.limit()));
            return new BodySink() {
                @Override
                public void onData(ByteBuffer chunk) {
                    buf.put(chunk);
                }

                @Override
                public void onEnd() {
                    call.reply(Header.reply("OK", call.id()));
                }

                @Override
                public ByteBuffer readBuffer() {
                    return buf;
                }

                @Override
                public void onDataRead(int n) {
                    directBytes.addAndGet(n);
                }
            };
        }))) {
            MemoryPeer p = s.connect();
            byte[] frame = p.frameBytes(Header.op("SINK").put(Header.ID, 1), new byte[300]);
            int headerBytes = frame.length - 300;
            p.sendRaw(java.util.Arrays.copyOf(frame, headerBytes + 10)); // the header and 10 bytes through onData
            p.transport.feed(frame, headerBytes + 10, 50); // 50 read straight into the sink's buffer
            p.endInput(); // and the peer leaves 240 bytes short
            assertEquals(50, directBytes.get());
            assertEquals(60, buf.position());
            assertEquals(4096, limitAtCancel.get(), "the read's temporary limit was undone before the call was cancelled");
            assertTrue(p.closedByServer());
        }
    }
}

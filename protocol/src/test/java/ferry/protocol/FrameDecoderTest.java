package ferry.protocol;

import static ferry.protocol.TestBytes.bytes;
import static ferry.protocol.TestBytes.concat;
import static ferry.protocol.TestBytes.frame;
import static ferry.protocol.TestBytes.preamble;
import static ferry.protocol.TestBytes.u32;
import static ferry.protocol.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.FrameDecoder.State;
import ferry.protocol.RecordingSink.Event;
import ferry.protocol.RecordingSink.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    // ---- the reference stream --------------------------------------------------------------------

    /** One frame of the reference stream: the JSON text on the wire, the header it means, the body. */
    record Spec(String json, Header header, byte[] body) {}

    static final List<Spec> SPECS = buildSpecs();
    static final byte[] STREAM = buildStream(SPECS);
    static final List<Frame> EXPECTED = expectedFrames(SPECS);

    static List<Spec> buildSpecs() {
        Random r = new Random(0xF3_44L);
        byte[] big = new byte[3000];
        r.nextBytes(big);
        byte[] medium = new byte[700];
        r.nextBytes(medium);
        // a body that looks like a preamble and frames: must pass through untouched
        byte[] lookalike = concat(preamble(1, 0), frame("{\"op\":\"FAKE\"}"), u32(0xFFFFFFFFL), utf8("GET / HTTP/1.1\r\n"));
        String pad = "p".repeat(1200);
        List<Spec> s = new ArrayList<>();
        s.add(new Spec("{\"op\":\"PING\",\"id\":1}", Header.reply("PING", 1), new byte[0]));
        s.add(new Spec("{}", new Header(), new byte[0]));
        s.add(new Spec("{\"op\":\"PUT\",\"id\":2,\"size\":5}",
                Header.reply("PUT", 2).put("size", 5L), utf8("hello")));
        s.add(new Spec("{\"op\":\"WRITE\",\"id\":3,\"size\":3000}",
                Header.reply("WRITE", 3).put("size", 3000L), big));
        s.add(new Spec("{\"op\":\"LIST\",\"path\":\"/tmp/\u65e5\u672c\u8a9e/\uD83C\uDF89\","
                        + "\"note\":\"caf\\u00e9 \\\"q\\\" \\\\ \\n\",\"e\":\"\\uD83D\\uDE00\"}",
                Header.op("LIST").put("path", "/tmp/\u65e5\u672c\u8a9e/\uD83C\uDF89")
                        .put("note", "caf\u00e9 \"q\" \\ \n").put("e", "\uD83D\uDE00"),
                new byte[0]));
        s.add(new Spec("{\"size\":1,\"op\":\"ONE\"}", new Header().put("size", 1L).put("op", "ONE"), bytes(0)));
        s.add(new Spec("  {\n \"op\" : \"WS\" ,\t\"id\" : 7 }\r\n ", Header.reply("WS", 7), new byte[0]));
        s.add(new Spec("{\"op\":\"EXEC\",\"argv\":[\"ls\",\"-l\"],\"env\":{\"A\":\"1\"},\"flag\":true,\"n\":null,\"size\":"
                        + lookalike.length + "}",
                Header.op("EXEC").put("argv", List.of("ls", "-l")).put("env", java.util.Map.of("A", "1"))
                        .put("flag", true).put("n", null).put("size", (long) lookalike.length),
                lookalike));
        s.add(new Spec("{\"op\":\"ZERO\",\"size\":0}", Header.op("ZERO").put("size", 0L), new byte[0]));
        s.add(new Spec("{\"op\":\"BIG\",\"pad\":\"" + pad + "\",\"size\":700}",
                Header.op("BIG").put("pad", pad).put("size", 700L), medium));
        s.add(new Spec("{\"op\":\"MAX\",\"id\":9223372036854775807,\"neg\":-9223372036854775808}",
                Header.op("MAX").put("id", Long.MAX_VALUE).put("neg", Long.MIN_VALUE), new byte[0]));
        s.add(new Spec("{}", new Header(), new byte[0]));
        return s;
    }

    static byte[] buildStream(List<Spec> specs) {
        byte[] out = preamble(Preamble.MAJOR, Preamble.MINOR);
        for (Spec s : specs) {
            out = concat(out, frame(s.json(), s.body()));
        }
        return out;
    }

    static List<Frame> expectedFrames(List<Spec> specs) {
        List<Frame> out = new ArrayList<>();
        for (Spec s : specs) {
            out.add(Frame.of(s.header(), s.body()));
        }
        return out;
    }

    // ---- drivers ---------------------------------------------------------------------------------

    /**
     * Decodes everything in {@code in}, calling again after each pause (an empty remainder included:
     * that is how a pending onFrameEnd is delivered). Without a pause, decode must consume it all.
     */
    static void feed(FrameDecoder d, RecordingSink sink, ByteBuffer in) throws ProtocolException {
        do {
            sink.paused = false;
            int limit = in.limit();
            d.decode(in, sink);
            assertEquals(limit, in.limit(), "decode must restore the limit");
            if (!sink.paused) {
                assertFalse(in.hasRemaining(), "decode returned without a pause but left input");
            }
        } while (sink.paused);
    }

    static void assertExpected(RecordingSink sink, FrameDecoder d, String how) {
        List<Frame> got = sink.frames();
        assertEquals(EXPECTED.size(), got.size(), how);
        for (int i = 0; i < EXPECTED.size(); i++) {
            assertEquals(EXPECTED.get(i), got.get(i), how + ", frame " + i);
        }
        assertEquals(EXPECTED.size(), sink.frameEnds, how);
        assertEquals(EXPECTED.size(), d.framesDecoded(), how);
        assertEquals(State.READ_LEN, d.state(), how);
        assertFalse(d.isInsideHeader(), how);
        assertEquals(0, d.bodyRemaining(), how);
    }

    static ByteBuffer alloc(int n, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
    }

    /** Clobbers a buffer the decoder has returned from, so it cannot have kept a view into it. */
    static void clobber(ByteBuffer b) {
        b.clear();
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xEE);
        }
    }

    /** Feeds STREAM in chunks of the given sizes, each copied into a reused (then clobbered) buffer. */
    static RecordingSink feedChunks(int[] sizes, boolean direct, RecordingSink.PausePolicy pause) throws ProtocolException {
        FrameDecoder d = new FrameDecoder();
        RecordingSink sink = new RecordingSink(pause);
        int max = Arrays.stream(sizes).max().orElse(1);
        ByteBuffer buf = alloc(max, direct);
        int at = 0;
        for (int n : sizes) {
            buf.clear();
            buf.put(STREAM, at, n).flip();
            feed(d, sink, buf);
            clobber(buf);
            at += n;
        }
        assertEquals(STREAM.length, at);
        feed(d, sink, ByteBuffer.allocate(0));
        assertExpected(sink, d, "chunks " + Arrays.toString(sizes).substring(0, Math.min(60, Arrays.toString(sizes).length())));
        return sink;
    }

    static int[] randomSizes(Random r) {
        List<Integer> sizes = new ArrayList<>();
        int left = STREAM.length;
        while (left > 0) {
            int n;
            switch (r.nextInt(4)) {
                case 0 -> n = 1 + r.nextInt(3);
                case 1 -> n = 1 + r.nextInt(16);
                case 2 -> n = 1 + r.nextInt(300);
                default -> n = 1 + r.nextInt(5000);
            }
            n = Math.min(n, left);
            sizes.add(n);
            left -= n;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- splitting ---------------------------------------------------------------------------

    @Nested
    class Splitting {
        @Test
        void referenceStreamIsVaried() {
            assertTrue(STREAM.length > 5000, "the stream should be long enough to span many chunks");
            assertTrue(SPECS.size() >= 10);
        }

        @ParameterizedTest(name = "direct={0}")
        @ValueSource(booleans = {false, true})
        void allInOneBuffer(boolean direct) throws Exception {
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            ByteBuffer in = alloc(STREAM.length, direct);
            in.put(STREAM).flip();
            feed(d, sink, in);
            assertExpected(sink, d, "one buffer");
        }

        @ParameterizedTest(name = "direct={0}")
        @ValueSource(booleans = {false, true})
        void allInOneBufferWithinAWindow(boolean direct) throws Exception {
            // bytes before position and after limit would break the stream if the decoder read them
            byte[] junk = bytes(0xFF, 0xFF, 0xFF, 0xFF, '{', '"');
            ByteBuffer in = alloc(STREAM.length + 2 * junk.length, direct);
            in.put(junk).put(STREAM).put(junk);
            in.position(junk.length).limit(junk.length + STREAM.length);
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            feed(d, sink, in);
            assertEquals(junk.length + STREAM.length, in.position());
            assertExpected(sink, d, "window");
            // and through a slice (non-zero array offset for heap buffers)
            in.position(junk.length).limit(junk.length + STREAM.length);
            FrameDecoder d2 = new FrameDecoder();
            RecordingSink sink2 = new RecordingSink();
            feed(d2, sink2, in.slice());
            assertExpected(sink2, d2, "slice");
        }

        @ParameterizedTest(name = "direct={0}")
        @ValueSource(booleans = {false, true})
        void splitAtEverySinglePoint(boolean direct) throws Exception {
            ByteBuffer first = alloc(STREAM.length, direct);
            ByteBuffer second = alloc(STREAM.length, direct);
            for (int split = 0; split <= STREAM.length; split++) {
                FrameDecoder d = new FrameDecoder();
                RecordingSink sink = new RecordingSink();
                first.clear();
                first.put(STREAM, 0, split).flip();
                second.clear();
                second.put(STREAM, split, STREAM.length - split).flip();
                feed(d, sink, first);
                clobber(first); // a header split across reads must have been copied out
                feed(d, sink, second);
                assertExpected(sink, d, "split at " + split);
            }
        }

        @ParameterizedTest(name = "direct={0}")
        @ValueSource(booleans = {false, true})
        void oneByteAtATime(boolean direct) throws Exception {
            int[] ones = new int[STREAM.length];
            Arrays.fill(ones, 1);
            RecordingSink sink = feedChunks(ones, direct, RecordingSink.NEVER);
            // every body byte came as its own chunk
            assertEquals(SPECS.stream().mapToLong(s -> s.body().length).sum(), sink.bodyChunks);
        }

        @ParameterizedTest(name = "direct={0}")
        @ValueSource(booleans = {false, true})
        void randomChunkSizes(boolean direct) throws Exception {
            for (long seed = 1; seed <= 60; seed++) {
                feedChunks(randomSizes(new Random(seed)), direct, RecordingSink.NEVER);
            }
        }

        @Test
        void littleEndianBuffersStillReadBigEndianLengths() throws Exception {
            // the wire format is big-endian whatever order the caller's buffer happens to have
            ByteBuffer in = ByteBuffer.allocate(STREAM.length).order(ByteOrder.LITTLE_ENDIAN);
            in.put(STREAM).flip();
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            feed(d, sink, in);
            assertExpected(sink, d, "little-endian buffer");
            ByteBuffer direct = ByteBuffer.allocateDirect(STREAM.length).order(ByteOrder.LITTLE_ENDIAN);
            direct.put(STREAM).flip();
            FrameDecoder d2 = new FrameDecoder();
            RecordingSink sink2 = new RecordingSink();
            feed(d2, sink2, direct);
            assertExpected(sink2, d2, "little-endian direct buffer");
        }

        @Test
        void sinkThatDoesNotConsumeChunksStillAdvances() throws Exception {
            // the sink reads the chunk with absolute gets and leaves its position alone
            FrameDecoder d = new FrameDecoder();
            List<Byte> seen = new ArrayList<>();
            FrameSink peeking = new FrameSink() {
                @Override
                public boolean onHeader(Header header) {
                    return true;
                }

                @Override
                public boolean onBody(ByteBuffer chunk) {
                    for (int i = chunk.position(); i < chunk.limit(); i++) {
                        seen.add(chunk.get(i));
                    }
                    return true;
                }

                @Override
                public boolean onFrameEnd() {
                    return true;
                }
            };
            ByteBuffer in = ByteBuffer.wrap(STREAM);
            d.decode(in, peeking);
            assertFalse(in.hasRemaining());
            assertEquals(SPECS.size(), d.framesDecoded());
            byte[] allBodies = concat(SPECS.stream().map(Spec::body).toArray(byte[][]::new));
            assertEquals(allBodies.length, seen.size());
            for (int i = 0; i < allBodies.length; i++) {
                assertEquals(allBodies[i], seen.get(i));
            }
        }

        @Test
        void bodyChunksAreViewsLimitedToTheBody() throws Exception {
            // body and next frame in one buffer: the chunk must end where the body ends
            byte[] s = concat(preamble(1, 0), frame("{\"size\":3}", utf8("abc")), frame("{\"op\":\"NEXT\"}"));
            List<Integer> remaining = new ArrayList<>();
            FrameDecoder d = new FrameDecoder();
            RecordingSink inner = new RecordingSink();
            d.decode(ByteBuffer.wrap(s), new FrameSink() {
                @Override
                public boolean onHeader(Header header) {
                    return inner.onHeader(header);
                }

                @Override
                public boolean onBody(ByteBuffer chunk) {
                    remaining.add(chunk.remaining());
                    return inner.onBody(chunk);
                }

                @Override
                public boolean onFrameEnd() {
                    return inner.onFrameEnd();
                }
            });
            assertEquals(List.of(3), remaining);
            assertEquals(List.of(Frame.of(new Header().put("size", 3L), utf8("abc")),
                    Frame.of(Header.op("NEXT"), new byte[0])), inner.frames());
        }
    }

    // ---- pause / resume ------------------------------------------------------------------------

    @Nested
    class PauseAndResume {
        @ParameterizedTest(name = "pause on {0}")
        @ValueSource(strings = {"HEADER", "BODY", "END"})
        void pausingOnOneKindOfEventYieldsTheSameEvents(String which) throws Exception {
            RecordingSink.PausePolicy policy = RecordingSink.on(Event.valueOf(which));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(policy);
            feed(d, sink, ByteBuffer.wrap(STREAM));
            assertExpected(sink, d, "pause on " + which);
            int[] ones = new int[STREAM.length];
            Arrays.fill(ones, 1);
            feedChunks(ones, false, policy);
        }

        @Test
        void pausingOnEveryEventYieldsTheSameEvents() throws Exception {
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(RecordingSink.ALWAYS);
            feed(d, sink, ByteBuffer.wrap(STREAM));
            assertExpected(sink, d, "pause always");
            for (boolean direct : new boolean[] {false, true}) {
                for (long seed = 100; seed < 120; seed++) {
                    feedChunks(randomSizes(new Random(seed)), direct, RecordingSink.ALWAYS);
                }
            }
        }

        @Test
        void randomPausesWithRandomChunksYieldTheSameEvents() throws Exception {
            for (long seed = 200; seed < 260; seed++) {
                feedChunks(randomSizes(new Random(seed)), seed % 2 == 0, RecordingSink.random(seed, 0.4));
            }
        }

        @Test
        void pauseStopsWithPositionAtTheNextUnconsumedByte() throws Exception {
            // One buffer holds everything, the sink pauses after every event: after each decode call
            // exactly one event happened and the position is where that event's bytes end.
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(RecordingSink.ALWAYS);
            ByteBuffer in = ByteBuffer.wrap(STREAM);
            int frameStart = Preamble.LENGTH;
            long frames = 0;
            for (Spec s : SPECS) {
                int headerEnd = frameStart + 4 + utf8(s.json()).length;
                int frameEnd = headerEnd + s.body().length;

                int before = sink.events.size();
                d.decode(in, sink);
                assertEquals(List.of(Event.HEADER), sink.events.subList(before, sink.events.size()));
                assertEquals(headerEnd, in.position(), "after onHeader of " + s.json());
                assertEquals(State.READ_BODY, d.state());
                assertEquals(s.body().length, d.bodyRemaining());
                assertEquals(frames, d.framesDecoded());

                if (s.body().length > 0) {
                    before = sink.events.size();
                    d.decode(in, sink);
                    assertEquals(List.of(Event.BODY), sink.events.subList(before, sink.events.size()));
                    assertEquals(frameEnd, in.position(), "after onBody");
                    assertEquals(0, d.bodyRemaining());
                    assertEquals(State.READ_BODY, d.state(), "onFrameEnd still pending");
                    assertEquals(frames, d.framesDecoded());
                }

                before = sink.events.size();
                d.decode(in, sink);
                assertEquals(List.of(Event.END), sink.events.subList(before, sink.events.size()));
                assertEquals(frameEnd, in.position(), "after onFrameEnd");
                assertEquals(State.READ_LEN, d.state());
                assertEquals(++frames, d.framesDecoded());
                frameStart = frameEnd;
            }
            assertFalse(in.hasRemaining());
            int before = sink.events.size();
            d.decode(in, sink);
            assertEquals(before, sink.events.size(), "nothing left to emit");
            assertExpected(sink, d, "stepwise");
        }

        @Test
        void emptyBufferDeliversAPendingFrameEnd() throws Exception {
            byte[] s = concat(preamble(1, 0), frame("{\"op\":\"PUT\",\"size\":5}", utf8("hello")));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(RecordingSink.on(Event.BODY));
            ByteBuffer in = ByteBuffer.wrap(s);
            d.decode(in, sink);
            assertFalse(in.hasRemaining());
            assertEquals(List.of(Event.HEADER, Event.BODY), sink.events);
            assertEquals(0, sink.frameEnds);
            assertEquals(0, d.framesDecoded());
            assertEquals(State.READ_BODY, d.state());

            d.decode(ByteBuffer.allocate(0), sink);
            assertEquals(List.of(Event.HEADER, Event.BODY, Event.END), sink.events);
            assertEquals(1, d.framesDecoded());
            assertEquals(State.READ_LEN, d.state());

            d.decode(ByteBuffer.allocate(0), sink);
            d.decode(ByteBuffer.allocateDirect(0), sink);
            assertEquals(3, sink.events.size(), "an empty buffer emits nothing more");
            assertEquals(List.of(Frame.of(new Header().put("op", "PUT").put("size", 5L), utf8("hello"))), sink.frames());
        }

        @Test
        void pauseOnHeaderOfBodylessFrameLeavesFrameEndPending() throws Exception {
            byte[] s = concat(preamble(1, 0), frame("{\"op\":\"PING\"}"));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(RecordingSink.on(Event.HEADER));
            ByteBuffer in = ByteBuffer.wrap(s);
            d.decode(in, sink);
            assertEquals(List.of(Event.HEADER), sink.events);
            assertFalse(in.hasRemaining());
            d.decode(ByteBuffer.allocate(0), sink);
            assertEquals(List.of(Event.HEADER, Event.END), sink.events);
        }

        @Test
        void pauseOnBodyMidwayResumesTheRestOfTheSameBody() throws Exception {
            byte[] body = new byte[100];
            new Random(5).nextBytes(body);
            byte[] s = concat(preamble(1, 0), frame("{\"size\":100}", body), frame("{}"));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink(RecordingSink.on(Event.BODY));
            ByteBuffer in = ByteBuffer.wrap(s, 0, s.length - 40 - 6); // cut inside the body
            d.decode(in, sink);
            assertEquals(List.of(Event.HEADER, Event.BODY), sink.events);
            assertEquals(40, d.bodyRemaining());
            assertFalse(in.hasRemaining());
            ByteBuffer rest = ByteBuffer.wrap(s, s.length - 40 - 6, 40 + 6);
            feed(d, sink, rest);
            assertEquals(List.of(Frame.of(new Header().put("size", 100L), body), Frame.of(new Header(), new byte[0])),
                    sink.frames());
            assertEquals(List.of(Event.HEADER, Event.BODY, Event.BODY, Event.END, Event.HEADER, Event.END), sink.events);
        }
    }

    // ---- truncation / state ------------------------------------------------------------------

    @Nested
    class Truncation {
        @Test
        void stateAfterEveryPrefixOfTheStream() throws Exception {
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            assertEquals(State.READ_PREAMBLE, d.state());
            assertFalse(d.isInsideHeader());
            // frame boundaries
            int n = SPECS.size();
            int[] start = new int[n];
            int[] headerStart = new int[n];
            int[] headerEnd = new int[n];
            int[] end = new int[n];
            int at = Preamble.LENGTH;
            for (int k = 0; k < n; k++) {
                start[k] = at;
                headerStart[k] = at + 4;
                headerEnd[k] = headerStart[k] + utf8(SPECS.get(k).json()).length;
                end[k] = headerEnd[k] + SPECS.get(k).body().length;
                at = end[k];
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int p = 1; p <= STREAM.length; p++) {
                one.clear();
                one.put(STREAM[p - 1]).flip();
                d.decode(one, sink);
                String where = "after " + p + " bytes";
                if (p < Preamble.LENGTH) {
                    assertEquals(State.READ_PREAMBLE, d.state(), where);
                    assertTrue(d.isInsideHeader(), where);
                    continue;
                }
                int k = 0;
                while (k < n && p >= end[k]) {
                    k++;
                }
                // k frames complete
                assertEquals(k, d.framesDecoded(), where);
                assertEquals(k, sink.frameEnds, where);
                if (k == n || p == start[k]) {
                    assertEquals(State.READ_LEN, d.state(), where);
                    assertFalse(d.isInsideHeader(), where);
                    assertEquals(k, sink.headers().size(), where);
                } else if (p < headerStart[k]) {
                    assertEquals(State.READ_LEN, d.state(), where);
                    assertTrue(d.isInsideHeader(), where);
                    assertEquals(k, sink.headers().size(), "no header before it is complete, " + where);
                } else if (p < headerEnd[k]) {
                    assertEquals(State.READ_HEADER, d.state(), where);
                    assertTrue(d.isInsideHeader(), where);
                    assertEquals(k, sink.headers().size(), "no header before it is complete, " + where);
                } else {
                    assertEquals(State.READ_BODY, d.state(), where);
                    assertFalse(d.isInsideHeader(), where);
                    assertEquals(end[k] - p, d.bodyRemaining(), where);
                    assertEquals(k + 1, sink.headers().size(), where);
                }
            }
            assertExpected(sink, d, "byte by byte");
        }

        @Test
        void partialFrameIsNotEmitted() throws Exception {
            byte[] f = frame("{\"op\":\"PUT\",\"size\":10}", utf8("0123456789"));
            byte[] s = concat(preamble(1, 0), f);
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();

            d.decode(ByteBuffer.wrap(s, 0, 4), sink); // half the preamble
            assertEquals(State.READ_PREAMBLE, d.state());
            assertTrue(d.isInsideHeader());

            d.decode(ByteBuffer.wrap(s, 4, 6), sink); // rest of preamble + 2 length bytes
            assertEquals(State.READ_LEN, d.state());
            assertTrue(d.isInsideHeader());

            d.decode(ByteBuffer.wrap(s, 10, 10), sink); // rest of length + 8 header bytes
            assertEquals(State.READ_HEADER, d.state());
            assertTrue(d.isInsideHeader());
            assertTrue(sink.events.isEmpty());

            int headerEnd = 12 + utf8("{\"op\":\"PUT\",\"size\":10}").length;
            d.decode(ByteBuffer.wrap(s, 20, headerEnd - 20 + 3), sink); // rest of header + 3 body bytes
            assertEquals(State.READ_BODY, d.state());
            assertFalse(d.isInsideHeader());
            assertEquals(7, d.bodyRemaining());
            assertEquals(List.of(Event.HEADER, Event.BODY), sink.events);
            assertEquals(0, sink.frameEnds);
            assertEquals(0, d.framesDecoded());

            d.decode(ByteBuffer.wrap(s, headerEnd + 3, 7), sink);
            assertEquals(1, sink.frameEnds);
            assertEquals(1, d.framesDecoded());
            assertEquals(List.of(Frame.of(Header.op("PUT").put("size", 10L), utf8("0123456789"))), sink.frames());
        }

        @Test
        void streamCutAtEveryPointNeverEmitsTheCutFrame() throws Exception {
            byte[] f = frame("{\"op\":\"PUT\",\"size\":4}", utf8("data"));
            byte[] s = concat(preamble(1, 0), frame("{\"op\":\"A\"}"), f);
            int fStart = s.length - f.length;
            for (int cut = fStart; cut < s.length; cut++) {
                FrameDecoder d = new FrameDecoder();
                RecordingSink sink = new RecordingSink();
                d.decode(ByteBuffer.wrap(s, 0, cut), sink);
                assertEquals(1, sink.frameEnds, "cut at " + cut);
                assertEquals(1, d.framesDecoded());
                assertEquals(cut == fStart ? 1 : (cut < s.length - 4 ? 1 : 2), sink.headers().size(), "cut at " + cut);
                assertEquals(cut > fStart && cut < s.length - 4, d.isInsideHeader(), "cut at " + cut);
            }
        }
    }

    // ---- a body beyond 4 GiB --------------------------------------------------------------------

    @Test
    void fiveGiBBodyStreamsThroughOneReusedBuffer() throws Exception {
        final long size = 5L << 30;
        final int chunk = 1 << 20;
        FrameDecoder d = new FrameDecoder();
        RecordingSink sink = new RecordingSink(RecordingSink.NEVER, false); // counts, does not copy
        d.decode(ByteBuffer.wrap(concat(preamble(1, 0), frame("{\"op\":\"PUT\",\"id\":1,\"size\":" + size + "}"))), sink);
        assertEquals(List.of(Header.reply("PUT", 1).put("size", size)), sink.headers());
        assertEquals(size, d.bodyRemaining());

        ByteBuffer buf = ByteBuffer.allocate(chunk); // filled once (zeros), reused for every read
        long calls = size / chunk;
        assertEquals(5120, calls);
        for (long i = 1; i <= calls; i++) {
            buf.clear();
            d.decode(buf, sink);
            assertFalse(buf.hasRemaining());
            if (i == 1) {
                assertEquals(size - chunk, d.bodyRemaining(), "a remaining count beyond int range");
            }
            if (i < calls) {
                assertEquals(0, sink.frameEnds);
            }
        }
        assertEquals(size, sink.bodyBytes);
        assertEquals(calls, sink.bodyChunks);
        assertEquals(1, sink.frameEnds);
        assertEquals(1, d.framesDecoded());
        assertEquals(State.READ_LEN, d.state());
        assertEquals(0, d.bodyRemaining());

        // and the stream goes on
        d.decode(ByteBuffer.wrap(frame("{\"op\":\"PING\"}")), sink);
        assertEquals(2, sink.frameEnds);
        assertEquals(Header.op("PING"), sink.headers().get(1));
    }

    // ---- errors -----------------------------------------------------------------------------

    static ProtocolException failAllAtOnce(byte[] stream, FrameLimits limits) {
        FrameDecoder d = new FrameDecoder(limits);
        RecordingSink sink = new RecordingSink();
        return failWith(d, sink, ByteBuffer.wrap(stream));
    }

    static ProtocolException failWith(FrameDecoder d, FrameSink sink, ByteBuffer in) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> d.decode(in, sink));
        assertTerminal(d, e);
        return e;
    }

    static ProtocolException failByteByByte(byte[] stream, FrameLimits limits) {
        FrameDecoder d = new FrameDecoder(limits);
        RecordingSink sink = new RecordingSink();
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            for (byte b : stream) {
                d.decode(ByteBuffer.wrap(new byte[] {b}), sink);
            }
        });
        assertTerminal(d, e);
        return e;
    }

    static void assertTerminal(FrameDecoder d, ProtocolException e) {
        assertEquals(State.BAD_FRAME, d.state());
        assertSame(e, d.failure());
        RecordingSink after = new RecordingSink();
        assertSame(e, assertThrows(ProtocolException.class, () -> d.decode(ByteBuffer.wrap(frame("{}")), after)));
        assertSame(e, assertThrows(ProtocolException.class, () -> d.decode(ByteBuffer.allocate(0), after)));
        assertSame(e, assertThrows(ProtocolException.class, () -> d.decode(ByteBuffer.wrap(STREAM), after)));
        assertTrue(after.events.isEmpty(), "a terminal decoder emits nothing");
        assertEquals(State.BAD_FRAME, d.state());
    }

    /** Checks the error is identical whether the stream arrives whole or byte by byte. */
    static ProtocolException frameError(byte[] afterPreamble, FrameLimits limits, String... fragments) {
        byte[] s = concat(preamble(1, 0), afterPreamble);
        ProtocolException whole = failAllAtOnce(s, limits);
        ProtocolException split = failByteByByte(s, limits);
        assertEquals(whole.getMessage(), split.getMessage());
        assertEquals(ProtocolException.BAD_FRAME, whole.code());
        for (String f : fragments) {
            assertTrue(whole.getMessage().contains(f), () -> "\"" + whole.getMessage() + "\" should contain \"" + f + "\"");
        }
        return whole;
    }

    static ProtocolException frameError(byte[] afterPreamble, String... fragments) {
        return frameError(afterPreamble, FrameLimits.DEFAULT, fragments);
    }

    @Nested
    class Errors {
        @Test
        void oversizedLengthExactMessage() {
            ProtocolException e = frameError(u32(0x7FFFFFFFL));
            assertEquals("header length 2147483647 exceeds limit 65536", e.getMessage());
        }

        @Test
        void lengthIsUnsigned() {
            assertEquals("header length 4294967295 exceeds limit 65536", frameError(u32(0xFFFFFFFFL)).getMessage());
            assertEquals("header length 2147483648 exceeds limit 65536", frameError(u32(0x80000000L)).getMessage());
            assertEquals("header length 65537 exceeds limit 65536", frameError(u32(65537)).getMessage());
        }

        @Test
        void oversizedLengthFailsWithoutWaitingForTheHeader() {
            // only the 4 length bytes: the error must not wait for 2 GiB that will never come
            FrameDecoder d = new FrameDecoder();
            failWith(d, new RecordingSink(), ByteBuffer.wrap(concat(preamble(1, 0), u32(0x7FFFFFFFL))));
        }

        @Test
        void headerAtExactlyTheLimitIsAccepted() throws Exception {
            String prefix = "{\"op\":\"BIG\",\"pad\":\"";
            String json = prefix + "x".repeat(FrameLimits.DEFAULT_MAX_HEADER_BYTES - prefix.length() - 2) + "\"}";
            assertEquals(FrameLimits.DEFAULT_MAX_HEADER_BYTES, utf8(json).length);
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            feed(d, sink, ByteBuffer.wrap(concat(preamble(1, 0), frame(json))));
            assertEquals("BIG", sink.headers().get(0).op());

            FrameLimits small = FrameLimits.DEFAULT.withMaxHeaderBytes(20);
            byte[] twenty = utf8("{\"op\":\"X\"}          ");
            assertEquals(20, twenty.length);
            FrameDecoder d2 = new FrameDecoder(small);
            RecordingSink sink2 = new RecordingSink();
            feed(d2, sink2, ByteBuffer.wrap(concat(preamble(1, 0), frame(twenty, new byte[0]))));
            assertEquals(1, sink2.frameEnds);
            assertEquals("header length 21 exceeds limit 20",
                    frameError(frame(concat(twenty, utf8(" ")), new byte[0]), small).getMessage());
        }

        @Test
        void lengthZeroAndOneAreTooShort() {
            assertEquals("header length 0 is too short for a JSON object", frameError(u32(0)).getMessage());
            assertEquals("header length 1 is too short for a JSON object",
                    frameError(concat(u32(1), utf8("{"))).getMessage());
        }

        @Test
        void negativeSize() {
            assertEquals("size must be a non-negative integer, got -1", frameError(frame("{\"size\":-1}")).getMessage());
            frameError(frame("{\"op\":\"PUT\",\"size\":-9223372036854775808}"), "non-negative", "-9223372036854775808");
        }

        @Test
        void nonIntegerSize() {
            frameError(frame("{\"size\":\"5\"}"), "size must be a non-negative integer, got \"5\"");
            frameError(frame("{\"size\":true}"), "size must be a non-negative integer, got true");
            frameError(frame("{\"size\":[5]}"), "size must be a non-negative integer");
            frameError(frame("{\"size\":{}}"), "size must be a non-negative integer");
            frameError(frame("{\"size\":1.5}"), "only integers");
            frameError(frame("{\"size\":5e2}"), "only integers");
            frameError(frame("{\"size\":18446744073709551615}"), "int64");
        }

        @Test
        void sizeAboveMaxBodyBytes() throws Exception {
            FrameLimits limits = FrameLimits.DEFAULT.withMaxBodyBytes(100);
            assertEquals("body size 101 exceeds limit 100",
                    frameError(frame("{\"size\":101}", new byte[101]), limits).getMessage());
            FrameDecoder d = new FrameDecoder(limits);
            RecordingSink sink = new RecordingSink();
            feed(d, sink, ByteBuffer.wrap(concat(preamble(1, 0), frame("{\"size\":100}", new byte[100]))));
            assertEquals(1, sink.frameEnds);
            assertEquals(100, sink.bodyBytes);
        }

        @Test
        void invalidUtf8InHeader() {
            frameError(frame(concat(utf8("{\"op\":\""), bytes(0xED, 0xA0, 0x80), utf8("\"}")), new byte[0]),
                    "invalid JSON header", "UTF-8 encoded surrogate");
            frameError(frame(concat(utf8("{\"op\":\""), bytes(0xC0, 0x80), utf8("\"}")), new byte[0]),
                    "invalid UTF-8 lead byte 0xc0");
            frameError(frame(concat(utf8("{\"op\":\""), bytes(0xF4, 0x90, 0x80, 0x80), utf8("\"}")), new byte[0]),
                    "above U+10FFFF");
            // a multi-byte character cut by the declared length
            byte[] cut = concat(utf8("{\"op\":\""), bytes(0xE2, 0x82));
            frameError(concat(frame(cut, new byte[0]), bytes(0xAC), utf8("\"}")), "truncated UTF-8 sequence");
        }

        @Test
        void invalidJsonInHeader() {
            frameError(frame("{\"op\" \"x\"}"), "invalid JSON header", "expected ':'");
            frameError(frame("{\"op\":\"x\"}x"), "trailing garbage");
            frameError(frame("{}{}"), "trailing garbage");
            frameError(frame("{\"op\":\"x\",\"op\":\"y\"}"), "duplicate key \"op\"");
            frameError(frame("{\"op\":"), "unexpected end of input");
            frameError(frame("{\"id\":01}"), "leading zeros");
            frameError(frame("{\"s\":\"a\u0001b\"}"), "raw control character");
            // the declared length ends before the object does
            byte[] json = utf8("{\"op\":\"PING\"}");
            frameError(concat(u32(json.length - 1), json), "unexpected end of input");
        }

        @Test
        void headerMustBeAnObject() {
            frameError(frame("[1,2]"), "a header must be a JSON object");
            frameError(frame("[{\"op\":\"PING\"}]"), "a header must be a JSON object");
            frameError(frame("\"op\""), "a header must be a JSON object");
            frameError(frame("12"), "a header must be a JSON object");
            frameError(frame("null"), "a header must be a JSON object");
        }

        @Test
        void headerDeeperThanTheLimit() throws Exception {
            FrameLimits limits = FrameLimits.DEFAULT.withMaxDepth(2);
            frameError(frame("{\"a\":[[1]]}"), limits, "nesting deeper than 2");
            FrameDecoder d = new FrameDecoder(limits);
            RecordingSink sink = new RecordingSink();
            feed(d, sink, ByteBuffer.wrap(concat(preamble(1, 0), frame("{\"a\":[1]}"))));
            assertEquals(1, sink.frameEnds);
        }

        @Test
        void goodFramesBeforeTheErrorAreEmittedButNotTheBadOne() {
            byte[] s = concat(preamble(1, 0), frame("{\"op\":\"A\"}"), frame("{\"op\":\"B\",\"size\":2}", utf8("xy")),
                    frame("{\"op\":\"C\",\"size\":-5}", utf8("zz")));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            ProtocolException e = failWith(d, sink, ByteBuffer.wrap(s));
            assertTrue(e.getMessage().contains("non-negative"));
            assertEquals(List.of(Frame.of(Header.op("A"), new byte[0]), Frame.of(Header.op("B").put("size", 2L), utf8("xy"))),
                    sink.frames());
            assertEquals(2, d.framesDecoded());
        }

        @Test
        void errorInAHeaderSplitAcrossReads() {
            byte[] s = concat(preamble(1, 0), frame("{\"op\":\"X\",\"op\":\"Y\"}"));
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            assertThrows(ProtocolException.class, () -> {
                d.decode(ByteBuffer.wrap(s, 0, 20), sink);
                assertEquals(State.READ_HEADER, d.state());
                d.decode(ByteBuffer.wrap(s, 20, s.length - 20), sink);
            });
            assertTrue(d.failure().getMessage().contains("duplicate key \"op\""));
            assertTerminal(d, d.failure());
            assertTrue(sink.events.isEmpty());
        }

        @Test
        void freshDecoderHasNoFailure() {
            assertNull(new FrameDecoder().failure());
        }
    }

    // ---- preamble ---------------------------------------------------------------------------

    static ProtocolException preambleError(byte[] input, String... fragments) {
        FrameDecoder d = new FrameDecoder();
        ByteBuffer in = ByteBuffer.wrap(input);
        ProtocolException e = failWith(d, new RecordingSink(), in);
        assertEquals(ProtocolException.BAD_PREAMBLE, e.code());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "\"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
        return e;
    }

    @Nested
    class Preambles {
        @Test
        void httpRequestFailsOnTheFirstByte() {
            byte[] http = utf8("GET / HTTP/1.1\r\nHost: example\r\nUser-Agent: curl\r\n\r\n");
            FrameDecoder d = new FrameDecoder();
            ByteBuffer in = ByteBuffer.wrap(http);
            ProtocolException e = failWith(d, new RecordingSink(), in);
            assertEquals(0, in.position(), "rejected at the very first byte");
            assertEquals(ProtocolException.BAD_PREAMBLE, e.code());
            assertTrue(e.getMessage().contains("looks like HTTP"), e.getMessage());
            assertTrue(e.getMessage().contains("GET / HTTP/1.1\\r\\n"), e.getMessage());
            assertFalse(e.getMessage().contains("curl"), "quotes a bounded prefix only: " + e.getMessage());
            preambleError(utf8("POST /upload HTTP/1.1\r\n"), "looks like HTTP");
            preambleError(utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "looks like HTTP");
        }

        @Test
        void tlsClientHello() {
            byte[] hello = bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 0x5A, 0x11);
            preambleError(hello, "TLS handshake");
        }

        @Test
        void rawTextCommand() {
            ProtocolException e = preambleError(utf8("dir\n"), "plain text");
            assertTrue(e.getMessage().contains("dir\\n"), e.getMessage());
        }

        @Test
        void otherForeignPeers() {
            preambleError(utf8("SSH-2.0-OpenSSH_9.6\r\n"), "SSH banner");
            preambleError(bytes(0x00, 0x00, 0x00, 0x10, '{'), "got bytes 0x000000107b");
            // a length-prefixed frame with no preamble at all
            preambleError(frame("{\"op\":\"PING\"}"), "not a Ferry peer");
        }

        @Test
        void mismatchAfterAPartialMagicQuotesWhatWasSeen() throws Exception {
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            d.decode(ByteBuffer.wrap(utf8("FER")), sink);
            assertEquals(State.READ_PREAMBLE, d.state());
            assertTrue(d.isInsideHeader());
            ProtocolException e = failWith(d, sink, ByteBuffer.wrap(utf8("X protocol")));
            assertEquals(ProtocolException.BAD_PREAMBLE, e.code());
            assertTrue(e.getMessage().contains("FERX protocol"), e.getMessage());
            preambleError(utf8("FERRY!"), "FERRY!");
        }

        @Test
        void wrongMajorVersion() {
            ProtocolException e = preambleError(preamble(2, 0), "unsupported protocol version 2");
            assertTrue(e.getMessage().contains("1.0"), "names this side's version: " + e.getMessage());
            preambleError(preamble(0, 9), "unsupported protocol version 0");
            preambleError(preamble(255, 0), "unsupported protocol version 255");
        }

        @Test
        void otherMinorVersionsAreAccepted() throws Exception {
            for (int minor : new int[] {0, 1, 7, 255}) {
                FrameDecoder d = new FrameDecoder();
                RecordingSink sink = new RecordingSink();
                feed(d, sink, ByteBuffer.wrap(concat(preamble(Preamble.MAJOR, minor), frame("{\"op\":\"HELLO\"}"))));
                assertEquals(List.of(Header.op("HELLO")), sink.headers());
            }
        }

        @Test
        void preambleFromPreambleClassIsAccepted() throws Exception {
            byte[] p = Preamble.bytes();
            assertEquals(Preamble.LENGTH, p.length);
            assertEquals(List.of((byte) 'F', (byte) 'E', (byte) 'R', (byte) 'R', (byte) 'Y', (byte) 0,
                    (byte) Preamble.MAJOR, (byte) Preamble.MINOR), toList(p));
            ByteBuffer b = ByteBuffer.allocate(10);
            Preamble.write(b);
            assertEquals(Preamble.LENGTH, b.position());
            FrameDecoder d = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            feed(d, sink, ByteBuffer.wrap(concat(p, frame("{}"))));
            assertEquals(1, sink.frameEnds);
        }

        @Test
        void expectPreambleFalseSkipsIt() throws Exception {
            FrameLimits noPreamble = FrameLimits.DEFAULT.withExpectPreamble(false);
            FrameDecoder d = new FrameDecoder(noPreamble);
            assertEquals(State.READ_LEN, d.state());
            RecordingSink sink = new RecordingSink();
            byte[] frames = Arrays.copyOfRange(STREAM, Preamble.LENGTH, STREAM.length);
            feed(d, sink, ByteBuffer.wrap(frames));
            assertExpected(sink, d, "no preamble");
            // and a preamble is then just a (huge) length: "FERR" = 0x46455252
            assertEquals("header length 1178948178 exceeds limit 65536", failAllAtOnce(STREAM, noPreamble).getMessage());
        }

        @Test
        void preambleSplitAtEveryByte() throws Exception {
            for (int split = 0; split <= Preamble.LENGTH; split++) {
                FrameDecoder d = new FrameDecoder();
                RecordingSink sink = new RecordingSink();
                byte[] s = concat(preamble(1, 0), frame("{}"));
                feed(d, sink, ByteBuffer.wrap(s, 0, split));
                assertEquals(split > 0 && split < Preamble.LENGTH, d.isInsideHeader(), "split " + split);
                feed(d, sink, ByteBuffer.wrap(s, split, s.length - split));
                assertEquals(1, sink.frameEnds);
            }
        }
    }

    /** Counts what the decoder delivers, without RecordingSink's "whole body" check. */
    static final class CountingSink implements FrameSink {
        final List<String> ops = new ArrayList<>();
        long bodyBytes;
        int frameEnds;

        @Override
        public boolean onHeader(Header h) {
            ops.add(h.op());
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            bodyBytes += chunk.remaining();
            chunk.position(chunk.limit());
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            frameEnds++;
            return true;
        }
    }

    /**
     * A caller that reads part of a body itself (straight from the socket into its own buffer)
     * tells the decoder with skipBody: the rest of the body and the next frame decode as if those
     * bytes had gone through decode, and the frame ends exactly once.
     */
    @Test
    void bodyBytesTakenByTheCallerAreSkipped() throws Exception {
        byte[] ping = frame("{\"op\":\"PING\"}");
        byte[] stream = concat(frame("{\"op\":\"PUT\",\"size\":1000}", new byte[1000]), ping);
        int headerEnd = stream.length - 1000 - ping.length;
        FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false));
        CountingSink sink = new CountingSink();
        d.decode(ByteBuffer.wrap(stream, 0, headerEnd + 100), sink); // the header and 100 body bytes
        assertEquals(900, d.bodyRemaining());
        d.skipBody(700);                                             // 700 the caller read itself
        assertEquals(200, d.bodyRemaining());
        assertThrows(IllegalStateException.class, () -> d.skipBody(201), "never past the body's end");
        d.decode(ByteBuffer.wrap(stream, headerEnd + 800, stream.length - headerEnd - 800), sink);
        assertEquals(List.of("PUT", "PING"), sink.ops);
        assertEquals(2, sink.frameEnds);
        assertEquals(300, sink.bodyBytes, "only the bytes given to decode reach the sink");
        assertThrows(IllegalStateException.class, () -> d.skipBody(1), "not inside a body");
    }

    /** The caller took the last body bytes: an empty decode delivers the frame's end, once. */
    @Test
    void anEmptyDecodeEndsABodyTheCallerFinished() throws Exception {
        FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false));
        CountingSink sink = new CountingSink();
        d.decode(ByteBuffer.wrap(frame("{\"op\":\"PUT\",\"size\":10}")), sink);
        d.skipBody(10);
        assertEquals(0, sink.frameEnds);
        d.decode(ByteBuffer.allocate(0), sink);
        d.decode(ByteBuffer.allocate(0), sink);
        assertEquals(1, sink.frameEnds);
        assertEquals(State.READ_LEN, d.state());
    }

    static List<Byte> toList(byte[] b) {
        List<Byte> l = new ArrayList<>();
        for (byte x : b) {
            l.add(x);
        }
        return l;
    }
}

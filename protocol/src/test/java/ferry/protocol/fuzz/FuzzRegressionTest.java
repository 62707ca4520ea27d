package ferry.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.JsonReader;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzer found, pinned as plain tests (each failed before its fix), and the memory
 * properties it checks stated once without randomness.
 */
class FuzzRegressionTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Found: a 4-byte length of 65536 and one byte of JSON made the decoder allocate 64 KiB. */
    @Test
    void splitHeaderHoldsMemoryInProportionToWhatArrived() throws Exception {
        FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false));
        StringBuilder json = new StringBuilder("{\"op\":\"PING\",\"pad\":\"");
        while (json.length() < 65_536 - 2) {
            json.append('p');
        }
        json.append("\"}");
        byte[] header = json.toString().getBytes(StandardCharsets.US_ASCII);
        assertEquals(65_536, header.length);
        ByteBuffer len = ByteBuffer.allocate(4).putInt(header.length).flip();
        Counting sink = new Counting();
        d.decode(len, sink);
        d.decode(ByteBuffer.wrap(header, 0, 1), sink);
        int held = DecoderHarness.scratchCapacity(d);
        assertTrue(held <= DecoderHarness.AMPLIFICATION_FLOOR_BYTES, "one byte of a 64 KiB header holds " + held + " bytes");
        // dribbling: what is held stays within twice what arrived
        for (int i = 1; i < 5000; i++) {
            d.decode(ByteBuffer.wrap(header, i, 1), sink);
            held = DecoderHarness.scratchCapacity(d);
            assertTrue(held <= Math.max(DecoderHarness.AMPLIFICATION_FLOOR_BYTES, 2 * (i + 1)),
                    held + " bytes held after " + (i + 1));
        }
        d.decode(ByteBuffer.wrap(header, 5000, header.length - 5000), sink);
        assertEquals(1, sink.headers);
        assertEquals("PING", sink.last.op());
        assertEquals(65_536 - 2 - "{\"op\":\"PING\",\"pad\":\"".length(), sink.last.getString("pad", "").length());
        assertEquals(0, DecoderHarness.scratchCapacity(d), "the scratch is dropped once the header is parsed");
    }

    /** Found: a reader configured 10,000 deep overflowed the stack on deep input instead of failing cleanly. */
    @Test
    void nestingLimitsAboveWhatTheStackCanTakeAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new JsonReader(Json.MAX_SUPPORTED_DEPTH + 1));
        assertThrows(IllegalArgumentException.class, () -> FrameLimits.DEFAULT.withMaxDepth(10_000));
        JsonReader deepest = new JsonReader(Json.MAX_SUPPORTED_DEPTH);
        byte[] ok = nested(Json.MAX_SUPPORTED_DEPTH);
        byte[] tooDeep = nested(Json.MAX_SUPPORTED_DEPTH + 1);
        Throwable[] outcome = new Throwable[2];
        Object[] value = new Object[1];
        // on a fresh thread with the default stack, as an event loop has
        Thread t = new Thread(() -> {
            try {
                value[0] = deepest.parse(ByteBuffer.wrap(ok));
            } catch (Throwable e) {
                outcome[0] = e;
            }
            try {
                deepest.parse(ByteBuffer.wrap(tooDeep));
            } catch (Throwable e) {
                outcome[1] = e;
            }
        });
        t.start();
        t.join();
        assertNull(outcome[0]);
        assertTrue(value[0] instanceof java.util.List);
        assertTrue(outcome[1] instanceof ProtocolException, String.valueOf(outcome[1]));
        assertTrue(outcome[1].getMessage().contains("nesting deeper than " + Json.MAX_SUPPORTED_DEPTH));
    }

    /**
     * Found: duplicate-key checks scanned the header's fields linearly, so a 64 KiB header of ~8,000
     * keys cost ~130 ms of loop time. Headers with many fields are indexed now; this pins that the
     * index answers like the scan (speed is measured by the fuzzer's slow-input check in make fuzz).
     */
    @Test
    void headersWithManyFieldsBehaveLikeSmallOnes() throws Exception {
        Header h = new Header();
        for (int i = 0; i < 10_000; i++) {
            h.put("k" + i, (long) i);
        }
        assertEquals(10_000, h.fieldCount());
        assertEquals(1234L, h.get("k1234"));
        assertFalse(h.has("k10000"));
        h.put("k5", "replaced");
        assertEquals(10_000, h.fieldCount());
        assertEquals("k5", h.keyAt(5));
        assertEquals("replaced", h.get("k5"));
        h.remove("k3");
        assertEquals(9_999, h.fieldCount());
        assertFalse(h.has("k3"));
        assertEquals(4L, h.get("k4"));
        assertEquals("k4", h.keyAt(3), "later fields moved up");
        assertEquals(9_999L, h.get("k9999"));
        Header copy = h.copy();
        copy.put("k4", 0L);
        assertEquals(4L, h.get("k4"), "a copy's index is its own");
        assertEquals(0L, copy.get("k4"));
        h.clear();
        assertFalse(h.has("k4"));
        h.put("a", 1L);
        assertEquals(1L, h.get("a"));

        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 8000; i++) {
            json.append("\"").append(Integer.toString(i, 36)).append("\":0,");
        }
        json.append("\"5k\":1}"); // key 5k is 7292 in base 36: a duplicate at the very end
        byte[] b = json.toString().getBytes(StandardCharsets.US_ASCII);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new JsonReader(16).parseObjectInto(ByteBuffer.wrap(b), 0, b.length, new Header()));
        assertTrue(e.getMessage().contains("duplicate key \"5k\""), e.getMessage());
    }

    /** A 5 GiB declared body streams through one reused buffer: allocation does not grow with the body. */
    @Test
    void fiveGiBDeclaredBodyStreamsWithoutAllocatingPerByte() throws Exception {
        long size = 5L << 30;
        FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT);
        Counting sink = new Counting();
        byte[] json = ("{\"op\":\"PUT\",\"size\":" + size + "}").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer head = ByteBuffer.allocate(8 + 4 + json.length);
        Preamble.write(head);
        head.putInt(json.length).put(json).flip();
        d.decode(head, sink);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (long fed = 0; fed < size; fed += chunk.capacity()) {
            chunk.clear();
            d.decode(chunk, sink);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertEquals(size, sink.bodyBytes);
        assertEquals(1, sink.ends);
        assertTrue(allocated < 256 * 1024, allocated + " bytes allocated streaming 5 GiB");
    }

    /** The oracle itself, on texts whose verdict is known: a fuzzer is only as good as its oracle. */
    @Test
    void referenceJsonAgreesOnHandPickedTexts() throws Exception {
        String[] accepted = {"{}", "[]", "0", "-0", "\"\\uD83D\\uDE00\"", "{\"a\":[1,{\"b\":null}]}", " true ",
            "-9223372036854775808", "9223372036854775807", "\"\\u00e9\\/\\b\""};
        String[] rejected = {"", "01", "-", "1.0", "1e5", "9223372036854775808", "-9223372036854775809", "\"\\uD800\"",
            "\"\\uDC00\"", "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "[1,]", "\"\u0001\"", "tru", "{} x", "\"\\x\""};
        for (String s : accepted) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(new JsonReader(16).parse(ByteBuffer.wrap(b)), ReferenceJson.parse(b, 16, false), s);
        }
        for (String s : rejected) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertThrows(ReferenceJson.Reject.class, () -> ReferenceJson.parse(b, 16, false), s);
            assertThrows(ProtocolException.class, () -> new JsonReader(16).parse(ByteBuffer.wrap(b)), s);
        }
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0x80, '"'};
        assertThrows(ReferenceJson.Reject.class, () -> ReferenceJson.parse(overlong, 16, false));
    }

    private static byte[] nested(int depth) {
        StringBuilder sb = new StringBuilder();
        sb.append("[".repeat(depth)).append("]".repeat(depth));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Counts events; keeps the last header. */
    private static final class Counting implements FrameSink {
        int headers;
        long bodyBytes;
        int ends;
        Header last;

        @Override
        public boolean onHeader(Header header) {
            headers++;
            last = header;
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            bodyBytes += chunk.remaining();
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            ends++;
            return true;
        }
    }
}

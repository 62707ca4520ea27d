package ferry.protocol;

import static ferry.protocol.TestBytes.concat;
import static ferry.protocol.TestBytes.preamble;
import static ferry.protocol.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.RecordingSink.Frame;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
    static List<Header> sampleHeaders() {
        List<Header> hs = new ArrayList<>();
        hs.add(Header.reply("PING", 1));
        hs.add(new Header());
        hs.add(Header.reply("PUT", 2).put("size", 5L).put("path", "/tmp/\u65e5\u672c/\uD83D\uDE00 \"q\" \\ \n"));
        hs.add(Header.op("EXEC").put("argv", List.of("sh", "-c", "echo hi")).put("env", Map.of("K", "V"))
                .put("tty", false).put("cwd", null));
        hs.add(Header.op("MAX").put("id", Long.MAX_VALUE).put("min", Long.MIN_VALUE).put("size", 0L));
        hs.add(Header.op("BIG").put("pad", "z".repeat(5000)));
        return hs;
    }

    static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void encodeThenDecodeRoundTrips() throws Exception {
        FrameEncoder enc = new FrameEncoder();
        ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
        wire.put(Preamble.bytes());
        List<Frame> expected = new ArrayList<>();
        Random r = new Random(3);
        for (Header h : sampleHeaders()) {
            int n = enc.encode(h, wire);
            assertEquals(4 + utf8(h.toString()).length, n);
            byte[] body = new byte[(int) h.size()];
            r.nextBytes(body);
            wire.put(body);
            expected.add(Frame.of(h, body));
        }
        wire.flip();
        FrameDecoder d = new FrameDecoder();
        RecordingSink sink = new RecordingSink();
        d.decode(wire, sink);
        assertEquals(expected, sink.frames());
        // field order survives too
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).header().toString(), sink.frames().get(i).header().toString());
        }
    }

    @Test
    void randomHeadersRoundTripThroughTheDecoder() throws Exception {
        Random r = new Random(99);
        FrameEncoder enc = new FrameEncoder();
        for (int i = 0; i < 300; i++) {
            Header h = new Header();
            int fields = r.nextInt(6);
            for (int k = 0; k < fields; k++) {
                h.put(JsonWriterTest.randomString(r), JsonWriterTest.randomValue(r, 1));
            }
            h.remove(Header.SIZE); // a random size would declare a body
            ByteBuffer frame = enc.encode(h);
            FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false));
            RecordingSink sink = new RecordingSink();
            d.decode(frame, sink);
            assertEquals(List.of(h), sink.headers());
            assertEquals(1, sink.frameEnds);
        }
    }

    @Test
    void encodedBytesAreLengthPrefixAndJson() {
        Header h = Header.reply("PING", 7);
        byte[] json = utf8("{\"op\":\"PING\",\"id\":7}");
        ByteBuffer b = new FrameEncoder().encode(h);
        assertEquals(0, b.position());
        assertEquals(4 + json.length, b.limit());
        assertArrayEquals(concat(TestBytes.u32(json.length), json), bytesOf(b));
    }

    @Test
    void lengthPrefixIsBigEndianU32() {
        // a header whose JSON is exactly 0x0102 bytes, so both prefix bytes are non-zero
        String prefix = "{\"pad\":\"";
        Header h = new Header().put("pad", "a".repeat(0x0102 - prefix.length() - 2));
        FrameEncoder enc = new FrameEncoder();
        ByteBuffer b = enc.encode(h);
        assertEquals(0, b.get(0));
        assertEquals(0, b.get(1));
        assertEquals(0x01, b.get(2));
        assertEquals(0x02, b.get(3));
        assertEquals('{', b.get(4));

        // whatever order the caller's buffer has
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer out = (direct ? ByteBuffer.allocateDirect(1024) : ByteBuffer.allocate(1024)).order(order);
                enc.encode(h, out);
                out.flip();
                assertArrayEquals(bytesOf(b), bytesOf(out), order + " direct=" + direct);
            }
        }
    }

    @Test
    void prepareThenWritePrepared() {
        FrameEncoder enc = new FrameEncoder();
        Header h = Header.reply("STAT", 3).put("path", "/x");
        byte[] expected = bytesOf(enc.encode(h));
        int n = enc.prepare(h);
        assertEquals(expected.length, n);
        // writePrepared can be repeated (e.g. a broadcast), into any buffer, at any position
        ByteBuffer a = ByteBuffer.allocate(n);
        enc.writePrepared(a);
        assertEquals(n, a.position());
        ByteBuffer b = ByteBuffer.allocateDirect(n + 10);
        b.position(10);
        enc.writePrepared(b);
        assertEquals(n + 10, b.position());
        assertArrayEquals(expected, a.array());
        b.flip().position(10);
        assertArrayEquals(expected, bytesOf(b));
        // prepare again replaces the scratch
        int n2 = enc.prepare(new Header());
        assertEquals(6, n2);
        ByteBuffer c = ByteBuffer.allocate(6);
        enc.writePrepared(c);
        assertArrayEquals(concat(TestBytes.u32(2), utf8("{}")), c.array());
    }

    @Test
    void tooSmallBufferThrowsHavingWrittenNothing() {
        FrameEncoder enc = new FrameEncoder();
        Header h = Header.reply("PUT", 1).put("path", "/some/path");
        int n = enc.prepare(h);
        for (int room = 0; room < n; room++) {
            byte[] backing = new byte[n + 8];
            Arrays.fill(backing, (byte) 0x5A);
            ByteBuffer out = ByteBuffer.wrap(backing);
            out.position(3).limit(3 + room);
            assertThrows(BufferOverflowException.class, () -> enc.encode(h, out), "room " + room);
            assertEquals(3, out.position(), "position unchanged, room " + room);
            assertEquals(3 + room, out.limit());
            for (byte x : backing) {
                assertEquals(0x5A, x, "nothing written, room " + room);
            }
            assertThrows(BufferOverflowException.class, () -> enc.writePrepared(out));
            assertEquals(3, out.position());
        }
        ByteBuffer exact = ByteBuffer.allocate(n);
        assertEquals(n, enc.encode(h, exact));
        assertEquals(n, exact.position());
    }

    @Test
    void headerLargerThanTheLimitRejected() {
        FrameEncoder enc = new FrameEncoder(32);
        String prefix = "{\"op\":\"";
        Header exactly = Header.op("x".repeat(32 - prefix.length() - 2));
        assertEquals(32, utf8(exactly.toString()).length);
        assertEquals(36, enc.prepare(exactly));
        Header over = Header.op("x".repeat(32 - prefix.length() - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.prepare(over));
        assertEquals("header of 33 bytes exceeds limit 32", e.getMessage());
        ByteBuffer out = ByteBuffer.allocate(100);
        assertThrows(IllegalArgumentException.class, () -> enc.encode(over, out));
        assertEquals(0, out.position(), "nothing written");
        assertThrows(IllegalArgumentException.class, () -> enc.encode(over));

        // the default limit matches the decoder's default
        FrameEncoder def = new FrameEncoder();
        String p2 = "{\"pad\":\"";
        Header max = new Header().put("pad", "y".repeat(FrameLimits.DEFAULT_MAX_HEADER_BYTES - p2.length() - 2));
        assertEquals(4 + FrameLimits.DEFAULT_MAX_HEADER_BYTES, def.prepare(max));
        max.put("pad", max.getString("pad", "") + "y");
        assertThrows(IllegalArgumentException.class, () -> def.prepare(max));
    }

    @Test
    void limitCountsUtf8BytesNotChars() {
        FrameEncoder enc = new FrameEncoder(20);
        Header h = new Header().put("k", "\u65e5\u65e5\u65e5\u65e5"); // 12 bytes of UTF-8, 4 chars
        assertEquals(8 + 12, utf8(h.toString()).length);
        enc.prepare(h);
        h.put("k", "\u65e5\u65e5\u65e5\u65e5a");
        assertThrows(IllegalArgumentException.class, () -> enc.prepare(h));
    }

    @Test
    void valuesJsonCannotCarryAreRejected() {
        FrameEncoder enc = new FrameEncoder();
        assertThrows(IllegalArgumentException.class, () -> enc.prepare(new Header().put("x", 1.5)));
        assertThrows(IllegalArgumentException.class, () -> enc.prepare(new Header().put("x", "\uD800")));
    }

    @Test
    void encoderOutputFedInPiecesDecodes() throws Exception {
        FrameEncoder enc = new FrameEncoder();
        ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
        wire.put(preamble(1, 0));
        List<Header> hs = sampleHeaders();
        for (Header h : hs) {
            enc.encode(h, wire);
            wire.put(new byte[(int) h.size()]);
        }
        wire.flip();
        FrameDecoder d = new FrameDecoder();
        RecordingSink sink = new RecordingSink();
        ByteBuffer piece = ByteBuffer.allocate(7);
        while (wire.hasRemaining()) {
            piece.clear();
            while (piece.hasRemaining() && wire.hasRemaining()) {
                piece.put(wire.get());
            }
            piece.flip();
            d.decode(piece, sink);
        }
        assertEquals(hs, sink.headers());
        assertTrue(sink.frameEnds == hs.size());
    }
}

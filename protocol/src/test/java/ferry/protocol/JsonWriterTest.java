package ferry.protocol;

import static ferry.protocol.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static final long[] INTERESTING_LONGS = {
        0, 1, -1, 9, 10, -10, 99, 100, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 32, -(1L << 32),
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
        Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 5L << 30};

    /** Characters that stress escaping and UTF-8: quotes, backslashes, controls, every UTF-8 length. */
    private static final String[] INTERESTING_PIECES = {
        "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u0001", "\u001f", "\u007f", " ",
        "\u0080", "\u00e9", "\u07ff", "\u0800", "\u20ac", "\ud7ff", "\ue000", "\ufeff", "\uffff",
        "\uD83D\uDE00", "\uD83C\uDF89", "\uD800\uDC00", "\uDBFF\uDFFF", "\u65e5\u672c\u8a9e", "\\u0041", "\\\""};

    static String write(Object v) {
        return Json.write(v);
    }

    static byte[] writeBytes(Object v) {
        return new JsonWriter().value(v).toByteArray();
    }

    // ---- random corpus -------------------------------------------------------------------------

    static String randomString(Random r) {
        int n = r.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append(INTERESTING_PIECES[r.nextInt(INTERESTING_PIECES.length)]);
                case 1 -> sb.append((char) r.nextInt(0x20)); // control character
                case 2 -> sb.append((char) (0x20 + r.nextInt(0x60))); // printable ASCII incl. " and \
                case 3 -> {
                    char c = (char) (0x80 + r.nextInt(0x10000 - 0x80));
                    sb.append(Character.isSurrogate(c) ? '\u00e9' : c);
                }
                case 4 -> sb.appendCodePoint(0x10000 + r.nextInt(0x110000 - 0x10000)); // supplementary
                default -> sb.append("word");
            }
        }
        return sb.toString();
    }

    static Object randomValue(Random r, int depth) {
        int kind = r.nextInt(depth >= 6 ? 5 : 7);
        switch (kind) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: {
                int pick = r.nextInt(3);
                if (pick == 0) {
                    return INTERESTING_LONGS[r.nextInt(INTERESTING_LONGS.length)];
                }
                return pick == 1 ? (long) r.nextInt(1000) - 500 : r.nextLong();
            }
            case 3:
            case 4: return randomString(r);
            case 5: {
                List<Object> list = new ArrayList<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    list.add(randomValue(r, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    map.put(randomString(r), randomValue(r, depth + 1));
                }
                return map;
            }
        }
    }

    @Test
    void roundTripsARandomCorpus() throws Exception {
        Random r = new Random(0xFE77L);
        JsonWriter w = new JsonWriter(); // one writer reused across values: reset() must work
        for (int n = 0; n < 3000; n++) {
            final int i = n;
            Object v = randomValue(r, 0);
            byte[] bytes = w.reset().value(v).toByteArray();
            Object back;
            try {
                back = Json.parse(bytes);
            } catch (ProtocolException e) {
                throw new AssertionError("value #" + i + " wrote unparseable JSON "
                        + new String(bytes, StandardCharsets.UTF_8), e);
            }
            assertEquals(v, back, () -> "value #" + i);
            // order of object keys survives too (Map.equals ignores order)
            assertArrayEquals(bytes, writeBytes(back), () -> "value #" + i);
            // the output is valid UTF-8 that the JDK decodes to the same text
            assertArrayEquals(bytes, new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void roundTripsHeadersFromTheCorpusThroughParseObjectInto() throws Exception {
        Random r = new Random(42);
        JsonReader reader = new JsonReader(Json.DEFAULT_MAX_DEPTH);
        for (int i = 0; i < 500; i++) {
            Header h = new Header();
            int n = r.nextInt(8);
            for (int k = 0; k < n; k++) {
                h.put(randomString(r), randomValue(r, 1));
            }
            byte[] b = new JsonWriter().header(h).toByteArray();
            Header back = new Header();
            reader.parseObjectInto(ByteBuffer.wrap(b), 0, b.length, back);
            assertEquals(h, back);
            assertEquals(h.asMap().keySet().stream().toList(), back.asMap().keySet().stream().toList());
        }
    }

    @Test
    void everyInterestingStringRoundTrips() throws Exception {
        for (String s : INTERESTING_PIECES) {
            assertEquals(s, Json.parse(write(s)), () -> "piece " + s);
        }
        StringBuilder all = new StringBuilder();
        for (int c = 0; c < 0x800; c++) {
            all.append((char) c);
        }
        assertEquals(all.toString(), Json.parse(write(all.toString())));
    }

    @Test
    void everyBmpCharAndSupplementarySampleRoundTripsAsRealUtf8() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int c = 0x20; c < 0x10000; c++) {
            if (!Character.isSurrogate((char) c) && c != '"' && c != '\\') {
                sb.append((char) c);
            }
        }
        for (int cp = 0x10000; cp <= 0x10FFFF; cp += 0x1003) {
            sb.appendCodePoint(cp);
        }
        sb.appendCodePoint(0x10FFFF);
        String s = sb.toString();
        byte[] out = writeBytes(s);
        // no escaping needed, so the bytes between the quotes are exactly the JDK's UTF-8
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(out, 1, out.length - 1));
        assertEquals(s, Json.parse(out));
    }

    @Test
    void escapesAsRfc8259Requires() {
        assertEquals("\"a\\\"b\\\\c/d\"", write("a\"b\\c/d"));
        assertEquals("\"\\n\\r\\t\\b\\f\"", write("\n\r\t\b\f"));
        assertEquals("\"\\u0000\\u0001\\u001f\\u000b\"", write("\u0000\u0001\u001f\u000b"));
        assertEquals("\"\u007f\"", write("\u007f"));
    }

    @Test
    void compactOutput() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", "PUT");
        m.put("id", 7L);
        m.put("ok", true);
        m.put("no", false);
        m.put("n", null);
        m.put("l", List.of(1L, List.of(), Map.of()));
        assertEquals("{\"op\":\"PUT\",\"id\":7,\"ok\":true,\"no\":false,\"n\":null,\"l\":[1,[],{}]}", write(m));
        assertEquals("{}", write(new Header()));
        assertEquals("{\"op\":\"PING\",\"id\":3}", write(Header.reply("PING", 3)));
    }

    @Test
    void longsIncludingExtremes() throws Exception {
        for (long n : INTERESTING_LONGS) {
            assertEquals(Long.toString(n), write(n));
            assertEquals(n, Json.parse(write(n)));
        }
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            long n = r.nextLong() >> r.nextInt(64);
            assertEquals(Long.toString(n), write(n));
        }
    }

    @Test
    void smallerIntegerTypesWriteAsIntegers() {
        assertEquals("[1,-2,3,4]", write(List.of(1, (short) -2, (byte) 3, 4L)));
    }

    @Test
    void unpairedSurrogatesRejected() {
        for (String bad : new String[] {"\uD83D", "a\uD83D", "\uD83Da", "\uDE00", "x\uDE00\uD83D", "\uD83D\uD83D"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write(bad));
            assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> write(Map.of("\uDE00", 1L)));
        assertThrows(IllegalArgumentException.class, () -> write(new Header().put("k", "\uD800")));
    }

    @Test
    void nonIntegerNumbersRejected() {
        for (Object bad : new Object[] {1.5, 1.0, 2.5f, new BigDecimal("1"), BigInteger.ONE, new AtomicLong(1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write(bad),
                    () -> bad.getClass().getName());
            assertTrue(e.getMessage().contains(bad.getClass().getName()), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> write(List.of(bad)));
        }
        assertThrows(IllegalArgumentException.class, () -> write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> write('c'));
    }

    @Test
    void resetReusesTheArrayAndGrows() {
        JsonWriter w = new JsonWriter();
        String big = "x".repeat(10_000);
        w.value(big);
        assertEquals(10_002, w.length());
        byte[] arr = w.array();
        w.reset().value("hi");
        assertEquals(4, w.length());
        assertEquals(arr, w.array(), "reset keeps the array");
        assertArrayEquals(utf8("\"hi\""), w.toByteArray());
        // many small appends past the initial capacity
        w.reset();
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            list.add((long) i);
        }
        w.value(list);
        assertEquals(write(list), new String(w.array(), 0, w.length(), StandardCharsets.UTF_8));
    }
}

package ferry.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class HeaderTest {
    static List<String> keys(Header h) {
        return List.copyOf(h.asMap().keySet());
    }

    static void assertBadRequest(Executable call, String... fragments) {
        ProtocolException e = assertThrows(ProtocolException.class, call);
        assertEquals(ProtocolException.BAD_REQUEST, e.code());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "\"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
    }

    static Header sample() {
        return new Header()
                .put("op", "PUT")
                .put("id", 17L)
                .put("size", 4096L)
                .put("path", "/tmp/x")
                .put("append", true)
                .put("argv", List.of("ls", "-l"))
                .put("env", Map.of("A", "1"))
                .put("nothing", null);
    }

    @Test
    void wellKnownFields() {
        Header h = sample();
        assertEquals("PUT", h.op());
        assertEquals(17, h.id());
        assertEquals(4096, h.size());
    }

    @Test
    void wellKnownFieldDefaults() {
        Header empty = new Header();
        assertNull(empty.op());
        assertEquals(-1, empty.id());
        assertEquals(0, empty.size(), "size() defaults to 0 when absent");
        Header wrong = new Header().put("op", 5L).put("id", "7").put("size", "9");
        assertNull(wrong.op());
        assertEquals(-1, wrong.id());
        assertEquals(0, wrong.size());
        assertEquals(0, new Header().put("size", null).size());
        assertEquals(Long.MAX_VALUE, new Header().put("size", Long.MAX_VALUE).size());
        assertEquals(5L << 30, new Header().put("size", 5L << 30).size());
    }

    @Test
    void typedGettersWithDefaults() {
        Header h = sample();
        assertEquals("/tmp/x", h.getString("path", "def"));
        assertEquals("def", h.getString("missing", "def"));
        assertEquals("def", h.getString("id", "def"), "wrong type falls back to the default");
        assertEquals(17, h.getLong("id", -5));
        assertEquals(-5, h.getLong("path", -5));
        assertEquals(-5, h.getLong("missing", -5));
        assertTrue(h.getBoolean("append", false));
        assertFalse(h.getBoolean("path", false));
        assertTrue(h.getBoolean("missing", true));
    }

    @Test
    void requireAndOptReturnValues() throws Exception {
        Header h = sample();
        assertEquals("/tmp/x", h.requireString("path"));
        assertEquals(17, h.requireLong("id"));
        assertEquals("/tmp/x", h.optString("path"));
        assertNull(h.optString("missing"));
        assertNull(h.optString("nothing"), "JSON null counts as absent");
        assertEquals(17, h.optLong("id", 3));
        assertEquals(3, h.optLong("missing", 3));
        assertEquals(3, h.optLong("nothing", 3));
        assertTrue(h.optBoolean("append", false));
        assertTrue(h.optBoolean("missing", true));
        assertFalse(h.optBoolean("missing", false));
        assertEquals(List.of("ls", "-l"), h.optList("argv"));
        assertNull(h.optList("missing"));
        assertEquals(Map.of("A", "1"), h.optObject("env"));
        assertNull(h.optObject("missing"));
    }

    @Test
    void requireErrorsAreBadRequestsNamingTheField() {
        Header h = sample();
        assertBadRequest(() -> h.requireString("target"), "field \"target\" must be a string (missing)");
        assertBadRequest(() -> h.requireString("id"), "field \"id\" must be a string (got 17)");
        assertBadRequest(() -> h.requireString("nothing"), "\"nothing\"", "missing");
        assertBadRequest(() -> h.requireLong("offset"), "field \"offset\" must be an integer (missing)");
        assertBadRequest(() -> h.requireLong("path"), "field \"path\" must be an integer (got \"/tmp/x\")");
        assertBadRequest(() -> h.requireLong("append"), "\"append\"", "got true");
    }

    @Test
    void optErrorsAreBadRequestsNamingTheField() {
        Header h = sample();
        assertBadRequest(() -> h.optString("size"), "field \"size\" must be a string (got 4096)");
        assertBadRequest(() -> h.optLong("path", 0), "field \"path\" must be an integer");
        assertBadRequest(() -> h.optBoolean("path", false), "field \"path\" must be a boolean");
        assertBadRequest(() -> h.optList("env"), "field \"env\" must be an array (got {\"A\":\"1\"})");
        assertBadRequest(() -> h.optObject("argv"), "field \"argv\" must be an object (got [\"ls\",\"-l\"])");
    }

    @Test
    void putReplacesInPlaceKeepingOrder() {
        Header h = new Header().put("a", 1L).put("b", 2L).put("c", 3L);
        h.put("b", "two");
        assertEquals(List.of("a", "b", "c"), keys(h));
        assertEquals(3, h.fieldCount());
        assertEquals("two", h.get("b"));
        assertEquals("{\"a\":1,\"b\":\"two\",\"c\":3}", h.toString());
        h.put("a", false).put("c", (Object) null);
        assertEquals("{\"a\":false,\"b\":\"two\",\"c\":null}", h.toString());
        assertEquals("a", h.keyAt(0));
        assertEquals("two", h.valueAt(1));
    }

    @Test
    void putStoresSmallIntegersAsLong() {
        Header h = new Header().put("i", (Object) 5).put("s", (Object) (short) 6).put("b", (Object) (byte) 7);
        assertInstanceOf(Long.class, h.get("i"));
        assertInstanceOf(Long.class, h.get("s"));
        assertInstanceOf(Long.class, h.get("b"));
        assertEquals(5, h.getLong("i", 0));
        assertEquals(new Header().put("i", 5L).put("s", 6L).put("b", 7L), h);
    }

    @Test
    void remove() {
        Header h = new Header().put("a", 1L).put("b", 2L).put("c", 3L);
        h.remove("b");
        assertEquals(List.of("a", "c"), keys(h));
        assertFalse(h.has("b"));
        assertNull(h.get("b"));
        h.remove("missing");
        assertEquals(2, h.fieldCount());
        h.put("b", 4L);
        assertEquals(List.of("a", "c", "b"), keys(h), "a removed key comes back at the end");
        h.remove("b").remove("a");
        assertEquals(List.of("c"), keys(h));
        h.remove("c");
        assertEquals(0, h.fieldCount());
        assertEquals("{}", h.toString());

        Header four = new Header().put("a", 1L).put("b", 2L).put("c", 3L).put("d", 4L);
        four.remove("b");
        assertEquals("{\"a\":1,\"c\":3,\"d\":4}", four.toString(), "order kept after removing from the middle");
        four.remove("a");
        assertEquals("{\"c\":3,\"d\":4}", four.toString());
    }

    @Test
    void growsPastInitialCapacity() {
        Header h = new Header();
        for (int i = 0; i < 100; i++) {
            h.put("k" + i, (long) i);
        }
        assertEquals(100, h.fieldCount());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, h.getLong("k" + i, -1));
            assertEquals("k" + i, h.keyAt(i));
        }
    }

    @Test
    void copyIsIndependent() {
        Header original = sample();
        Header copy = original.copy();
        assertEquals(original, copy);
        copy.put("op", "GET").put("extra", 1L).remove("path");
        assertEquals("PUT", original.op());
        assertFalse(original.has("extra"));
        assertTrue(original.has("path"));
        assertEquals(8, original.fieldCount());
        original.put("id", 99L).clear();
        assertEquals(17, copy.id());
        assertEquals("GET", copy.op());
        // a copy of a large header, then growth of both
        Header big = new Header();
        for (int i = 0; i < 12; i++) {
            big.put("k" + i, (long) i);
        }
        Header bigCopy = big.copy();
        bigCopy.put("more", 1L);
        big.put("other", 2L);
        assertEquals(13, bigCopy.fieldCount());
        assertEquals(13, big.fieldCount());
        assertFalse(big.has("more"));
        assertFalse(bigCopy.has("other"));
        // copying an empty header still works and can grow
        Header emptyCopy = new Header().copy();
        for (int i = 0; i < 10; i++) {
            emptyCopy.put("x" + i, (long) i);
        }
        assertEquals(10, emptyCopy.fieldCount());
    }

    @Test
    void clearEmptiesAndAllowsReuse() {
        Header h = sample().clear();
        assertEquals(0, h.fieldCount());
        assertNull(h.op());
        h.put("op", "X");
        assertEquals("{\"op\":\"X\"}", h.toString());
    }

    @Test
    void factoriesMapsAndEquality() {
        assertEquals("{\"op\":\"PING\"}", Header.op("PING").toString());
        assertEquals("{\"op\":\"OK\",\"id\":5}", Header.reply("OK", 5).toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", "x");
        Header h = Header.fromMap(m);
        assertEquals(List.of("z", "a"), keys(h));
        assertEquals(m, h.asMap());
        assertThrows(UnsupportedOperationException.class, () -> h.asMap().put("q", 1L));
        assertEquals(h, Header.fromMap(m));
        assertEquals(h.hashCode(), Header.fromMap(m).hashCode());
        assertNotEquals(h, Header.fromMap(Map.of("z", 2L)));
        assertNotEquals(h, m, "a header is not equal to a map");
        assertTrue(h.has("z"));
        assertFalse(h.has("y"));
    }

    @Test
    void toStringIsParseableJson() throws Exception {
        Header h = sample();
        assertEquals(h, Header.fromMap(castMap(Json.parse(h.toString()))));
    }

    /** Found by the file-ops fuzzer: the quoted value was cut inside a surrogate pair, which UTF-8 cannot carry. */
    @Test
    void typeErrorsQuoteLongValuesWithoutSplittingACharacter() {
        for (String prefix : new String[] {"", "x"}) {
            Header h = Header.op("PUT").put("fileSize", Map.of("path", prefix + "\ud83d\ude00".repeat(100)));
            ProtocolException e = assertThrows(ProtocolException.class, () -> h.requireLong("fileSize"));
            String m = e.getMessage();
            assertTrue(m.contains("..."), m);
            for (int i = 0; i < m.length(); i++) {
                char c = m.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    assertTrue(i + 1 < m.length() && Character.isLowSurrogate(m.charAt(++i)), "lone high surrogate in " + m);
                } else {
                    assertFalse(Character.isLowSurrogate(c), "lone low surrogate in " + m);
                }
            }
            Json.write(m); // encodable
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}

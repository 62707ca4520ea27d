package ferry.protocol;

import static ferry.protocol.TestBytes.bytes;
import static ferry.protocol.TestBytes.concat;
import static ferry.protocol.TestBytes.quoted;
import static ferry.protocol.TestBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {
    private static final JsonReader READER = new JsonReader(Json.DEFAULT_MAX_DEPTH);

    static Object parse(byte[] b) throws ProtocolException {
        return READER.parse(ByteBuffer.wrap(b));
    }

    static Object parse(String s) throws ProtocolException {
        return parse(utf8(s));
    }

    /** Parses a JSON string token given as raw bytes between quotes. */
    static String parseStringBytes(int... raw) throws ProtocolException {
        return (String) parse(quoted(bytes(raw)));
    }

    static ProtocolException rejected(byte[] input, String... fragments) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> parse(input),
                () -> "should reject " + Arrays.toString(input));
        assertEquals(ProtocolException.BAD_FRAME, e.code());
        String msg = e.getMessage();
        assertTrue(msg.startsWith("invalid JSON header at byte "), msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> "message \"" + msg + "\" should contain \"" + f + "\"");
        }
        return e;
    }

    static ProtocolException rejected(String input, String... fragments) {
        return rejected(utf8(input), fragments);
    }

    static ProtocolException rejectedString(int[] raw, String... fragments) {
        return rejected(quoted(bytes(raw)), fragments);
    }

    static ProtocolException rejectedHeader(String input, String... fragments) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            byte[] b = utf8(input);
            READER.parseObjectInto(ByteBuffer.wrap(b), 0, b.length, new Header());
        });
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message \"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
        return e;
    }

    static Header header(String json) throws ProtocolException {
        byte[] b = utf8(json);
        Header h = new Header();
        READER.parseObjectInto(ByteBuffer.wrap(b), 0, b.length, h);
        return h;
    }

    static String nest(String open, String inner, String close, int depth) {
        return open.repeat(depth) + inner + close.repeat(depth);
    }

    @Nested
    class Values {
        @Test
        void scalarsAndContainers() throws Exception {
            assertEquals(Boolean.TRUE, parse("true"));
            assertEquals(Boolean.FALSE, parse("false"));
            assertNull(parse("null"));
            assertEquals("", parse("\"\""));
            assertEquals(List.of(), parse("[]"));
            assertEquals(Map.of(), parse("{}"));
            assertEquals(List.of(1L, "a", true, false, List.of(), Map.of()), parse("[1,\"a\",true,false,[],{}]"));
        }

        @Test
        void objectsKeepKeyOrder() throws Exception {
            Object v = parse("{\"z\":1,\"a\":2,\"m\":{\"y\":null,\"b\":[3]}}");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            assertEquals(List.of("z", "a", "m"), List.copyOf(m.keySet()));
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("y", null);
            inner.put("b", List.of(3L));
            assertEquals(inner, m.get("m"));
            @SuppressWarnings("unchecked")
            Map<String, Object> mm = (Map<String, Object>) m.get("m");
            assertEquals(List.of("y", "b"), List.copyOf(mm.keySet()));
        }

        @Test
        void whitespaceIsOnlySpaceTabCrLf() throws Exception {
            assertEquals(List.of(1L, 2L), parse(" \t\r\n[ 1 ,\n\t2 ] \r\n"));
            assertEquals(Map.of("a", 1L), parse("{ \"a\" : 1 }"));
            rejected("\f1", "unexpected character 0x0c");
            rejected("1\u000b", "trailing garbage");
            rejected(concat(bytes(0xC2, 0xA0), utf8("1")), "unexpected character 0xc2"); // NBSP
        }

        @Test
        void integersAreLongs() throws Exception {
            assertInstanceOf(Long.class, parse("7"));
            assertEquals(0L, parse("0"));
            assertEquals(0L, parse("-0"));
            assertEquals(-42L, parse("-42"));
            assertEquals(1234567890123L, parse("1234567890123"));
        }
    }

    @Nested
    class Strings {
        @Test
        void everyEscape() throws Exception {
            assertEquals("\"", parse("\"\\\"\""));
            assertEquals("\\", parse("\"\\\\\""));
            assertEquals("/", parse("\"\\/\""));
            assertEquals("\b", parse("\"\\b\""));
            assertEquals("\f", parse("\"\\f\""));
            assertEquals("\n", parse("\"\\n\""));
            assertEquals("\r", parse("\"\\r\""));
            assertEquals("\t", parse("\"\\t\""));
            assertEquals("A", parse("\"\\u0041\""));
            assertEquals("\u0000", parse("\"\\u0000\""));
            assertEquals("\u00e9", parse("\"\\u00e9\""));
            assertEquals("\u00e9", parse("\"\\u00E9\""));
            assertEquals("\u20ac", parse("\"\\u20AC\""));
            assertEquals("\uffff", parse("\"\\uffff\""));
            assertEquals("a\"b\\c/d\be\ff\ng\rh\ti\u1234j",
                    parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u1234j\""));
        }

        @Test
        void escapesAfterNonAsciiAndAsciiPrefix() throws Exception {
            // exercises the switch from the ASCII fast path to the slow path mid-string
            assertEquals("abc\u00e9\n\u00e9xyz", parse("\"abc\u00e9\\n\u00e9xyz\""));
            assertEquals("long ascii prefix that is longer than the cache \t!",
                    parse("\"long ascii prefix that is longer than the cache \\t!\""));
        }

        @Test
        void surrogatePairViaEscapes() throws Exception {
            assertEquals("\uD83D\uDE00", parse("\"\\uD83D\\uDE00\""));
            assertEquals("\uD83D\uDE00", parse("\"\\ud83d\\ude00\""));
            assertEquals("x\uDBFF\uDFFFy", parse("\"x\\uDBFF\\uDFFFy\"")); // U+10FFFF
            assertEquals("\uD800\uDC00", parse("\"\\uD800\\uDC00\"")); // U+10000
        }

        @Test
        void rawUtf8OfEveryLength() throws Exception {
            assertEquals("\u00e9", parseStringBytes(0xC3, 0xA9));
            assertEquals("\u0080", parseStringBytes(0xC2, 0x80)); // smallest 2-byte
            assertEquals("\u07ff", parseStringBytes(0xDF, 0xBF)); // largest 2-byte
            assertEquals("\u0800", parseStringBytes(0xE0, 0xA0, 0x80)); // smallest 3-byte
            assertEquals("\u20ac", parseStringBytes(0xE2, 0x82, 0xAC));
            assertEquals("\ud7ff", parseStringBytes(0xED, 0x9F, 0xBF)); // just below surrogates
            assertEquals("\ue000", parseStringBytes(0xEE, 0x80, 0x80)); // just above surrogates
            assertEquals("\uffff", parseStringBytes(0xEF, 0xBF, 0xBF));
            assertEquals("\uD83D\uDE00", parseStringBytes(0xF0, 0x9F, 0x98, 0x80)); // U+1F600 as a pair
            assertEquals("\uD800\uDC00", parseStringBytes(0xF0, 0x90, 0x80, 0x80)); // smallest 4-byte
            assertEquals("\uDBFF\uDFFF", parseStringBytes(0xF4, 0x8F, 0xBF, 0xBF)); // U+10FFFF
            assertEquals("\u007f", parseStringBytes(0x7F)); // DEL is not a control char for JSON
            String mixed = "caf\u00e9 \u65e5\u672c \uD83C\uDF89 end";
            assertEquals(mixed, parse(quoted(utf8(mixed))));
        }

        @Test
        void loneSurrogateEscapesRejected() {
            rejected("\"\\uD83D\"", "lone high surrogate escape");
            rejected("\"\\uD83Dx\"", "lone high surrogate escape");
            rejected("\"\\uD83D\\n\"", "lone high surrogate escape");
            rejected("\"\\uDBFF", "lone high surrogate escape");
            rejected("\"\\uD83D\\u0041\"", "high surrogate not followed by a low surrogate");
            rejected("\"\\uD83D\\uD83D\"", "high surrogate not followed by a low surrogate");
            rejected("\"\\uDE00\"", "lone low surrogate escape");
            rejected("\"a\\uDC00\\uD800\"", "lone low surrogate escape"); // reversed pair
        }

        @Test
        void badEscapesRejected() {
            rejected("\"\\x\"", "invalid escape \\x");
            rejected("\"\\U0041\"", "invalid escape");
            rejected("\"\\'\"", "invalid escape");
            rejected("\"\\u12G4\"", "invalid hex digit");
            rejected("\"\\u12\"", "invalid hex digit"); // the closing quote is not a hex digit
            rejected("\"\\u12", "unexpected end of input");
            rejected(concat(utf8("\"\\u00"), bytes(0xC3, 0xA9), utf8("\"")), "invalid hex digit");
            rejected("\"\\", "unexpected end of input");
        }

        @Test
        void rawControlCharactersRejected() {
            for (int c = 0; c < 0x20; c++) {
                // fast path (first byte) and slow path (after an escape / after non-ASCII)
                rejectedString(new int[] {c}, "raw control character");
                rejected(concat(utf8("\"\\n"), bytes(c), utf8("\"")), "raw control character");
                rejected(concat(utf8("\"\u00e9"), bytes(c), utf8("\"")), "raw control character");
            }
            ProtocolException e = rejected("\"ab\ncd\"", "raw control character 0x0a in string");
            assertTrue(e.getMessage().contains("at byte 3"), e.getMessage());
        }

        @Test
        void unterminatedStringsRejected() {
            rejected("\"", "unterminated string");
            rejected("\"abc", "unterminated string");
            rejected("\"abc\\n", "unterminated string");
            rejected("\"\u00e9", "unterminated string");
            rejected("{\"a", "unterminated string");
        }

        @Test
        void stringCacheDoesNotConfuseHashCollisions() throws Exception {
            // "Aa" and "BB" have the same 31-based hash, so they share a cache slot.
            assertEquals("Aa", parse("\"Aa\""));
            assertEquals("BB", parse("\"BB\""));
            assertEquals("Aa", parse("\"Aa\""));
            assertEquals(List.of("AaAa", "BBBB", "AaBB", "BBAa"), parse("[\"AaAa\",\"BBBB\",\"AaBB\",\"BBAa\"]"));
            // same length, same slot is possible but the content must still win
            Json.StringCache.clearForTests();
            assertEquals("op", parse("\"op\""));
            assertSame(parse("\"op\""), parse("\"op\""), "short ASCII strings are served from the cache");
        }
    }

    @Nested
    class InvalidUtf8 {
        @Test
        void overlongForms() {
            rejectedString(new int[] {0xC0, 0x80}, "invalid UTF-8 lead byte 0xc0"); // overlong 2-byte NUL
            rejectedString(new int[] {0xC1, 0xBF}, "invalid UTF-8 lead byte 0xc1"); // overlong 2-byte '\x7f'
            rejectedString(new int[] {0xC0, 0xAF}, "lead byte"); // overlong '/'
            rejectedString(new int[] {0xE0, 0x80, 0x80}, "overlong UTF-8 encoding"); // 3-byte NUL
            rejectedString(new int[] {0xE0, 0x9F, 0xBF}, "overlong UTF-8 encoding"); // U+07FF in 3 bytes
            rejectedString(new int[] {0xF0, 0x80, 0x80, 0x80}, "overlong UTF-8 encoding"); // 4-byte NUL
            rejectedString(new int[] {0xF0, 0x8F, 0xBF, 0xBF}, "overlong UTF-8 encoding"); // U+FFFF in 4 bytes
        }

        @Test
        void encodedSurrogates() {
            rejectedString(new int[] {0xED, 0xA0, 0x80}, "UTF-8 encoded surrogate"); // U+D800
            rejectedString(new int[] {0xED, 0xBF, 0xBF}, "UTF-8 encoded surrogate"); // U+DFFF
            // CESU-8 style pair for U+1F600
            rejectedString(new int[] {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, "UTF-8 encoded surrogate");
        }

        @Test
        void aboveUnicodeRange() {
            rejectedString(new int[] {0xF4, 0x90, 0x80, 0x80}, "code point above U+10FFFF");
            rejectedString(new int[] {0xF4, 0xBF, 0xBF, 0xBF}, "code point above U+10FFFF");
        }

        @Test
        void badLeadBytes() {
            rejectedString(new int[] {0xF5, 0x80, 0x80, 0x80}, "invalid UTF-8 lead byte 0xf5");
            rejectedString(new int[] {0xF8, 0x88, 0x80, 0x80, 0x80}, "invalid UTF-8 lead byte 0xf8");
            rejectedString(new int[] {0xFE}, "invalid UTF-8 lead byte 0xfe");
            rejectedString(new int[] {0xFF}, "invalid UTF-8 lead byte 0xff");
        }

        @Test
        void strayContinuationBytes() {
            rejectedString(new int[] {0x80}, "invalid UTF-8 lead byte 0x80");
            rejectedString(new int[] {0xBF}, "invalid UTF-8 lead byte 0xbf");
            rejectedString(new int[] {'a', 0xC3, 0xA9, 0xA9}, "invalid UTF-8 lead byte 0xa9");
        }

        @Test
        void badContinuationBytes() {
            rejectedString(new int[] {0xC3, 0x28}, "invalid UTF-8 continuation byte 0x28");
            rejectedString(new int[] {0xE2, 0x28, 0xA1}, "continuation byte");
            rejectedString(new int[] {0xE2, 0x82, 0x28}, "continuation byte");
            rejectedString(new int[] {0xF0, 0x9F, 0x98, 0xC0}, "continuation byte");
            rejectedString(new int[] {0xE2, 0x82}, "continuation byte 0x22"); // cut short by the quote
        }

        @Test
        void truncatedSequences() {
            rejected(concat(bytes('"'), bytes(0xC3)), "truncated UTF-8 sequence");
            rejected(concat(bytes('"'), bytes(0xE2, 0x82)), "truncated UTF-8 sequence");
            rejected(concat(bytes('"'), bytes(0xF0, 0x9F, 0x98)), "truncated UTF-8 sequence");
        }

        @Test
        void invalidUtf8InKeysAndOutsideStrings() {
            rejected(concat(utf8("{\""), bytes(0xED, 0xA0, 0x80), utf8("\":1}")), "UTF-8 encoded surrogate");
            rejected(bytes(0xC3, 0xA9), "unexpected character 0xc3");
            ProtocolException e = assertThrows(ProtocolException.class, () -> {
                byte[] b = concat(utf8("{\"ok\":1,\""), bytes(0xC0, 0x80), utf8("\":1}"));
                READER.parseObjectInto(ByteBuffer.wrap(b), 0, b.length, new Header());
            });
            assertTrue(e.getMessage().contains("invalid UTF-8 lead byte 0xc0"), e.getMessage());
        }

        @Test
        void errorNamesTheOffsetOfTheBadSequence() {
            ProtocolException e = rejected(concat(utf8("[\"ab"), bytes(0xED, 0xA0, 0x80), utf8("\"]")), "surrogate");
            assertTrue(e.getMessage().startsWith("invalid JSON header at byte 4:"), e.getMessage());
        }
    }

    @Nested
    class Numbers {
        @Test
        void int64Bounds() throws Exception {
            assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
            assertEquals(Long.MIN_VALUE, parse("-9223372036854775808"));
            assertEquals(Long.MAX_VALUE - 1, parse("9223372036854775806"));
            assertEquals(Long.MIN_VALUE + 1, parse("-9223372036854775807"));
            rejected("9223372036854775808", "integer out of int64 range");
            rejected("-9223372036854775809", "integer out of int64 range");
            rejected("9223372036854775810", "integer out of int64 range");
            rejected("10000000000000000000", "integer out of int64 range");
            rejected("-99999999999999999999999", "integer out of int64 range");
            rejected("[9223372036854775808]", "integer out of int64 range");
        }

        @Test
        void leadingZerosRejected() throws Exception {
            rejected("01", "leading zeros are not allowed");
            rejected("00", "leading zeros are not allowed");
            rejected("-01", "leading zeros are not allowed");
            rejected("[007]", "leading zeros are not allowed");
            assertEquals(List.of(0L, 10L, 100L), parse("[0,10,100]"));
        }

        @Test
        void malformedNumbers() {
            rejected("-", "invalid number");
            rejected("-a", "invalid number");
            rejected("[-]", "invalid number");
            rejected("- 1", "invalid number");
            rejected("+1", "unexpected character '+'");
            rejected(".5", "unexpected character '.'");
            rejected("0x10", "trailing garbage");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1.0", "1.5", "0.5", "-1.5", "1e5", "1E5", "1e-5", "-0.0", "2E+3", "[1.0]", "{\"size\":1.0}"})
        void fractionsAndExponentsRejected(String input) {
            rejected(input, "only integers are allowed in headers");
        }
    }

    /** The opt-in for documents that are not frames: fractions allowed, all else as strict. */
    @Nested
    class Documents {
        private final JsonReader documents = JsonReader.forDocuments(Json.DEFAULT_MAX_DEPTH);

        private Object doc(String s) throws ProtocolException {
            return documents.parse(ByteBuffer.wrap(utf8(s)));
        }

        private void docRejected(String input, String fragment) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> doc(input), input);
            assertTrue(e.getMessage().startsWith("invalid JSON at byte "), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }

        @Test
        void fractionsAndExponentsAreDoubles() throws Exception {
            assertEquals(List.of(1.5, -0.25, 100000.0, 1.0e-5, 2000.0, 1.0e20, -0.0),
                    doc("[1.5,-0.25,1e5,1E-5,2E+3,1.0E20,-0.0]"));
            assertEquals(Map.of("p50", 45000.5), Json.parseDocument("{\"p50\": 45000.5}"));
        }

        @Test
        void integersStayLongsAndBigOnesBecomeDoubles() throws Exception {
            assertEquals(List.of(0L, -7L, Long.MAX_VALUE, Long.MIN_VALUE),
                    doc("[0,-7,9223372036854775807,-9223372036854775808]"));
            assertEquals(9.223372036854775808E18, doc("9223372036854775808"));
            assertEquals(-1.0E23, doc("-99999999999999999999999"));
        }

        @Test
        void malformedNumbersStillRejected() {
            docRejected("1.", "a fraction needs digits");
            docRejected("1.e5", "a fraction needs digits");
            docRejected("1e", "an exponent needs digits");
            docRejected("1e+", "an exponent needs digits");
            docRejected("01.5", "leading zeros are not allowed");
            docRejected(".5", "unexpected character '.'");
            docRejected("1e400", "number out of double range");
            docRejected("{\"a\":1,\"a\":2}", "duplicate key");
        }

        @Test
        void theStrictDefaultIsUnchanged() {
            assertThrows(ProtocolException.class, () -> Json.parse("1.5"));
            rejected("1e5", "only integers are allowed in headers");
        }
    }

    @Nested
    class Structure {
        @Test
        void trailingGarbageRejected() {
            ProtocolException e = rejected("{\"a\":1}x", "trailing garbage after the JSON value");
            assertTrue(e.getMessage().contains("at byte 7"), e.getMessage());
            rejected("{} {}", "trailing garbage");
            rejected("1 2", "trailing garbage");
            rejected("truex", "trailing garbage");
            rejected("nulll", "trailing garbage");
            rejected("[]]", "trailing garbage");
            rejected(concat(utf8("{}"), bytes(0)), "trailing garbage");
            rejectedHeader("{\"a\":1}}", "trailing garbage");
            rejectedHeader("{\"a\":1} ,", "trailing garbage");
        }

        @Test
        void unterminatedContainersRejected() {
            rejected("{", "unexpected end of input");
            rejected("[", "unexpected end of input");
            rejected("{\"a\"", "unexpected end of input");
            rejected("{\"a\":", "unexpected end of input");
            rejected("{\"a\":1", "unexpected end of input");
            rejected("{\"a\":1,", "unexpected end of input");
            rejected("[1,2", "unexpected end of input");
            rejected("[1,", "unexpected end of input");
            rejected("[[[]]", "unexpected end of input");
            rejectedHeader("{", "unexpected end of input");
            rejectedHeader("{\"a\":1", "unexpected end of input");
            rejectedHeader("{\"a\":[1,2}", "expected ',' or ']'");
        }

        @Test
        void punctuationErrors() {
            rejected("{\"a\" 1}", "expected ':'");
            rejected("{\"a\":1 \"b\":2}", "expected ',' or '}'");
            rejected("{a:1}", "expected a string key");
            rejected("{\"a\":1,}", "expected a string key");
            rejected("{1:1}", "expected a string key");
            rejected("[1 2]", "expected ',' or ']'");
            rejected("[1,]", "unexpected character ']'");
            rejected("[,1]", "unexpected character ','");
            rejected("}", "unexpected character '}'");
            rejectedHeader("{a:1}", "expected a string key");
            rejectedHeader("{\"a\" 1}", "expected ':'");
            rejectedHeader("{\"a\":1 \"b\":2}", "expected ',' or '}'");
            rejectedHeader("{\"a\":1,}", "expected a string key");
        }

        @ParameterizedTest
        @ValueSource(strings = {"tru", "t", "True", "nul", "NULL", "fals", "falsy", "nan", "undefined", "[tru]", "{\"a\":nul}"})
        void badLiteralsRejected(String input) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> parse(input));
            String m = e.getMessage();
            assertTrue(m.contains("invalid literal") || m.contains("unexpected character"), m);
        }

        @Test
        void badLiteralNamesTheExpectedWord() {
            rejected("tru", "invalid literal, expected true");
            rejected("nul", "invalid literal, expected null");
            rejected("fals", "invalid literal, expected false");
        }

        @Test
        void emptyInputRejected() {
            rejected("", "unexpected end of input");
            rejected("   \n", "unexpected end of input");
            rejectedHeader("", "a header must be a JSON object");
            rejectedHeader("  ", "a header must be a JSON object");
        }
    }

    @Nested
    class DuplicateKeys {
        @Test
        void topLevelViaParseObjectInto() {
            ProtocolException e = rejectedHeader("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"");
            assertEquals(ProtocolException.BAD_FRAME, e.code());
            // the offset names where the repeated key starts
            assertTrue(e.getMessage().contains("at byte 13:"), e.getMessage());
        }

        @Test
        void topLevelViaParse() {
            ProtocolException e = rejected("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"");
            assertTrue(e.getMessage().contains("at byte 13:"), e.getMessage());
        }

        @Test
        void nested() {
            rejected("{\"x\":{\"k\":1,\"k\":2}}", "duplicate key \"k\"");
            rejected("[{\"k\":1,\"k\":1}]", "duplicate key \"k\"");
            rejectedHeader("{\"x\":{\"k\":1,\"k\":2}}", "duplicate key \"k\"");
            rejectedHeader("{\"x\":[{},{\"k\":[],\"k\":{}}]}", "duplicate key \"k\"");
        }

        @Test
        void keysCompareAfterUnescaping() {
            rejected("{\"a\":1,\"\\u0061\":2}", "duplicate key \"a\"");
            rejectedHeader("{\"op\":1,\"o\\u0070\":2}", "duplicate key \"op\"");
            rejectedHeader("{\"\u00e9\":1,\"\\u00e9\":2}", "duplicate key");
        }

        @Test
        void sameKeyInDifferentObjectsIsFine() throws Exception {
            assertEquals(Map.of("k", Map.of("k", 1L)), parse("{\"k\":{\"k\":1}}"));
            Header h = header("{\"k\":{\"k\":1},\"j\":[{\"k\":1},{\"k\":2}]}");
            assertEquals(2, h.fieldCount());
        }
    }

    @Nested
    class Depth {
        @Test
        void exactlyAtTheLimitAccepted() throws Exception {
            JsonReader r = new JsonReader(4);
            byte[] arrays = utf8(nest("[", "", "]", 4));
            assertEquals(List.of(List.of(List.of(List.of()))), r.parse(ByteBuffer.wrap(arrays)));
            byte[] objects = utf8(nest("{\"a\":", "{}", "}", 3));
            r.parse(ByteBuffer.wrap(objects));
            // the default limit too
            parse(nest("[", "1", "]", Json.DEFAULT_MAX_DEPTH));
        }

        @Test
        void oneBeyondTheLimitRejected() {
            JsonReader r = new JsonReader(4);
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> r.parse(ByteBuffer.wrap(utf8(nest("[", "", "]", 5)))));
            assertTrue(e.getMessage().contains("nesting deeper than 4"), e.getMessage());
            e = assertThrows(ProtocolException.class,
                    () -> r.parse(ByteBuffer.wrap(utf8(nest("{\"a\":", "{}", "}", 4)))));
            assertTrue(e.getMessage().contains("nesting deeper than 4"), e.getMessage());
            rejected(nest("[", "1", "]", Json.DEFAULT_MAX_DEPTH + 1), "nesting deeper than " + Json.DEFAULT_MAX_DEPTH);
        }

        @Test
        void headerObjectCountsAsOneLevel() throws Exception {
            JsonReader r = new JsonReader(3);
            byte[] ok = utf8("{\"a\":[{\"b\":1}]}"); // header, array, object = 3
            Header h = new Header();
            r.parseObjectInto(ByteBuffer.wrap(ok), 0, ok.length, h);
            assertEquals(List.of(Map.of("b", 1L)), h.get("a"));
            byte[] deep = utf8("{\"a\":[{\"b\":[]}]}");
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> r.parseObjectInto(ByteBuffer.wrap(deep), 0, deep.length, new Header()));
            assertTrue(e.getMessage().contains("nesting deeper than 3"), e.getMessage());
            JsonReader flat = new JsonReader(1);
            byte[] flatOk = utf8("{\"a\":1}");
            flat.parseObjectInto(ByteBuffer.wrap(flatOk), 0, flatOk.length, new Header());
            byte[] flatBad = utf8("{\"a\":{}}");
            assertThrows(ProtocolException.class,
                    () -> flat.parseObjectInto(ByteBuffer.wrap(flatBad), 0, flatBad.length, new Header()));
        }

        @Test
        void hugeNestingIsRejectedWithoutStackOverflow() {
            rejected("[".repeat(200_000), "nesting deeper than");
            rejected("{\"a\":".repeat(200_000), "nesting deeper than");
        }

        @Test
        void depthMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new JsonReader(0));
        }
    }

    @Nested
    class HeaderObjects {
        @Test
        void parseObjectIntoFillsHeaderInOrder() throws Exception {
            Header h = header(" {\"op\":\"PUT\",\"id\":9,\"size\":12,\"path\":\"/a b\",\"flag\":true,\"n\":null,\"argv\":[\"x\"]} ");
            assertEquals(List.of("op", "id", "size", "path", "flag", "n", "argv"),
                    List.copyOf(h.asMap().keySet()));
            assertEquals("PUT", h.op());
            assertEquals(9, h.id());
            assertEquals(12, h.size());
            assertEquals("/a b", h.getString("path", null));
            assertTrue(h.getBoolean("flag", false));
            assertTrue(h.has("n"));
            assertNull(h.get("n"));
            assertEquals(List.of("x"), h.get("argv"));
            assertEquals(0, header("{}").fieldCount());
            assertEquals(0, header(" { } ").fieldCount());
        }

        @Test
        void parseObjectIntoClearsTheHeaderFirst() throws Exception {
            Header h = new Header().put("stale", 1L).put("op", "OLD");
            byte[] b = utf8("{\"op\":\"NEW\"}");
            READER.parseObjectInto(ByteBuffer.wrap(b), 0, b.length, h);
            assertEquals(1, h.fieldCount());
            assertEquals("NEW", h.op());
            assertTrue(!h.has("stale"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"op\":1}]", "1", "\"obj\"", "null", "true"})
        void nonObjectHeaderRejected(String input) {
            rejectedHeader(input, "a header must be a JSON object");
        }
    }

    @Nested
    class Buffers {
        @Test
        void directBuffer() throws Exception {
            String json = "{\"op\":\"LIST\",\"path\":\"/t\u00e9st/\uD83D\uDE00\",\"n\":[1,-2,9223372036854775807]}";
            byte[] b = utf8(json);
            ByteBuffer d = ByteBuffer.allocateDirect(b.length);
            d.put(b).flip();
            Object v = READER.parse(d);
            assertEquals(Json.parse(json), v);
            assertEquals(0, d.position(), "the reader must not move the position");
            assertEquals(b.length, d.limit());
            Header h = new Header();
            READER.parseObjectInto(d, 0, b.length, h);
            assertEquals("LIST", h.op());
            assertEquals("/t\u00e9st/\uD83D\uDE00", h.getString("path", null));
        }

        @Test
        void directBufferErrors() {
            byte[] b = utf8("{\"a\":1,\"a\":2}");
            ByteBuffer d = ByteBuffer.allocateDirect(b.length);
            d.put(b).flip();
            ProtocolException e = assertThrows(ProtocolException.class, () -> READER.parse(d));
            assertTrue(e.getMessage().contains("duplicate key"), e.getMessage());
        }

        @Test
        void respectsPositionAndLimitWindow() throws Exception {
            byte[] json = utf8("{\"op\":\"PING\",\"s\":\"\u00e9\"}");
            // garbage before and after the window that would break parsing if read
            byte[] all = concat(utf8("}}xx\""), json, utf8("\"garbage{"));
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer buf = direct ? ByteBuffer.allocateDirect(all.length) : ByteBuffer.allocate(all.length);
                buf.put(all).clear();
                buf.position(5).limit(5 + json.length);
                Object v = READER.parse(buf);
                assertEquals(Map.of("op", "PING", "s", "\u00e9"), v);
                assertEquals(5, buf.position());
                assertEquals(5 + json.length, buf.limit());
                // explicit [from, to) ignores position and limit
                buf.clear();
                assertEquals(v, READER.parse(buf, 5, 5 + json.length));
                Header h = new Header();
                READER.parseObjectInto(buf, 5, 5 + json.length, h);
                assertEquals("PING", h.op());
                // error offsets are relative to the window start
                ProtocolException e = assertThrows(ProtocolException.class, () -> READER.parse(buf, 5, 5 + json.length + 1));
                assertTrue(e.getMessage().startsWith("invalid JSON header at byte " + json.length + ":"), e.getMessage());
            }
        }

        @Test
        void slicedAndReadOnlyHeapBuffers() throws Exception {
            byte[] all = concat(utf8("XXXXXXX"), utf8("{\"op\":\"STAT\",\"path\":\"/some/ascii/path/that/is/long/enough\"}"));
            ByteBuffer slice = ByteBuffer.wrap(all, 7, all.length - 7).slice(); // arrayOffset 7
            Header h = new Header();
            READER.parseObjectInto(slice, 0, slice.limit(), h);
            assertEquals("STAT", h.op());
            assertEquals("/some/ascii/path/that/is/long/enough", h.getString("path", null));
            ByteBuffer ro = ByteBuffer.wrap(all, 7, all.length - 7).slice().asReadOnlyBuffer();
            Header h2 = new Header();
            READER.parseObjectInto(ro, 0, ro.limit(), h2);
            assertEquals(h, h2);
        }
    }

    /** One reader parses header after header, a failed one in between leaving nothing behind. */
    @Test
    void oneReaderReusedAcrossParsesAndFailures() throws Exception {
        JsonReader r = new JsonReader(Json.DEFAULT_MAX_DEPTH);
        Header h = new Header();
        for (int i = 0; i < 3; i++) {
            ByteBuffer ok = ByteBuffer.wrap(utf8("  {\"op\":\"PING\",\"id\":" + i + "}"));
            r.parseObjectInto(ok, 2, ok.limit(), h);
            assertEquals("PING", h.op());
            assertEquals(i, h.id());
            ByteBuffer bad = ByteBuffer.wrap(utf8("{\"op\":\"PI"));
            ProtocolException e = assertThrows(ProtocolException.class, () -> r.parseObjectInto(bad, 0, bad.limit(), new Header()));
            assertEquals("invalid JSON header at byte 9: unterminated string", e.getMessage()); // offset from this parse's start
            assertEquals(List.of(1L, "x"), r.parse(ByteBuffer.wrap(utf8("[1,\"x\"]"))));
        }
    }
}

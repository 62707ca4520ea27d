package ferry.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Entry points to Ferry's strict JSON: {@link JsonReader} and {@link JsonWriter}.
 *
 * <p>Value model: a JSON object is a {@code Map<String,Object>} that keeps insertion order, an
 * array is a {@code List<Object>}, strings are {@link String}, numbers are {@link Long} (headers
 * carry int64 sizes, offsets and ids; fractions and exponents are rejected), booleans are
 * {@link Boolean}, and JSON {@code null} is Java {@code null}. {@link #parseDocument} is the one
 * opt-in to fractional numbers, for documents that are not frames.
 *
 * <p>Thread safety: all static methods are safe from any thread.
 */
public final class Json {
    /** Default nesting limit: headers are flat; a few levels leave room for argv lists and maps. */
    public static final int DEFAULT_MAX_DEPTH = 16;
    /**
     * Deepest nesting a reader may be configured for: the parser recurses once per level, and
     * beyond ~2,000 levels a default thread stack overflows (found by the fuzzer with a 10,000-deep
     * limit), which would escape as StackOverflowError instead of a ProtocolException.
     */
    public static final int MAX_SUPPORTED_DEPTH = 512;

    private Json() {}

    /** Parses one complete JSON value from UTF-8 bytes, rejecting trailing garbage. */
    public static Object parse(byte[] utf8) throws ProtocolException {
        return new JsonReader(DEFAULT_MAX_DEPTH).parse(ByteBuffer.wrap(utf8));
    }

    /** Parses one complete JSON value from a Java string (encoded to UTF-8 first). */
    public static Object parse(String text) throws ProtocolException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses a JSON document that is not a frame header (a report read back from disk, say):
     * numbers with a fraction or exponent, or integers beyond int64, become {@link Double}; other
     * integers stay {@link Long}. Every other strict rule applies. See
     * {@link JsonReader#forDocuments}.
     */
    public static Object parseDocument(String text) throws ProtocolException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return JsonReader.forDocuments(DEFAULT_MAX_DEPTH).parse(ByteBuffer.wrap(utf8));
    }

    /** Writes a value as compact JSON text. */
    public static String write(Object value) {
        JsonWriter w = new JsonWriter();
        w.value(value);
        return new String(w.array(), 0, w.length(), StandardCharsets.UTF_8);
    }

    /**
     * A racy, lock-free cache of short ASCII strings seen in headers ("op", "PING", "size", ...),
     * so parsing a typical header does not allocate a String per key. Races only lose an entry:
     * Strings are immutable and safely published through their final fields.
     */
    static final class StringCache {
        private static final int SLOTS = 1024; // power of two
        private static final int MAX_CACHED_LENGTH = 32;
        private static final String[] TABLE = new String[SLOTS];

        private StringCache() {}

        /** Returns the ASCII string of bytes [from, from+len) of {@code in}, cached if short. */
        static String ascii(ByteBuffer in, int from, int len) {
            if (len > MAX_CACHED_LENGTH) {
                return asciiString(in, from, len);
            }
            int h = 0;
            for (int i = 0; i < len; i++) {
                h = 31 * h + in.get(from + i);
            }
            int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
            String cached = TABLE[slot];
            if (cached != null && cached.length() == len && matches(cached, in, from)) {
                return cached;
            }
            String s = asciiString(in, from, len);
            TABLE[slot] = s;
            return s;
        }

        private static boolean matches(String s, ByteBuffer in, int from) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) != in.get(from + i)) {
                    return false;
                }
            }
            return true;
        }

        private static String asciiString(ByteBuffer in, int from, int len) {
            if (in.hasArray()) {
                return new String(in.array(), in.arrayOffset() + from, len,
                        StandardCharsets.ISO_8859_1);
            }
            byte[] b = new byte[len];
            in.get(from, b);
            return new String(b, StandardCharsets.ISO_8859_1);
        }

        static void clearForTests() {
            Arrays.fill(TABLE, null);
        }
    }
}

package ferry.protocol;

import java.nio.ByteBuffer;

/**
 * A strict, hand-written JSON parser over UTF-8 bytes (RFC 8259 with Ferry's restrictions).
 *
 * <p>Accepts objects, arrays, strings with every escape including {@code \\uXXXX} surrogate
 * pairs, int64 integers, {@code true}, {@code false} and {@code null}. Rejects, with a
 * {@link ProtocolException} naming the byte offset: trailing garbage, duplicate object keys,
 * invalid UTF-8 (overlong forms, encoded surrogates, code points above U+10FFFF, truncated
 * sequences), lone surrogate escapes, raw control characters in strings, fractions and exponents,
 * integers outside int64, leading zeros, and nesting deeper than the configured limit.
 *
 * <p>{@link #forDocuments} makes the one exception, for JSON documents that are not frame headers
 * (reports read back from disk): there a number with a fraction or an exponent, or an integer
 * outside int64, is read as a finite {@link Double}; every other rule stays. Frames always use
 * the strict constructor.
 *
 * <p>Reads with absolute indexing, so it works on heap and direct buffers and never moves the
 * buffer's position. Thread safety: one thread at a time (a decoder's own, usually): an instance
 * reuses its parse state between calls, so parsing a header allocates only the values it keeps.
 */
public final class JsonReader {
    private final JsonCursor cursor; // reused by every call: no allocation per parse

    /**
     * A strict reader for frame headers: numbers must be int64 integers.
     *
     * @param maxDepth deepest nesting of objects and arrays accepted; 1 means a flat object; at most
     *     {@link Json#MAX_SUPPORTED_DEPTH} (the parser recurses per level)
     */
    public JsonReader(int maxDepth) {
        this(maxDepth, false);
    }

    private JsonReader(int maxDepth, boolean decimals) {
        if (maxDepth < 1 || maxDepth > Json.MAX_SUPPORTED_DEPTH) {
            throw new IllegalArgumentException("maxDepth must be in [1, " + Json.MAX_SUPPORTED_DEPTH + "]: " + maxDepth);
        }
        this.cursor = new JsonCursor(maxDepth, decimals);
    }

    /**
     * A reader for JSON documents other than frame headers: a number is a {@link Long} when it is
     * an integer within int64 and a {@link Double} otherwise (a fraction, an exponent, or a larger
     * integer); a number beyond the range of a double is still rejected. Never use it for frames.
     *
     * @param maxDepth as for {@link #JsonReader(int)}
     */
    public static JsonReader forDocuments(int maxDepth) {
        return new JsonReader(maxDepth, true);
    }

    /** Parses bytes [position, limit) of {@code in} as exactly one JSON value. */
    public Object parse(ByteBuffer in) throws ProtocolException {
        return parse(in, in.position(), in.limit());
    }

    /** Parses bytes [from, to) of {@code in} as exactly one JSON value. */
    public Object parse(ByteBuffer in, int from, int to) throws ProtocolException {
        JsonCursor c = cursor.reset(in, from, to);
        try {
            c.skipWhitespace();
            Object v = c.value(0);
            c.skipWhitespace();
            if (c.pos != to) {
                throw c.error("trailing garbage after the JSON value");
            }
            return v;
        } finally {
            c.in = null; // do not keep the caller's buffer reachable
        }
    }

    /**
     * Parses bytes [from, to) as a JSON object into {@code header}, which is cleared first.
     * Top-level keys go straight into the header's flat slots (no intermediate map).
     */
    public void parseObjectInto(ByteBuffer in, int from, int to, Header header) throws ProtocolException {
        header.clear();
        JsonCursor c = cursor.reset(in, from, to);
        try {
            objectInto(c, header);
        } finally {
            c.in = null; // do not keep the caller's buffer reachable
        }
    }

    /** The object at the cursor, which must be all of [start, end), into {@code header}. */
    private static void objectInto(JsonCursor c, Header header) throws ProtocolException {
        c.skipWhitespace();
        if (c.pos >= c.end || c.in.get(c.pos) != '{') {
            throw c.error("a header must be a JSON object");
        }
        c.pos++;
        c.skipWhitespace();
        if (c.peek() == '}') {
            c.pos++;
        } else {
            while (true) {
                c.skipWhitespace();
                if (c.peek() != '"') {
                    throw c.error("expected a string key");
                }
                int keyAt = c.pos;
                String key = c.string();
                c.skipWhitespace();
                c.expect(':');
                c.skipWhitespace();
                Object v = c.value(1);
                if (header.has(key)) {
                    throw c.errorAt(keyAt, "duplicate key \"" + key + "\"");
                }
                header.put(key, v);
                c.skipWhitespace();
                int ch = c.next();
                if (ch == '}') {
                    break;
                }
                if (ch != ',') {
                    throw c.errorAt(c.pos - 1, "expected ',' or '}'");
                }
            }
        }
        c.skipWhitespace();
        if (c.pos != c.end) {
            throw c.error("trailing garbage after the JSON value");
        }
    }
}

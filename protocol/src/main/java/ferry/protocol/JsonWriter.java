package ferry.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes compact JSON as UTF-8 into a growable byte array that is reused between calls
 * ({@link #reset()}), so encoding a header allocates nothing once the array has grown.
 *
 * <p>Strings are escaped as RFC 8259 requires ({@code "}, {@code \\} and control characters);
 * everything else goes out as UTF-8. An unpaired surrogate in a Java string cannot be UTF-8 and is
 * rejected with {@link IllegalArgumentException}, as are numbers that are not integers.
 *
 * <p>Thread safety: none; one writer per thread.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int INITIAL_CAPACITY_BYTES = 256;

    private byte[] buf = new byte[INITIAL_CAPACITY_BYTES];
    private int len;

    /** Forgets what was written; keeps the array. */
    public JsonWriter reset() {
        len = 0;
        return this;
    }

    /** The bytes written so far are {@code array()[0 .. length())}. */
    public byte[] array() {
        return buf;
    }

    public int length() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** Writes any value of the model described in {@link Json}. */
    @SuppressWarnings("unchecked")
    public JsonWriter value(Object v) {
        if (v == null) {
            raw("null");
        } else if (v instanceof String) {
            string((String) v);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            number(((Number) v).longValue());
        } else if (v instanceof Boolean) {
            raw(((Boolean) v) ? "true" : "false");
        } else if (v instanceof Map) {
            object((Map<String, Object>) v);
        } else if (v instanceof List) {
            array((List<Object>) v);
        } else if (v instanceof Header) {
            header((Header) v);
        } else {
            throw new IllegalArgumentException("not a JSON header value: " + v.getClass().getName());
        }
        return this;
    }

    /** Writes a header as a JSON object, fields in insertion order. */
    public JsonWriter header(Header h) {
        put((byte) '{');
        for (int i = 0; i < h.fieldCount(); i++) {
            if (i > 0) {
                put((byte) ',');
            }
            string(h.keyAt(i));
            put((byte) ':');
            value(h.valueAt(i));
        }
        put((byte) '}');
        return this;
    }

    private void object(Map<String, Object> m) {
        put((byte) '{');
        boolean first = true;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!first) {
                put((byte) ',');
            }
            first = false;
            string(e.getKey());
            put((byte) ':');
            value(e.getValue());
        }
        put((byte) '}');
    }

    private void array(List<Object> list) {
        put((byte) '[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                put((byte) ',');
            }
            value(list.get(i));
        }
        put((byte) ']');
    }

    public JsonWriter number(long n) {
        if (n == Long.MIN_VALUE) {
            return raw("-9223372036854775808");
        }
        ensure(20);
        if (n < 0) {
            buf[len++] = '-';
            n = -n;
        }
        int digits = 1;
        for (long t = n; t >= 10; t /= 10) {
            digits++;
        }
        int p = len + digits;
        len = p;
        do {
            buf[--p] = (byte) ('0' + (n % 10));
            n /= 10;
        } while (n != 0);
        return this;
    }

    public JsonWriter string(String s) {
        ensure(s.length() + 2);
        buf[len++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                put((byte) c);
            } else if (c == '"' || c == '\\') {
                put((byte) '\\');
                put((byte) c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n': raw("\\n"); break;
                    case '\r': raw("\\r"); break;
                    case '\t': raw("\\t"); break;
                    case '\b': raw("\\b"); break;
                    case '\f': raw("\\f"); break;
                    default:
                        raw("\\u00");
                        put(HEX[c >> 4]);
                        put(HEX[c & 0xF]);
                }
            } else if (c < 0x800) {
                put((byte) (0xC0 | (c >> 6)));
                put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    put((byte) (0xF0 | (cp >> 18)));
                    put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                    put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                    put((byte) (0x80 | (cp & 0x3F)));
                } else {
                    throw new IllegalArgumentException("unpaired surrogate at index " + i + " cannot be encoded as UTF-8");
                }
            } else {
                put((byte) (0xE0 | (c >> 12)));
                put((byte) (0x80 | ((c >> 6) & 0x3F)));
                put((byte) (0x80 | (c & 0x3F)));
            }
        }
        put((byte) '"');
        return this;
    }

    private JsonWriter raw(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            buf[len++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private void put(byte b) {
        if (len == buf.length) {
            ensure(1);
        }
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}

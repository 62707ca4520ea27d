package ferry.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parse state of one {@link JsonReader} call and the grammar it reads: values, objects,
 * arrays, numbers, strings with their escapes, and UTF-8 checked byte by byte. {@link #reset}
 * starts the next call; errors name the byte offset.
 *
 * <p>Threading: one thread at a time, the owning reader's.
 */
final class JsonCursor {
    ByteBuffer in;
    int start;
    int end;
    final int maxDepth;
    /** True for {@link JsonReader#forDocuments}: fractions, exponents and big integers become Doubles. */
    final boolean decimals;
    int pos;

    JsonCursor(int maxDepth, boolean decimals) {
        this.maxDepth = maxDepth;
        this.decimals = decimals;
    }

    JsonCursor reset(ByteBuffer in, int from, int to) {
        this.in = in;
        this.start = from;
        this.end = to;
        this.pos = from;
        return this;
    }

    ProtocolException error(String what) {
        return errorAt(pos, what);
    }

    ProtocolException errorAt(int at, String what) {
        String kind = decimals ? "invalid JSON" : "invalid JSON header";
        return new ProtocolException(kind + " at byte " + (at - start) + ": " + what);
    }

    int peek() throws ProtocolException {
        if (pos >= end) {
            throw error("unexpected end of input");
        }
        return in.get(pos) & 0xFF;
    }

    int next() throws ProtocolException {
        int b = peek();
        pos++;
        return b;
    }

    void expect(char ch) throws ProtocolException {
        if (peek() != ch) {
            throw error("expected '" + ch + "'");
        }
        pos++;
    }

    void skipWhitespace() {
        while (pos < end) {
            byte b = in.get(pos);
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    Object value(int depth) throws ProtocolException {
        int b = peek();
        switch (b) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (b == '-' || (b >= '0' && b <= '9')) {
                    return number();
                }
                throw error("unexpected character " + describe(b));
        }
    }

    private void literal(String word) throws ProtocolException {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= end || in.get(pos) != word.charAt(i)) {
                throw error("invalid literal, expected " + word);
            }
            pos++;
        }
    }

    private Map<String, Object> object(int depth) throws ProtocolException {
        if (depth > maxDepth) {
            throw error("nesting deeper than " + maxDepth);
        }
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.containsKey(key)) {
                throw errorAt(keyAt, "duplicate key \"" + key + "\"");
            }
            map.put(key, v);
            skipWhitespace();
            int ch = next();
            if (ch == '}') {
                return map;
            }
            if (ch != ',') {
                throw errorAt(pos - 1, "expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws ProtocolException {
        if (depth > maxDepth) {
            throw error("nesting deeper than " + maxDepth);
        }
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            int ch = next();
            if (ch == ']') {
                return list;
            }
            if (ch != ',') {
                throw errorAt(pos - 1, "expected ',' or ']'");
            }
        }
    }

    private Object number() throws ProtocolException {
        int begin = pos;
        boolean negative = false;
        if (in.get(pos) == '-') {
            negative = true;
            pos++;
        }
        if (pos >= end || !isDigit(in.get(pos))) {
            throw errorAt(begin, "invalid number");
        }
        if (in.get(pos) == '0' && pos + 1 < end && isDigit(in.get(pos + 1))) {
            throw errorAt(begin, "leading zeros are not allowed");
        }
        // Accumulate negatively so Long.MIN_VALUE fits.
        long acc = 0;
        boolean overflow = false;
        while (pos < end && isDigit(in.get(pos))) {
            int d = in.get(pos) - '0';
            if (overflow || acc < (Long.MIN_VALUE + d) / 10) {
                overflow = true;
            } else {
                acc = acc * 10 - d;
            }
            pos++;
        }
        if (overflow && !decimals) {
            throw errorAt(begin, "integer out of int64 range");
        }
        if (pos < end) {
            byte b = in.get(pos);
            if (b == '.' || b == 'e' || b == 'E') {
                if (!decimals) {
                    throw errorAt(begin, "only integers are allowed in headers");
                }
                return decimal(begin);
            }
        }
        if (!negative && acc == Long.MIN_VALUE) {
            overflow = true;
            if (!decimals) {
                throw errorAt(begin, "integer out of int64 range");
            }
        }
        if (overflow) {
            return finiteDouble(begin);
        }
        return negative ? acc : -acc;
    }

    /** The fraction and exponent after the integer part that began at {@code begin}. */
    private Double decimal(int begin) throws ProtocolException {
        if (in.get(pos) == '.') {
            pos++;
            digits(begin, "a fraction needs digits after '.'");
        }
        if (pos < end && (in.get(pos) == 'e' || in.get(pos) == 'E')) {
            pos++;
            if (pos < end && (in.get(pos) == '+' || in.get(pos) == '-')) {
                pos++;
            }
            digits(begin, "an exponent needs digits");
        }
        return finiteDouble(begin);
    }

    private void digits(int begin, String what) throws ProtocolException {
        if (pos >= end || !isDigit(in.get(pos))) {
            throw errorAt(begin, what);
        }
        while (pos < end && isDigit(in.get(pos))) {
            pos++;
        }
    }

    /** The number text [begin, pos), which is plain ASCII by now, as a finite double. */
    private Double finiteDouble(int begin) throws ProtocolException {
        byte[] text = new byte[pos - begin];
        in.get(begin, text);
        double d = Double.parseDouble(new String(text, StandardCharsets.ISO_8859_1));
        if (Double.isInfinite(d)) {
            throw errorAt(begin, "number out of double range");
        }
        return d;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** Reads a string token starting at the opening quote. */
    String string() throws ProtocolException {
        pos++; // opening quote
        int begin = pos;
        // Fast path: plain ASCII without escapes, served from the shared cache.
        while (pos < end) {
            byte b = in.get(pos);
            if (b == '"') {
                String s = Json.StringCache.ascii(in, begin, pos - begin);
                pos++;
                return s;
            }
            if (b == '\\' || b < 0x20) { // negative bytes are non-ASCII; control chars are errors
                break;
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(Math.max(16, (pos - begin) * 2));
        for (int i = begin; i < pos; i++) {
            sb.append((char) in.get(i));
        }
        while (true) {
            if (pos >= end) {
                throw error("unterminated string");
            }
            int b = in.get(pos) & 0xFF;
            if (b == '"') {
                pos++;
                return sb.toString();
            } else if (b == '\\') {
                escape(sb);
            } else if (b < 0x20) {
                throw error("raw control character " + describe(b) + " in string");
            } else if (b < 0x80) {
                sb.append((char) b);
                pos++;
            } else {
                utf8(sb);
            }
        }
    }

    private void escape(StringBuilder sb) throws ProtocolException {
        int at = pos;
        pos++; // backslash
        int e = next();
        switch (e) {
            case '"': sb.append('"'); break;
            case '\\': sb.append('\\'); break;
            case '/': sb.append('/'); break;
            case 'b': sb.append('\b'); break;
            case 'f': sb.append('\f'); break;
            case 'n': sb.append('\n'); break;
            case 'r': sb.append('\r'); break;
            case 't': sb.append('\t'); break;
            case 'u': {
                char c = hex4();
                if (Character.isHighSurrogate(c)) {
                    if (pos + 1 < end && in.get(pos) == '\\' && in.get(pos + 1) == 'u') {
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw errorAt(at, "high surrogate not followed by a low surrogate");
                        }
                        sb.append(c).append(low);
                    } else {
                        throw errorAt(at, "lone high surrogate escape");
                    }
                } else if (Character.isLowSurrogate(c)) {
                    throw errorAt(at, "lone low surrogate escape");
                } else {
                    sb.append(c);
                }
                break;
            }
            default:
                throw errorAt(at, "invalid escape \\" + (char) e);
        }
    }

    private char hex4() throws ProtocolException {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int b = next();
            int d = Character.digit(b, 16);
            if (d < 0 || b > 0x7F) {
                throw errorAt(pos - 1, "invalid hex digit in \\u escape");
            }
            v = (v << 4) | d;
        }
        return (char) v;
    }

    /** Decodes one multi-byte UTF-8 sequence strictly (RFC 3629). */
    private void utf8(StringBuilder sb) throws ProtocolException {
        int at = pos;
        int b0 = in.get(pos) & 0xFF;
        int need;
        int cp;
        int min;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1; cp = b0 & 0x1F; min = 0x80;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2; cp = b0 & 0x0F; min = 0x800;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3; cp = b0 & 0x07; min = 0x10000;
        } else {
            throw errorAt(at, "invalid UTF-8 lead byte 0x" + Integer.toHexString(b0));
        }
        if (pos + need >= end) {
            throw errorAt(at, "truncated UTF-8 sequence");
        }
        for (int i = 1; i <= need; i++) {
            int bx = in.get(pos + i) & 0xFF;
            if ((bx & 0xC0) != 0x80) {
                throw errorAt(at, "invalid UTF-8 continuation byte 0x" + Integer.toHexString(bx));
            }
            cp = (cp << 6) | (bx & 0x3F);
        }
        if (cp < min) {
            throw errorAt(at, "overlong UTF-8 encoding");
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            throw errorAt(at, "UTF-8 encoded surrogate");
        }
        if (cp > 0x10FFFF) {
            throw errorAt(at, "code point above U+10FFFF");
        }
        sb.appendCodePoint(cp);
        pos += need + 1;
    }

    static String describe(int b) {
        if (b >= 0x21 && b < 0x7F) {
            return "'" + (char) b + "'";
        }
        return String.format("0x%02x", b);
    }
}

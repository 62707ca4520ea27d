package ferry.protocol.fuzz;

import ferry.protocol.FrameLimits;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates valid frames together with what they mean: a JSON model (Map, List, String, Long,
 * Boolean, null) and its text written with every legal variation the writer of a real peer might
 * use (each escape form, upper/lower hex, raw UTF-8 of 1 to 4 bytes, whitespace between tokens,
 * numbers at the int64 edges, "-0"), plus the body the header's {@code size} announces.
 *
 * <p>Shapes: typical request headers, wide objects that fill the header limit with many keys, and
 * nesting at the depth limit. The JSON texts are produced here, not by {@code JsonWriter}, so the
 * decoder meets forms Ferry's own writer never emits.
 */
final class FrameGenerator {
    static final String[] OPS = {"PING", "HELLO", "BYE", "GET", "PUT", "LIST", "EXEC", "AUTH", "ERROR", "PONG", ""};
    static final String[] KEYS = {"op", "id", "size", "path", "offset", "argv", "env", "code", "message", "user", "x", ""};
    static final long[] EDGE_NUMBERS = {
        0, 1, -1, 9, 10, 127, 128, 255, 256, 65535, 65536,
        Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE, Integer.MIN_VALUE - 1L,
        0xFFFFFFFFL, 0x100000000L, 5L << 30, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
        Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1,
    };
    /** Characters strings are made of: ASCII, the ones that must be escaped, 2-, 3- and 4-byte UTF-8. */
    static final int[] CODE_POINTS = {
        'a', 'Z', '0', ' ', '~', 0x7F, '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', 0, 0x1F,
        0xE9, 0x7FF, 0x800, 0x65E5, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F389, 0x10FFFF,
    };

    private final Random r;
    /** Depth of the deepest container in the last generated header (top-level object = 1). */
    private int maxDepthSeen;

    FrameGenerator(Random r) {
        this.r = r;
    }

    /** A fresh case: a preamble (when the limits expect one) and 1 to 4 valid frames. */
    FuzzCase generate(int limitsIndex) {
        FrameLimits limits = Limits.VARIANTS[limitsIndex];
        FuzzCase c = new FuzzCase();
        c.limits = limitsIndex;
        c.splitSeed = r.nextLong();
        c.pauseRate = new int[] {0, 0, 16, 128, 256}[r.nextInt(5)];
        if (limits.expectPreamble()) {
            c.preamble = r.nextInt(8) == 0
                    ? new byte[] {'F', 'E', 'R', 'R', 'Y', 0, (byte) Preamble.MAJOR, (byte) r.nextInt(256)}
                    : Preamble.bytes();
        }
        List<FuzzCase.Expected> expected = new ArrayList<>();
        boolean pristine = true;
        int frames = 1 + r.nextInt(4);
        for (int i = 0; i < frames; i++) {
            maxDepthSeen = 1;
            Map<String, Object> model = header(limits);
            boolean last = i == frames - 1;
            long size = bodySize(last);
            if (size >= 0) {
                model.put("size", size);
            }
            byte[] json = text(model);
            byte[] body = size > 0 && size <= 1 << 20 ? randomBytes((int) size) : new byte[0];
            c.segs.add(FuzzCase.Seg.framed(json, body));
            boolean fits = json.length <= limits.maxHeaderBytes() && maxDepthSeen <= limits.maxDepth()
                    && Math.max(0, size) <= limits.maxBodyBytes();
            pristine &= fits;
            expected.add(new FuzzCase.Expected(model, body));
            if (!fits) {
                break; // the rest would never be decoded
            }
        }
        c.expected = pristine ? expected : null;
        return c;
    }

    /** -1 for no size field; usually small with its body present; on the last frame, sometimes huge. */
    private long bodySize(boolean last) {
        int k = r.nextInt(10);
        if (k < 4) {
            return -1;
        }
        if (k < 8) {
            return r.nextInt(8) == 0 ? 0 : r.nextInt(300);
        }
        if (k == 8) {
            return r.nextInt(70_000);
        }
        // A declared size far beyond what follows: the stream ends mid-body, which is legal.
        return last ? EDGE_NUMBERS[r.nextInt(EDGE_NUMBERS.length)] & Long.MAX_VALUE : r.nextInt(10);
    }

    private Map<String, Object> header(FrameLimits limits) {
        int shape = r.nextInt(20);
        if (shape == 0) {
            // around the limit; for the 1 MiB limit mostly around 64 KiB, which is as telling and 16 times cheaper
            int target = limits.maxHeaderBytes() > 1 << 16 && r.nextInt(8) != 0 ? 1 << 16 : limits.maxHeaderBytes();
            return wide(target - 16 + r.nextInt(32));
        }
        if (shape == 1) {
            return deep(limits.maxDepth() - 1 + r.nextInt(3));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.nextInt(8) != 0) {
            m.put("op", OPS[r.nextInt(OPS.length)]);
        }
        if (r.nextInt(4) != 0) {
            m.put("id", r.nextInt(3) == 0 ? EDGE_NUMBERS[r.nextInt(EDGE_NUMBERS.length)] : (long) r.nextInt(1000));
        }
        int extra = r.nextInt(5);
        for (int i = 0; i < extra; i++) {
            String key = r.nextBoolean() ? KEYS[r.nextInt(KEYS.length)] : string(8);
            if (!m.containsKey(key) && !key.equals("size")) {
                m.put(key, value(2, 4));
            }
        }
        return m;
    }

    /** An object with as many short distinct keys as fit in about {@code targetBytes}. */
    private Map<String, Object> wide(int targetBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", "WIDE");
        int bytes = 16;
        for (int i = 0; bytes < targetBytes - 32; i++) {
            String key = Integer.toString(i, 36);
            m.put(key, 0L);
            bytes += key.length() + 5;
        }
        return m;
    }

    /** {"op":"DEEP","v":[[[...]]]} nested to {@code depth} containers in all (top-level object = 1). */
    private Map<String, Object> deep(int depth) {
        Object v = r.nextBoolean() ? new ArrayList<>() : new LinkedHashMap<>();
        for (int d = 2; d < depth; d++) {
            if (r.nextBoolean()) {
                List<Object> l = new ArrayList<>();
                l.add(v);
                v = l;
            } else {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("k", v);
                v = o;
            }
        }
        maxDepthSeen = Math.max(maxDepthSeen, Math.max(1, depth));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", "DEEP");
        m.put("v", depth >= 2 ? v : 0L);
        return m;
    }

    /** A random value; containers at most {@code maxLevel} deep below the top-level object. */
    Object value(int level, int maxLevel) {
        int k = r.nextInt(level < maxLevel ? 8 : 6);
        switch (k) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: return r.nextInt(3) == 0 ? EDGE_NUMBERS[r.nextInt(EDGE_NUMBERS.length)] : r.nextLong() >> r.nextInt(64);
            case 3: case 4: case 5: return string(r.nextInt(4) == 0 ? 40 : 8);
            case 6: {
                maxDepthSeen = Math.max(maxDepthSeen, level);
                List<Object> l = new ArrayList<>();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    l.add(value(level + 1, maxLevel));
                }
                return l;
            }
            default: {
                maxDepthSeen = Math.max(maxDepthSeen, level);
                Map<String, Object> m = new LinkedHashMap<>();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    String key = string(6);
                    if (!m.containsKey(key)) {
                        m.put(key, value(level + 1, maxLevel));
                    }
                }
                return m;
            }
        }
    }

    String string(int maxLen) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxLen + 1);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(r.nextInt(3) == 0 ? CODE_POINTS[r.nextInt(CODE_POINTS.length)] : 'a' + r.nextInt(26));
        }
        return sb.toString();
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // ---- text ----------------------------------------------------------------------------------

    /** The model as JSON text, with random legal variations. */
    byte[] text(Object model) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean spaces = r.nextInt(6) == 0;
        write(model, out, spaces);
        if (spaces && r.nextBoolean()) {
            out.writeBytes(" \r\n\t".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private void write(Object v, ByteArrayOutputStream out, boolean spaces) {
        if (v == null) {
            ascii(out, "null");
        } else if (v instanceof Boolean) {
            ascii(out, v.toString());
        } else if (v instanceof Long) {
            long n = (Long) v;
            ascii(out, n == 0 && r.nextInt(8) == 0 ? "-0" : Long.toString(n));
        } else if (v instanceof String) {
            writeString((String) v, out);
        } else if (v instanceof List) {
            out.write('[');
            boolean first = true;
            for (Object e : (List<Object>) v) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                ws(out, spaces);
                write(e, out, spaces);
                ws(out, spaces);
            }
            out.write(']');
        } else {
            out.write('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                ws(out, spaces);
                writeString(e.getKey(), out);
                ws(out, spaces);
                out.write(':');
                ws(out, spaces);
                write(e.getValue(), out, spaces);
                ws(out, spaces);
            }
            out.write('}');
        }
    }

    private void ws(ByteArrayOutputStream out, boolean spaces) {
        if (spaces && r.nextInt(3) == 0) {
            out.write(" \t\r\n".charAt(r.nextInt(4)));
        }
    }

    /** A string with each character written raw, as a short escape, or as a {@code \\u} escape. */
    void writeString(String s, ByteArrayOutputStream out) {
        out.write('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            int form = r.nextInt(6);
            String shortEscape = shortEscape(cp);
            if (cp < 0x20 || cp == '"' || cp == '\\') {
                // must be escaped
                if (shortEscape != null && form < 4) {
                    ascii(out, shortEscape);
                } else {
                    unicodeEscape(cp, out);
                }
            } else if (form == 0) {
                unicodeEscape(cp, out);
            } else if (form == 1 && cp == '/') {
                ascii(out, "\\/");
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        }
        out.write('"');
    }

    private static String shortEscape(int cp) {
        switch (cp) {
            case '"': return "\\\"";
            case '\\': return "\\\\";
            case '/': return "\\/";
            case '\b': return "\\b";
            case '\f': return "\\f";
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            default: return null;
        }
    }

    private void unicodeEscape(int cp, ByteArrayOutputStream out) {
        for (char ch : Character.toChars(cp)) {
            String hex = String.format("%04x", (int) ch);
            ascii(out, "\\u" + (r.nextBoolean() ? hex : hex.toUpperCase()));
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}

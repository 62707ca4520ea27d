package ferry.protocol.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutations of a {@link FuzzCase}, from gentle to brutal. JSON mutations keep the length prefix
 * right so the damage reaches the JSON parser instead of only breaking framing; framing mutations
 * lie in the length prefix, the {@code size} field or the body; stream mutations drop, repeat,
 * splice and cut frames or spoil the preamble; raw mutations flatten the case to bytes and flip,
 * insert and delete anywhere. Several are stacked per input, as libFuzzer does.
 */
final class Mutator {
    /** Tokens worth inserting into JSON: every escape, broken escapes, numbers at and past the int64 edges. */
    static final String[] JSON_TOKENS = {
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\"op\":", "\"size\":", "\"id\":", "\"op\":\"PING\",",
        "true", "false", "null", "tru", "nul", "True", "0", "-0", "-", "01", "-01", "1.0", "1e5", "1E5", "+1",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9",
        "\\u00E9", "\\u0000", "\\u001f", "\\uD83D\\uDE00", "\\ud83d\\ude00", "\\uD800", "\\uDC00", "\\uD800\\u0041",
        "\\uD800\\uD800", "\\u12", "\\u12G4", "\\x41", "\\U0041", "\\", " ", "\t", "\n", "\r", "\f", "\u000b",
        "\u00a0", "\ufeff", "[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]", "{\"a\":{\"a\":{\"a\":{\"a\":",
    };
    /** JSON_TOKENS[FIRST_ESCAPE_TOKEN .. +ESCAPE_TOKENS) are the escapes, valid and broken. */
    static final int FIRST_ESCAPE_TOKEN = 32;
    static final int ESCAPE_TOKENS = 24;
    /** Byte sequences that are not valid UTF-8 in one way each, and a few that are. */
    static final int[][] UTF8_SEQUENCES = {
        {0x80}, {0xBF}, {0xC0, 0x80}, {0xC1, 0xBF}, {0xC2}, {0xC2, 0x41}, {0xE0, 0x80, 0x80}, {0xE0, 0x9F, 0xBF},
        {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xEF, 0xBF}, {0xF0, 0x8F, 0xBF, 0xBF}, {0xF4, 0x90, 0x80, 0x80},
        {0xF5, 0x80, 0x80, 0x80}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xFE}, {0xFF}, {0xF0, 0x9F, 0x8E},
        {0xC3, 0xA9}, {0xE6, 0x97, 0xA5}, {0xF0, 0x9F, 0x8E, 0x89}, {0xF4, 0x8F, 0xBF, 0xBF}, {0xEF, 0xBF, 0xBF},
    };
    static final long[] INTERESTING_LENGTHS = {
        0, 1, 2, 3, 4, 7, 8, 63, 64, 65, 299, 300, 301, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1,
        0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL,
    };
    static final String[] FOREIGN_STARTS = {
        "GET / HTTP/1.1\r\n", "PRI * HTTP/2.0\r\n", "SSH-2.0-OpenSSH_9.6\r\n", "dir\n", "FERRY", "FERR", "ferry\0\1\0",
        "\u0016\u0003\u0001\u0002\u0000\u0001", "FERRY\0\2\0", "FERRY\0\0\0", "FERRY\1\1\0",
    };

    private final Random r;
    private final FrameGenerator gen;

    Mutator(Random r, FrameGenerator gen) {
        this.r = r;
        this.gen = gen;
    }

    /** Applies 1 to 6 stacked mutations; {@code other} is a second corpus case for splicing. */
    void mutate(FuzzCase c, FuzzCase other) {
        c.expected = null;
        int n = 1;
        while (n < 6 && r.nextInt(3) == 0) {
            n++;
        }
        for (int i = 0; i < n; i++) {
            mutateOnce(c, other);
        }
        if (c.segs.isEmpty()) {
            c.segs.add(FuzzCase.Seg.raw(new byte[0]));
        }
        if (c.wireLength() > MAX_INPUT_BYTES) {
            c.flatten();
            byte[] raw = c.segs.get(0).raw;
            c.segs.set(0, FuzzCase.Seg.raw(Arrays.copyOf(raw, MAX_INPUT_BYTES)));
        }
    }

    /** Inputs are cut to this: big enough for 1 MiB headers, small enough to run a million inputs. */
    static final int MAX_INPUT_BYTES = (1 << 20) + 4096;

    private void mutateOnce(FuzzCase c, FuzzCase other) {
        FuzzCase.Seg framed = pickFramed(c);
        int k = r.nextInt(100);
        if (framed != null && k < 45) {
            framed.json = mutateJson(framed.json);
        } else if (framed != null && k < 60) {
            mutateFraming(framed);
        } else if (k < 75) {
            mutateStream(c, other);
        } else if (k < 85) {
            mutateKnobs(c);
        } else {
            c.flatten();
            FuzzCase.Seg s = c.segs.get(0);
            s.raw = mutateBytes(s.raw);
        }
    }

    private FuzzCase.Seg pickFramed(FuzzCase c) {
        int framed = 0;
        for (FuzzCase.Seg s : c.segs) {
            if (s.json != null) {
                framed++;
            }
        }
        if (framed == 0) {
            return null;
        }
        int pick = r.nextInt(framed);
        for (FuzzCase.Seg s : c.segs) {
            if (s.json != null && pick-- == 0) {
                return s;
            }
        }
        return null;
    }

    // ---- JSON ------------------------------------------------------------------------------------

    byte[] mutateJson(byte[] json) {
        switch (r.nextInt(13)) {
            case 0: return flipBit(json);
            case 1: return setByte(json, interestingByte());
            case 2: case 3: return insert(json, pos(json), ascii(JSON_TOKENS[r.nextInt(JSON_TOKENS.length)]));
            case 4: return deleteRange(json);
            case 5: return duplicateRange(json);
            case 6: return Arrays.copyOf(json, r.nextInt(json.length + 1));
            case 7: return insert(json, insideString(json), sequence(UTF8_SEQUENCES[r.nextInt(UTF8_SEQUENCES.length)]));
            case 8: return duplicateKey(json);
            case 9: return replaceNumber(json);
            case 10: return nest(json);
            case 11: return insert(json, insideString(json), ascii(JSON_TOKENS[FIRST_ESCAPE_TOKEN + r.nextInt(ESCAPE_TOKENS)]));
            default: return insert(json, pos(json), randomValueText());
        }
    }

    /** Copies the first {@code "key":value} pair found right after a '{' to the front: a duplicate key. */
    private byte[] duplicateKey(byte[] json) {
        int open = indexOf(json, (byte) '{', 0);
        if (open < 0) {
            return insert(json, pos(json), ascii("\"op\":\"PING\",\"op\":\"PING\","));
        }
        int comma = open + 1;
        int depth = 0;
        boolean inString = false;
        for (; comma < json.length; comma++) {
            byte b = json[comma];
            if (inString) {
                if (b == '\\') {
                    comma++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (depth-- == 0) {
                    break;
                }
            } else if (b == ',' && depth == 0) {
                break;
            }
        }
        byte[] pair = Arrays.copyOfRange(json, open + 1, Math.min(comma, json.length));
        if (pair.length == 0) {
            return json;
        }
        byte[] withComma = Arrays.copyOf(pair, pair.length + 1);
        withComma[pair.length] = ',';
        return insert(json, open + 1, withComma);
    }

    /** Replaces a run of digits with a number at or past an int64 edge, or a malformed one. */
    private byte[] replaceNumber(byte[] json) {
        int start = -1;
        for (int tries = 0; tries < 4 && start < 0; tries++) {
            int p = pos(json);
            for (int i = p; i < json.length; i++) {
                if (json[i] >= '0' && json[i] <= '9') {
                    start = i;
                    break;
                }
            }
        }
        if (start < 0) {
            return insert(json, pos(json), ascii(numberText()));
        }
        int end = start;
        while (end < json.length && json[end] >= '0' && json[end] <= '9') {
            end++;
        }
        if (start > 0 && json[start - 1] == '-') {
            start--;
        }
        return replace(json, start, end, ascii(numberText()));
    }

    private String numberText() {
        switch (r.nextInt(4)) {
            case 0: return Long.toString(FrameGenerator.EDGE_NUMBERS[r.nextInt(FrameGenerator.EDGE_NUMBERS.length)]);
            case 1: return new String[] {"9223372036854775808", "-9223372036854775809", "18446744073709551616",
                "-0", "00", "-00", "1.5", "1e3", "-", "0x10", "1_0", "١٢"}[r.nextInt(12)];
            case 2: return new java.math.BigInteger(70, r).subtract(java.math.BigInteger.ONE.shiftLeft(69)).toString();
            default: return Long.toString(r.nextLong());
        }
    }

    /** Wraps everything after a ':' or '[' in brackets nested around the depth limits. */
    private byte[] nest(byte[] json) {
        int colon = indexOf(json, (byte) ':', pos(json));
        if (colon < 0) {
            colon = indexOf(json, (byte) ':', 0);
        }
        if (colon < 0) {
            return json;
        }
        int depth = new int[] {1, 2, 3, 15, 16, 17, 63, 64, 511, 512, 513, 1000, 5000, 20_000}[r.nextInt(14)];
        boolean arrays = r.nextBoolean();
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            open.append(arrays ? "[" : "{\"k\":");
            close.append(arrays ? "]" : "}");
        }
        // insert the opening at the value's start and the closing just before the object's last '}'
        int last = json.length - 1;
        while (last > colon && json[last] != '}') {
            last--;
        }
        byte[] withClose = last > colon ? insert(json, last, ascii(close.toString())) : json;
        return insert(withClose, colon + 1, ascii(open.toString()));
    }

    private byte[] randomValueText() {
        Object v = gen.value(2, 3);
        return gen.text(v);
    }

    // ---- framing --------------------------------------------------------------------------------

    private void mutateFraming(FuzzCase.Seg s) {
        switch (r.nextInt(5)) {
            case 0:
                s.lengthOverride = INTERESTING_LENGTHS[r.nextInt(INTERESTING_LENGTHS.length)];
                break;
            case 1:
                s.lengthOverride = Math.max(0, s.json.length + r.nextInt(9) - 4);
                break;
            case 2: { // body shorter or longer than "size" says
                int len = Math.max(0, s.body.length + r.nextInt(21) - 10);
                s.body = Arrays.copyOf(s.body, len);
                break;
            }
            case 3: { // "size" lies or sits on an edge
                int at = indexOfAscii(s.json, "\"size\":");
                long v = r.nextBoolean() ? INTERESTING_LENGTHS[r.nextInt(INTERESTING_LENGTHS.length)]
                        : FrameGenerator.EDGE_NUMBERS[r.nextInt(FrameGenerator.EDGE_NUMBERS.length)];
                if (at < 0) {
                    s.json = insert(s.json, Math.min(1, s.json.length), ascii("\"size\":" + v + ","));
                } else {
                    int start = at + 7;
                    int end = start;
                    while (end < s.json.length && (s.json[end] == '-' || (s.json[end] >= '0' && s.json[end] <= '9'))) {
                        end++;
                    }
                    s.json = replace(s.json, start, end, ascii(Long.toString(v)));
                }
                break;
            }
            default: // "size" of another type
                s.json = insert(s.json, Math.min(1, s.json.length),
                        ascii(new String[] {"\"size\":\"5\",", "\"size\":null,", "\"size\":-1,", "\"size\":[1],",
                            "\"size\":true,", "\"size\":{},", "\"size\":1.0,"}[r.nextInt(7)]));
        }
    }

    // ---- stream ---------------------------------------------------------------------------------

    private void mutateStream(FuzzCase c, FuzzCase other) {
        List<FuzzCase.Seg> segs = c.segs;
        switch (r.nextInt(7)) {
            case 0:
                if (segs.size() > 1) {
                    segs.remove(r.nextInt(segs.size()));
                }
                break;
            case 1:
                if (!segs.isEmpty() && segs.size() < 64) {
                    int i = r.nextInt(segs.size());
                    segs.add(i, segs.get(i).copy());
                }
                break;
            case 2:
                if (segs.size() > 1) {
                    java.util.Collections.swap(segs, r.nextInt(segs.size()), r.nextInt(segs.size()));
                }
                break;
            case 3:
                if (other != null && !other.segs.isEmpty() && segs.size() < 64) {
                    segs.add(r.nextInt(segs.size() + 1), other.segs.get(r.nextInt(other.segs.size())).copy());
                }
                break;
            case 4:
                c.cutTail = r.nextInt(Math.max(1, Math.min(c.wireLength() + c.cutTail, 64)));
                break;
            case 5: // a frame made of pure random bytes in the middle of good ones
                segs.add(r.nextInt(segs.size() + 1), FuzzCase.Seg.raw(gen.randomBytes(r.nextInt(12))));
                break;
            default:
                c.preamble = spoilPreamble(c.preamble);
        }
    }

    private byte[] spoilPreamble(byte[] p) {
        switch (r.nextInt(4)) {
            case 0: return new byte[0];
            case 1: return ascii(FOREIGN_STARTS[r.nextInt(FOREIGN_STARTS.length)]);
            case 2: return p.length == 0 ? p : setByte(p, interestingByte());
            default: return ferry.protocol.Preamble.bytes();
        }
    }

    private void mutateKnobs(FuzzCase c) {
        switch (r.nextInt(3)) {
            case 0: c.limits = r.nextInt(Limits.VARIANTS.length); break;
            case 1: c.splitSeed = r.nextLong(); break;
            default: c.pauseRate = new int[] {0, 1, 16, 64, 128, 255, 256}[r.nextInt(7)];
        }
    }

    // ---- raw bytes -------------------------------------------------------------------------------

    byte[] mutateBytes(byte[] b) {
        switch (r.nextInt(9)) {
            case 0: return flipBit(b);
            case 1: return setByte(b, interestingByte());
            case 2: return setByte(b, (byte) r.nextInt(256));
            case 3: return insert(b, pos(b), gen.randomBytes(1 + r.nextInt(8)));
            case 4: return deleteRange(b);
            case 5: return duplicateRange(b);
            case 6: return Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 7: { // an interesting u32 written over the bytes at some offset
                long v = INTERESTING_LENGTHS[r.nextInt(INTERESTING_LENGTHS.length)];
                byte[] u32 = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
                int at = pos(b);
                byte[] out = Arrays.copyOf(b, Math.max(b.length, at + 4));
                System.arraycopy(u32, 0, out, at, 4);
                return out;
            }
            default: return insert(b, pos(b), ascii(JSON_TOKENS[r.nextInt(JSON_TOKENS.length)]));
        }
    }

    private byte[] flipBit(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        byte[] out = b.clone();
        int i = r.nextInt(out.length);
        out[i] ^= (byte) (1 << r.nextInt(8));
        return out;
    }

    private byte[] setByte(byte[] b, byte v) {
        if (b.length == 0) {
            return new byte[] {v};
        }
        byte[] out = b.clone();
        out[r.nextInt(out.length)] = v;
        return out;
    }

    private byte interestingByte() {
        int[] v = {0, 1, 0x7F, 0x80, 0xFF, '{', '}', '[', ']', '"', '\\', ':', ',', ' ', 0x1F, 0xC0, 0xED, 0xF4};
        return (byte) v[r.nextInt(v.length)];
    }

    private byte[] deleteRange(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int from = r.nextInt(b.length);
        int len = 1 + r.nextInt(Math.min(16, b.length - from));
        return replace(b, from, from + len, new byte[0]);
    }

    private byte[] duplicateRange(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int from = r.nextInt(b.length);
        int len = 1 + r.nextInt(Math.min(32, b.length - from));
        return insert(b, pos(b), Arrays.copyOfRange(b, from, from + len));
    }

    /** A position in [0, length], biased to the start where headers begin. */
    private int pos(byte[] b) {
        return r.nextInt(4) == 0 ? r.nextInt(Math.min(b.length, 16) + 1) : r.nextInt(b.length + 1);
    }

    /** A position just after a '"' when there is one (inside a string), else anywhere. */
    private int insideString(byte[] b) {
        int at = indexOf(b, (byte) '"', pos(b));
        if (at < 0) {
            at = indexOf(b, (byte) '"', 0);
        }
        return at < 0 ? pos(b) : at + 1;
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    static byte[] replace(byte[] b, int from, int to, byte[] what) {
        byte[] out = new byte[b.length - (to - from) + what.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(what, 0, out, from, what.length);
        System.arraycopy(b, to, out, from + what.length, b.length - to);
        return out;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfAscii(byte[] b, String s) {
        byte[] needle = ascii(s);
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sequence(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}

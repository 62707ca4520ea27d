package ferry.protocol.fuzz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cheap stand-in for code coverage: named features an execution reached, such as a decoder
 * state transition, an event in a state, an error kind in a state, a JSON token kind at a nesting
 * level, an escape form, a UTF-8 sequence length, a number at an int64 edge. Counts are bucketed
 * (0, 1, 2, 3, 4-7, 8-15, ... as AFL does) so "one more field" is new only at a power of two.
 *
 * <p>An input that reaches a feature never seen before is kept as a seed.
 */
final class Coverage {
    private final Set<String> seen = new HashSet<>();

    /** Features of one execution, collected before asking which are new. */
    static final class Trace {
        final List<String> features = new ArrayList<>();

        void add(String f) {
            features.add(f);
        }

        void add(String kind, Object a) {
            features.add(kind + ":" + a);
        }

        void add(String kind, Object a, Object b) {
            features.add(kind + ":" + a + ":" + b);
        }
    }

    /** Records the trace's features; returns how many were new. */
    int merge(Trace t) {
        int fresh = 0;
        for (String f : t.features) {
            if (seen.add(f)) {
                fresh++;
            }
        }
        return fresh;
    }

    int size() {
        return seen.size();
    }

    Set<String> features() {
        return seen;
    }

    /** AFL-style bucket of a count. */
    static int bucket(long n) {
        if (n <= 3) {
            return (int) Math.max(0, n);
        }
        return 64 - Long.numberOfLeadingZeros(n); // 4-7 -> 3... shifted by one, distinct per power of two
    }

    private static final Pattern ESCAPE = Pattern.compile("invalid escape \\\\.*");
    private static final Pattern AT_BYTE = Pattern.compile(" at byte \\d+");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern CHAR = Pattern.compile("'.'");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    /** An error message reduced to its kind: offsets, numbers, quotes and bytes replaced by placeholders. */
    static String errorKind(String message) {
        if (message == null) {
            return "null";
        }
        int got = message.indexOf(", got ");
        if (got >= 0) {
            // what follows quotes the peer's bytes or value: keep only what kind of thing it was
            String rest = message.substring(got + 6);
            String[] words = rest.split(" ", 3);
            String what = !rest.isEmpty() && Character.isLetter(rest.charAt(0)) && words.length > 1
                    ? words[0] + " " + words[1] : rest.isEmpty() ? "" : rest.substring(0, 1);
            message = message.substring(0, got + 6) + what;
        }
        String m = AT_BYTE.matcher(message).replaceAll("");
        m = ESCAPE.matcher(m).replaceAll("invalid escape E");
        m = QUOTED.matcher(m).replaceAll("Q");
        m = HEX.matcher(m).replaceAll("X");
        m = CHAR.matcher(m).replaceAll("C");
        m = NUMBER.matcher(m).replaceAll("N");
        return m.length() > 120 ? m.substring(0, 120) : m;
    }

    /** Elements of a container looked at: beyond this a wide header adds nothing new but time. */
    private static final int WALKED_ELEMENTS = 64;
    private static final String[] CHAR_CLASSES = {"ctl", "ascii", "u2", "pair", "u3"};

    /** Features of a parsed JSON value: token kinds by nesting level, string and number shapes. */
    @SuppressWarnings("unchecked")
    static void value(Trace t, Object v, int level) {
        int lvl = Math.min(level, 8) == level ? level : 8 + bucket(level);
        if (v == null) {
            t.add("json", "null", lvl);
        } else if (v instanceof Boolean) {
            t.add("json", "bool", lvl);
        } else if (v instanceof Long) {
            long n = (Long) v;
            String shape = n == Long.MAX_VALUE ? "max" : n == Long.MIN_VALUE ? "min"
                    : n == 0 ? "zero" : (n < 0 ? "neg" : "pos") + bucket(64 - Long.numberOfLeadingZeros(Math.abs(n)));
            t.add("num", shape);
        } else if (v instanceof String) {
            String s = (String) v;
            t.add("str", bucket(s.length()), lvl > 2 ? "deep" : lvl);
            int classes = 0; // one bit per character class seen, so a long string adds at most five features
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                classes |= c < 0x20 ? 1 : c < 0x80 ? 2 : c < 0x800 ? 4 : Character.isSurrogate(c) ? 8 : 16;
            }
            for (int b = 0; b < CHAR_CLASSES.length; b++) {
                if ((classes & (1 << b)) != 0) {
                    t.add("chr", CHAR_CLASSES[b]);
                }
            }
        } else if (v instanceof List) {
            List<Object> l = (List<Object>) v;
            t.add("arr", bucket(l.size()), lvl);
            for (int i = 0; i < Math.min(l.size(), WALKED_ELEMENTS); i++) {
                value(t, l.get(i), level + 1);
            }
        } else if (v instanceof Map) {
            Map<String, Object> m = (Map<String, Object>) v;
            t.add("obj", bucket(m.size()), lvl);
            int walked = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (walked++ == WALKED_ELEMENTS) {
                    break;
                }
                value(t, e.getValue(), level + 1);
            }
        }
    }

    /** Features of the raw JSON bytes: escape forms and UTF-8 lead bytes present. */
    static void rawJson(Trace t, byte[] json) {
        for (int i = 0; i < json.length; i++) {
            int b = json[i] & 0xFF;
            if (b == '\\' && i + 1 < json.length) {
                char e = (char) json[i + 1];
                if (e == 'u' && i + 2 < json.length) {
                    char h = (char) json[i + 2];
                    t.add("esc", "u" + (h == 'd' || h == 'D' ? "D" : "x"));
                } else {
                    t.add("esc", e < 0x20 || e > 0x7E ? "?" : String.valueOf(e));
                }
                i++;
            } else if (b >= 0x80) {
                t.add("utf8lead", b >= 0xF5 ? "bad" : Integer.toHexString(b >> 4));
            }
        }
    }
}

package ferry.protocol.fuzz;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent, slow, obviously-correct reading of Ferry's JSON rules, used as the fuzzer's
 * oracle: {@code JsonReader} must accept exactly what this accepts, with the same value.
 *
 * <p>Written differently on purpose: the UTF-8 check is the JDK's strict decoder (it rejects
 * overlong forms, encoded surrogates and code points above U+10FFFF), the grammar runs on the
 * decoded Java string, and int64 range is checked with BigInteger.
 */
final class ReferenceJson {
    /** Input the oracle rejects, with why. */
    static final class Reject extends Exception {
        private static final long serialVersionUID = 1L;

        Reject(String why) {
            super(why, null, false, false);
        }
    }

    /** Nesting the oracle refuses to judge (it recurses); inputs this deep are compared by outcome class only. */
    static final int ORACLE_MAX_DEPTH = 1000;

    /** Thrown when the input nests deeper than {@link #ORACLE_MAX_DEPTH}. */
    static final class TooDeep extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooDeep() {
            super("too deep for the oracle", null, false, false);
        }
    }

    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final String s;
    private final int maxDepth;
    private int i;

    private ReferenceJson(String s, int maxDepth) {
        this.s = s;
        this.maxDepth = maxDepth;
    }

    /** The value of {@code utf8} under Ferry's rules; {@code objectOnly} for headers. */
    static Object parse(byte[] utf8, int maxDepth, boolean objectOnly) throws Reject {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new Reject("invalid UTF-8");
        }
        ReferenceJson p = new ReferenceJson(text, maxDepth);
        p.ws();
        if (objectOnly && (p.i >= text.length() || text.charAt(p.i) != '{')) {
            throw new Reject("not an object");
        }
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) {
            throw new Reject("trailing");
        }
        return v;
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private char peek() throws Reject {
        if (i >= s.length()) {
            throw new Reject("end");
        }
        return s.charAt(i);
    }

    private Object value(int depth) throws Reject {
        char c = peek();
        if (c == '{' || c == '[') {
            if (depth + 1 > ORACLE_MAX_DEPTH) {
                throw new TooDeep();
            }
            if (depth + 1 > maxDepth) {
                throw new Reject("depth");
            }
            return c == '{' ? object(depth + 1) : array(depth + 1);
        }
        if (c == '"') {
            return string();
        }
        for (String lit : new String[] {"true", "false", "null"}) {
            if (s.startsWith(lit, i)) {
                i += lit.length();
                return lit.equals("null") ? null : Boolean.valueOf(lit);
            }
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        throw new Reject("unexpected");
    }

    private Map<String, Object> object(int depth) throws Reject {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw new Reject("key");
            }
            String k = string();
            ws();
            if (peek() != ':') {
                throw new Reject("colon");
            }
            i++;
            ws();
            Object v = value(depth);
            if (m.containsKey(k)) {
                throw new Reject("duplicate");
            }
            m.put(k, v);
            ws();
            char c = peek();
            i++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new Reject("separator");
            }
        }
    }

    private List<Object> array(int depth) throws Reject {
        i++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth));
            ws();
            char c = peek();
            i++;
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw new Reject("separator");
            }
        }
    }

    private Long number() throws Reject {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == digits) {
            throw new Reject("no digits");
        }
        if (s.charAt(digits) == '0' && i - digits > 1) {
            throw new Reject("leading zero");
        }
        if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            throw new Reject("not an integer");
        }
        BigInteger v = new BigInteger(s.substring(start, i));
        if (v.compareTo(MIN) < 0 || v.compareTo(MAX) > 0) {
            throw new Reject("range");
        }
        return v.longValue();
    }

    private String string() throws Reject {
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            i++;
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new Reject("control");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = peek();
            i++;
            switch (e) {
                case '"': case '\\': case '/': sb.append(e); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u': {
                    char u = hex4();
                    if (Character.isLowSurrogate(u)) {
                        throw new Reject("lone low");
                    }
                    if (Character.isHighSurrogate(u)) {
                        if (!s.startsWith("\\u", i)) {
                            throw new Reject("lone high");
                        }
                        i += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new Reject("bad pair");
                        }
                        sb.append(u).append(low);
                    } else {
                        sb.append(u);
                    }
                    break;
                }
                default:
                    throw new Reject("escape");
            }
        }
    }

    private char hex4() throws Reject {
        if (i + 4 > s.length()) {
            throw new Reject("short hex");
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            char c = s.charAt(i + k);
            int d = "0123456789abcdef".indexOf(Character.toLowerCase(c));
            if (d < 0 || c > 0x7F) {
                throw new Reject("hex");
            }
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }
}

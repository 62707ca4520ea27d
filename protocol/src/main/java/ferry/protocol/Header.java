package ferry.protocol;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON object at the front of every frame: an ordered set of named fields with typed access.
 *
 * <p>Three fields are known to the framing layer: {@code op} (what the frame is), {@code id} (the
 * request it belongs to; responses echo it) and {@code size} (int64 length of the body that
 * follows, absent meaning 0). Everything else belongs to the op; see docs/PROTOCOL.md.
 *
 * <p>Values follow the model of {@link Json}: String, Long, Boolean, null, List, Map. Integers of
 * other widths are stored as Long.
 *
 * <p>Thread safety: none. A Header handed to a handler belongs to it; hand it to another thread
 * only through a safe publication (a queue, an executor).
 */
public final class Header {
    public static final String OP = "op";
    public static final String ID = "id";
    public static final String SIZE = "size";
    private static final int INITIAL_FIELDS = 6;
    /**
     * Past this many fields, lookups go through a hash index. Typical headers have a handful of
     * fields and are scanned linearly without allocating; but a peer can send a 64 KiB header of
     * ~8,000 distinct keys, and the parser checks each key for duplicates, so without the index
     * one such header cost ~130 ms of loop time (quadratic), found by the fuzzer.
     */
    static final int INDEX_THRESHOLD_FIELDS = 16;

    private String[] keys = new String[INITIAL_FIELDS];
    private Object[] values = new Object[INITIAL_FIELDS];
    private int count;
    private HashMap<String, Integer> index; // key -> slot, only while count > INDEX_THRESHOLD_FIELDS

    public Header() {}

    /** A new header with just {@code op}. */
    public static Header op(String op) {
        return new Header().put(OP, op);
    }

    /** A new header {@code {"op":op,"id":id}}, the start of most responses. */
    public static Header reply(String op, long id) {
        return new Header().put(OP, op).put(ID, id);
    }

    /** A deep-enough copy: the field table is copied; nested lists and maps are shared. */
    public Header copy() {
        Header h = new Header();
        h.keys = Arrays.copyOf(keys, Math.max(count, INITIAL_FIELDS));
        h.values = Arrays.copyOf(values, Math.max(count, INITIAL_FIELDS));
        h.count = count;
        if (index != null) {
            h.index = new HashMap<>(index);
        }
        return h;
    }

    public Header clear() {
        Arrays.fill(keys, 0, count, null);
        Arrays.fill(values, 0, count, null);
        count = 0;
        index = null;
        return this;
    }

    /** Sets a field, replacing an existing one of the same name in place. */
    public Header put(String key, Object value) {
        if (key == null) {
            throw new IllegalArgumentException("header field name must not be null");
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            value = ((Number) value).longValue();
        }
        int i = indexOf(key);
        if (i >= 0) {
            values[i] = value;
            return this;
        }
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        keys[count] = key;
        values[count] = value;
        count++;
        if (index != null) {
            index.put(key, count - 1);
        } else if (count > INDEX_THRESHOLD_FIELDS) {
            rebuildIndex();
        }
        return this;
    }

    public Header put(String key, long value) {
        return put(key, (Object) value);
    }

    public Header put(String key, boolean value) {
        return put(key, (Object) value);
    }

    /** Removes a field if present. */
    public Header remove(String key) {
        int i = indexOf(key);
        if (i >= 0) {
            System.arraycopy(keys, i + 1, keys, i, count - i - 1);
            System.arraycopy(values, i + 1, values, i, count - i - 1);
            count--;
            keys[count] = null;
            values[count] = null;
            if (index != null) {
                index = null; // slots after i moved; removal is rare, so rebuild rather than patch
                if (count > INDEX_THRESHOLD_FIELDS) {
                    rebuildIndex();
                }
            }
        }
        return this;
    }

    public boolean has(String key) {
        return indexOf(key) >= 0;
    }

    public Object get(String key) {
        int i = indexOf(key);
        return i >= 0 ? values[i] : null;
    }

    public int fieldCount() {
        return count;
    }

    public String keyAt(int i) {
        return keys[i];
    }

    public Object valueAt(int i) {
        return values[i];
    }

    private void rebuildIndex() {
        index = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            index.put(keys[i], i);
        }
    }

    private int indexOf(String key) {
        if (index != null) {
            Integer i = index.get(key);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < count; i++) {
            String k = keys[i];
            if (k == key || k.equals(key)) {
                return i;
            }
        }
        return -1;
    }

    // ---- well-known fields ------------------------------------------------------------------

    /** The {@code op} field, or null when absent or not a string. */
    public String op() {
        Object v = get(OP);
        return v instanceof String ? (String) v : null;
    }

    /** The {@code id} field, or -1 when absent or not an integer. */
    public long id() {
        Object v = get(ID);
        return v instanceof Long ? (Long) v : -1;
    }

    /** The {@code size} field: the body length in bytes; 0 when absent. */
    public long size() {
        Object v = get(SIZE);
        return v instanceof Long ? (Long) v : 0;
    }

    // ---- typed access for op handlers --------------------------------------------------------

    public String getString(String key, String def) {
        Object v = get(key);
        return v instanceof String ? (String) v : def;
    }

    public long getLong(String key, long def) {
        Object v = get(key);
        return v instanceof Long ? (Long) v : def;
    }

    public boolean getBoolean(String key, boolean def) {
        Object v = get(key);
        return v instanceof Boolean ? (Boolean) v : def;
    }

    /** A string field that must be present: a clear {@code bad_request} error otherwise. */
    public String requireString(String key) throws ProtocolException {
        Object v = get(key);
        if (v instanceof String) {
            return (String) v;
        }
        throw typeError(key, "a string", v);
    }

    /** An optional string field: null when absent, an error when present with another type. */
    public String optString(String key) throws ProtocolException {
        Object v = get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw typeError(key, "a string", v);
    }

    /** An integer field that must be present. */
    public long requireLong(String key) throws ProtocolException {
        Object v = get(key);
        if (v instanceof Long) {
            return (Long) v;
        }
        throw typeError(key, "an integer", v);
    }

    /** An optional integer field: {@code def} when absent, an error when present with another type. */
    public long optLong(String key, long def) throws ProtocolException {
        Object v = get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        throw typeError(key, "an integer", v);
    }

    /** An optional boolean field: {@code def} when absent, an error when present with another type. */
    public boolean optBoolean(String key, boolean def) throws ProtocolException {
        Object v = get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw typeError(key, "a boolean", v);
    }

    /** An optional array field: null when absent, an error when present with another type. */
    @SuppressWarnings("unchecked")
    public List<Object> optList(String key) throws ProtocolException {
        Object v = get(key);
        if (v == null || v instanceof List) {
            return (List<Object>) v;
        }
        throw typeError(key, "an array", v);
    }

    /** An optional object field: null when absent, an error when present with another type. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> optObject(String key) throws ProtocolException {
        Object v = get(key);
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw typeError(key, "an object", v);
    }

    /** Longest quote of an offending value in an error message (it goes back to the peer). */
    private static final int MAX_QUOTED_VALUE_CHARS = 64;

    private static ProtocolException typeError(String key, String wanted, Object got) {
        String what = got == null ? "missing" : "got " + quote(got);
        return new ProtocolException(ProtocolException.BAD_REQUEST,
                "field \"" + key + "\" must be " + wanted + " (" + what + ")");
    }

    private static String quote(Object v) {
        String text;
        try {
            text = Json.write(v);
        } catch (IllegalArgumentException e) {
            text = v.getClass().getSimpleName();
        }
        if (text.length() <= MAX_QUOTED_VALUE_CHARS) {
            return text;
        }
        int end = MAX_QUOTED_VALUE_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never half a character: the message must stay encodable as UTF-8
        }
        return text.substring(0, end) + "...";
    }

    /** An unmodifiable ordered view of the fields (allocates; for logs and tests). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            m.put(keys[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Builds a header from a map, e.g. the result of {@link Json#parse}. */
    public static Header fromMap(Map<String, ?> m) {
        Header h = new Header();
        for (Map.Entry<String, ?> e : m.entrySet()) {
            h.put(e.getKey(), e.getValue());
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header && asMap().equals(((Header) o).asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    /** The compact JSON text of the header. */
    @Override
    public String toString() {
        return Json.write(this);
    }
}

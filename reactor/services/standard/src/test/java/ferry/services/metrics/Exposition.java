package ferry.services.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text format 0.0.4, stricter than Prometheus itself where Ferry's
 * output has no reason to differ: every family has one HELP and one TYPE line before its samples,
 * which are contiguous; names and labels follow the charset; label values use only the three
 * escapes; values are numbers; no series appears twice; counters are not negative; a histogram's
 * buckets have increasing {@code le}, cumulative counts, end with {@code +Inf}, and that bucket
 * equals {@code _count}; the text ends with a newline. Anything else throws
 * {@link IllegalArgumentException} naming the line, so a malformed scrape fails its test.
 */
final class Exposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]Inf");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** A family: its type, help and samples keyed by {@link #key}. */
    record Family(String name, String type, String help, Map<String, Double> samples) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    private Exposition() {}

    static Exposition parse(String text) {
        Exposition e = new Exposition();
        e.read(text);
        return e;
    }

    Family family(String name) {
        Family f = families.get(name);
        if (f == null) {
            throw new AssertionError("no family " + name + " in " + families.keySet());
        }
        return f;
    }

    Set<String> familyNames() {
        return families.keySet();
    }

    /** The value of a series, or null when absent. */
    Double value(String name, String... labels) {
        for (Family f : families.values()) {
            Double v = f.samples().get(key(name, labels));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** A series' canonical key: name and labels sorted by name. */
    static String key(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        return name + sorted;
    }

    private void read(String text) {
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        Family current = null;
        String pendingHelpName = null;
        String pendingHelp = null;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                checkName(p[0], where);
                if (families.containsKey(p[0]) || p[0].equals(pendingHelpName)) {
                    throw new IllegalArgumentException(where + "second HELP for " + p[0]);
                }
                pendingHelpName = p[0];
                pendingHelp = unescape(p.length > 1 ? p[1] : "", where);
                current = null;
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ", -1);
                if (p.length != 2 || !TYPES.contains(p[1])) {
                    throw new IllegalArgumentException(where + "TYPE needs a name and one of " + TYPES);
                }
                checkName(p[0], where);
                if (!p[0].equals(pendingHelpName) || families.containsKey(p[0])) {
                    throw new IllegalArgumentException(where + "TYPE must follow the family's one HELP line");
                }
                current = new Family(p[0], p[1], pendingHelp, new LinkedHashMap<>());
                families.put(p[0], current);
                pendingHelpName = null;
            } else if (line.startsWith("#") || line.isEmpty()) {
                throw new IllegalArgumentException(where + "unexpected comment or empty line");
            } else {
                if (current == null) {
                    throw new IllegalArgumentException(where + "sample outside a family (no TYPE before it)");
                }
                sample(current, line, where);
            }
        }
        if (pendingHelpName != null) {
            throw new IllegalArgumentException("HELP for " + pendingHelpName + " without TYPE");
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
    }

    private static void sample(Family f, String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        checkName(name, where);
        boolean belongs = f.type().equals("histogram")
                ? name.equals(f.name() + "_bucket") || name.equals(f.name() + "_sum") || name.equals(f.name() + "_count")
                : name.equals(f.name());
        if (!belongs) {
            throw new IllegalArgumentException(where + name + " does not belong to " + f.type() + " " + f.name());
        }
        List<String> labels = new ArrayList<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels, where);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException(where + "a space must come before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || !NUMBER.matcher(rest[0]).matches()
                || rest.length == 2 && !rest[1].matches("-?\\d+")) {
            throw new IllegalArgumentException(where + "value (and optional timestamp) malformed");
        }
        double v = Double.parseDouble(rest[0].replace("Inf", "Infinity"));
        if (f.type().equals("counter") && !(v >= 0)) {
            throw new IllegalArgumentException(where + "a counter is never negative");
        }
        String key = key(name, labels.toArray(String[]::new));
        if (f.samples().put(key, v) != null) {
            throw new IllegalArgumentException(where + "series " + key + " appears twice");
        }
    }

    /** Reads {@code name="value",...}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, List<String> out, String where) {
        Set<String> seen = new HashSet<>();
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            Matcher m = LABEL_NAME.matcher(line).region(i, line.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException(where + "bad label name at " + i);
            }
            String label = m.group();
            if (!seen.add(label)) {
                throw new IllegalArgumentException(where + "label " + label + " twice");
            }
            i = m.end();
            if (!line.startsWith("=\"", i)) {
                throw new IllegalArgumentException(where + "label " + label + " needs =\"");
            }
            i += 2;
            StringBuilder v = new StringBuilder();
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException(where + "unterminated label value");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException(where + "dangling backslash");
                    }
                    char e = line.charAt(i++);
                    switch (e) {
                        case '\\' -> v.append('\\');
                        case '"' -> v.append('"');
                        case 'n' -> v.append('\n');
                        default -> throw new IllegalArgumentException(where + "unknown escape \\" + e);
                    }
                } else {
                    v.append(c);
                }
            }
            out.add(label);
            out.add(v.toString());
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException(where + "expected , or } after a label");
            }
        }
    }

    private static String unescape(String s, String where) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = ++i < s.length() ? s.charAt(i) : ' ';
            switch (e) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                default -> throw new IllegalArgumentException(where + "unknown escape in HELP");
            }
        }
        return b.toString();
    }

    private static void checkName(String name, String where) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
    }

    /** Per label set (le aside): increasing le, cumulative counts, +Inf last and equal to _count, a _sum. */
    private static void checkHistogram(Family f) {
        Map<String, List<double[]>> buckets = new HashMap<>(); // other labels -> (le, count)
        Map<String, Double> counts = new HashMap<>();
        Set<String> sums = new HashSet<>();
        for (Map.Entry<String, Double> e : f.samples().entrySet()) {
            String key = e.getKey();
            String name = key.substring(0, key.indexOf('{'));
            Map<String, String> labels = labelsOf(key);
            if (name.endsWith("_bucket")) {
                String le = labels.remove("le");
                if (le == null || !NUMBER.matcher(le).matches()) {
                    throw new IllegalArgumentException(f.name() + ": bucket without a numeric le: " + key);
                }
                buckets.computeIfAbsent(labels.toString(), k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(le.replace("Inf", "Infinity")), e.getValue()});
            } else if (name.endsWith("_count")) {
                counts.put(labels.toString(), e.getValue());
            } else {
                sums.add(labels.toString());
            }
        }
        if (!buckets.keySet().equals(counts.keySet()) || !buckets.keySet().equals(sums)) {
            throw new IllegalArgumentException(f.name() + ": every series needs buckets, _sum and _count");
        }
        for (Map.Entry<String, List<double[]>> e : buckets.entrySet()) {
            List<double[]> b = e.getValue();
            for (int i = 1; i < b.size(); i++) {
                if (!(b.get(i)[0] > b.get(i - 1)[0]) || b.get(i)[1] < b.get(i - 1)[1]) {
                    throw new IllegalArgumentException(f.name() + e.getKey() + ": buckets not increasing in le "
                            + "or not cumulative at " + b.get(i)[0]);
                }
            }
            double[] last = b.get(b.size() - 1);
            if (last[0] != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": the last bucket must be +Inf");
            }
            if (last[1] != counts.get(e.getKey())) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": +Inf bucket " + last[1]
                        + " differs from _count " + counts.get(e.getKey()));
            }
        }
    }

    /** The labels of a {@link #key}, in a mutable sorted map. */
    static Map<String, String> labelsOf(String key) {
        Map<String, String> m = new TreeMap<>();
        String inner = key.substring(key.indexOf('{') + 1, key.length() - 1);
        if (inner.isEmpty()) {
            return m;
        }
        // keys come from TreeMap.toString(): "a=b, c=d"; Ferry's label values hold no ", " or "="
        for (String pair : inner.split(", ")) {
            int eq = pair.indexOf('=');
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return m;
    }
}

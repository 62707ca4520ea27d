package ferry.services.metrics;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes Prometheus' text exposition format, version 0.0.4: per family one {@code # HELP} and one
 * {@code # TYPE} line, then its samples, {@code name{label="value",...} number}. Escapes what the
 * format requires (help: backslash and newline; label values: backslash, double quote, newline)
 * and refuses a bad metric or label name, or a family written twice, at once: a malformed
 * exposition makes Prometheus drop the whole scrape, so a mistake should fail the first test.
 *
 * <p>Threading contract: none; one instance per scrape, on the scraping thread.
 */
public final class PrometheusText {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram");

    private final StringBuilder out = new StringBuilder(16 * 1024);
    private final Set<String> families = new HashSet<>();

    /** Starts a family: its HELP and TYPE lines ({@code type} is counter, gauge or histogram). */
    public PrometheusText family(String name, String type, String help) {
        checkName(name);
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("metric type " + type);
        }
        if (!families.add(name)) {
            throw new IllegalArgumentException("metric family " + name + " written twice");
        }
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample; {@code labels} are name, value pairs. */
    public PrometheusText sample(String name, long value, String... labels) {
        head(name, labels).append(value).append('\n');
        return this;
    }

    /** A sample with a fractional value (seconds). */
    public PrometheusText sample(String name, double value, String... labels) {
        StringBuilder b = head(name, labels);
        if (Double.isNaN(value)) {
            b.append("NaN");
        } else if (Double.isInfinite(value)) {
            b.append(value > 0 ? "+Inf" : "-Inf");
        } else {
            b.append(value); // Double.toString: "0.25", "1.0E-4"; both parse as Go floats
        }
        b.append('\n');
        return this;
    }

    /** The exposition so far. */
    public String text() {
        return out.toString();
    }

    private StringBuilder head(String name, String... labels) {
        checkName(name);
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs: " + labels.length);
        }
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                    throw new IllegalArgumentException("label name '" + labels[i] + "'");
                }
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escapeLabelValue(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        return out.append(' ');
    }

    private void escapeLabelValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private static void checkName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "'");
        }
    }
}

package ferry.cli.args;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How an option's or config key's text becomes a value and back: {@link #parse} for flags and
 * config files, {@link #format} for help defaults and {@code serve --print-config}. Formatting
 * then parsing gives the same value.
 *
 * <p>{@code parse} throws IllegalArgumentException whose message says what was wrong with the
 * text; the caller adds which option it was.
 *
 * @param <T> the value's type
 */
public interface ValueType<T> {
    T parse(String text);

    default String format(T value) {
        return String.valueOf(value);
    }

    /** A whole number in [min, max]. */
    static ValueType<Integer> integer(int min, int max) {
        ValueType<Long> wide = number(min, max);
        return text -> wide.parse(text).intValue();
    }

    /** A whole number in [min, max], 64 bits wide (process ids, request counts). */
    static ValueType<Long> number(long min, long max) {
        return text -> {
            long v;
            try {
                v = Long.parseLong(text.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(text.trim() + " is out of range (" + min + " to " + max + ")");
            }
            return v;
        };
    }

    /** A size in bytes with an optional unit ({@link Units#parseSize}), in [min, max]. */
    static ValueType<Long> size(long min, long max) {
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                long v = Units.parseSize(text);
                if (v < min || v > max) {
                    throw new IllegalArgumentException(text.trim() + " is out of range (" + Units.formatSizeSetting(min)
                            + " to " + Units.formatSizeSetting(max) + ")");
                }
                return v;
            }

            @Override
            public String format(Long value) {
                return Units.formatSizeSetting(value);
            }
        };
    }

    /** A duration with a unit ({@link Units#parseDurationMillis}) in milliseconds, in [min, max]. */
    static ValueType<Long> duration(long minMillis, long maxMillis) {
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                long v = Units.parseDurationMillis(text);
                if (v < minMillis || v > maxMillis) {
                    throw new IllegalArgumentException(text.trim() + " is out of range ("
                            + Units.formatDurationSetting(minMillis) + " to " + Units.formatDurationSetting(maxMillis) + ")");
                }
                return v;
            }

            @Override
            public String format(Long value) {
                return Units.formatDurationSetting(value);
            }
        };
    }

    /**
     * A duration with a unit in nanoseconds, in [min, max]: as {@link #duration} plus {@code us}
     * and {@code ns} ({@link Units#parseDurationNanos}), for measurement windows and timeouts.
     */
    static ValueType<Long> durationNanos(long minNanos, long maxNanos) {
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                long v = Units.parseDurationNanos(text);
                if (v < minNanos || v > maxNanos) {
                    throw new IllegalArgumentException(text.trim() + " is out of range ("
                            + Units.formatDurationNanosSetting(minNanos) + " to " + Units.formatDurationNanosSetting(maxNanos) + ")");
                }
                return v;
            }

            @Override
            public String format(Long value) {
                return Units.formatDurationNanosSetting(value);
            }
        };
    }

    /** Any non-empty text. */
    static ValueType<String> text() {
        return text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return text;
        };
    }

    /** Any text; empty means "none" (an optional file: {@code audit-log = ""} in a printed config). */
    static ValueType<String> textOrNone() {
        return text -> text;
    }

    /** true/false, yes/no, on/off, 1/0 (config files; flags are switches). */
    static ValueType<Boolean> bool() {
        return text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }

    /** A comma-separated list of non-empty words; empty text is the empty list. */
    static ValueType<List<String>> list() {
        return new ValueType<>() {
            @Override
            public List<String> parse(String text) {
                List<String> out = new ArrayList<>();
                for (String part : text.split(",", -1)) {
                    String p = part.trim();
                    if (!p.isEmpty()) {
                        out.add(p);
                    } else if (!text.isBlank()) {
                        throw new IllegalArgumentException("'" + text + "' has an empty item (items are separated by single commas)");
                    }
                }
                return out;
            }

            @Override
            public String format(List<String> value) {
                return String.join(",", value);
            }
        };
    }

    /**
     * A comma-separated list of items of type {@code item}, at least one
     * ({@code --compare nodelay,write-pattern}); a bad item is reported with its own message.
     */
    static <T> ValueType<List<T>> listOf(ValueType<T> item) {
        ValueType<List<String>> words = list();
        return new ValueType<>() {
            @Override
            public List<T> parse(String text) {
                List<T> out = new ArrayList<>();
                for (String w : words.parse(text)) {
                    out.add(item.parse(w));
                }
                if (out.isEmpty()) {
                    throw new IllegalArgumentException("needs at least one item");
                }
                return List.copyOf(out);
            }

            @Override
            public String format(List<T> value) {
                List<String> parts = new ArrayList<>();
                for (T v : value) {
                    parts.add(item.format(v));
                }
                return String.join(",", parts);
            }
        };
    }

    /** The text as a one-item list (for {@link Option#each}, which accumulates the items). */
    static ValueType<List<String>> single() {
        return new ValueType<>() {
            @Override
            public List<String> parse(String text) {
                return List.of(text);
            }

            @Override
            public String format(List<String> value) {
                return String.join(" ", value);
            }
        };
    }

    /** One of a fixed set of lower-case words. */
    static ValueType<String> choice(String... choices) {
        return text -> {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (String c : choices) {
                if (c.equals(t)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", choices));
        };
    }
}

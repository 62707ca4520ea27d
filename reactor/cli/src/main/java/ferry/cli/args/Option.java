package ferry.cli.args;

import java.util.List;

/**
 * One command-line option: its long name ({@code --name}), optional one-letter alias
 * ({@code -n}), the type of its value, its default and its help line.
 *
 * <p>Two kinds: a <em>switch</em> takes no value on the command line ({@code --quiet}; a
 * {@linkplain #negatable() negatable} one also has {@code --no-NAME}) and is true or false in a
 * config file; a <em>valued</em> option takes one ({@code --workers 8}, {@code --workers=8},
 * {@code -c 3}, {@code -c3}). A {@linkplain #repeatable() repeatable} list option accumulates its
 * occurrences ({@code --exec-allow ls --exec-allow df,du}).
 *
 * <p>Configured with the fluent methods while a command is built, read-only afterwards.
 * Thread safety: publish after configuration; then immutable in practice.
 *
 * @param <T> the value's type
 */
public final class Option<T> {
    private final String name;
    private final String metavar; // null for switches
    private final ValueType<T> type;
    private final T defaultValue;
    private final String help;
    private char shortName;
    private boolean negatable;
    private boolean repeatable;
    private String defaultText;
    private String group = "";

    private Option(String name, String metavar, ValueType<T> type, T defaultValue, String help) {
        this.name = name;
        this.metavar = metavar;
        this.type = type;
        this.defaultValue = defaultValue;
        this.help = help;
        this.defaultText = defaultValue == null ? null : type.format(defaultValue);
    }

    /** A switch, false unless given. */
    public static Option<Boolean> flag(String name, String help) {
        Option<Boolean> o = new Option<>(name, null, ValueType.bool(), false, help);
        o.defaultText = null; // "off" goes without saying for a plain switch
        return o;
    }

    /** A switch with a default, turned on with {@code --NAME} and off with {@code --no-NAME}. */
    public static Option<Boolean> toggle(String name, boolean defaultValue, String help) {
        Option<Boolean> o = new Option<>(name, null, ValueType.bool(), defaultValue, help);
        o.negatable = true;
        o.defaultText = defaultValue ? "on" : "off";
        return o;
    }

    /** An option with a value; {@code defaultValue} may be null (no default). */
    public static <T> Option<T> value(String name, String metavar, ValueType<T> type, T defaultValue, String help) {
        return new Option<>(name, metavar, type, defaultValue, help);
    }

    /** A repeatable comma-separated list, empty by default. */
    public static Option<List<String>> list(String name, String metavar, String help) {
        Option<List<String>> o = new Option<>(name, metavar, ValueType.list(), List.of(), help);
        o.repeatable = true;
        o.defaultText = null;
        return o;
    }

    /**
     * A repeatable option whose every occurrence is one item, taken whole (commas and all), empty
     * by default: {@code -e A=1 -e B=x,y}.
     */
    public static Option<List<String>> each(String name, String metavar, String help) {
        Option<List<String>> o = new Option<>(name, metavar, ValueType.single(), List.of(), help);
        o.repeatable = true;
        o.defaultText = null;
        return o;
    }

    public Option<T> shortName(char c) {
        this.shortName = c;
        return this;
    }

    /** Overrides the default shown in help ({@code null} shows none). */
    public Option<T> defaultText(String text) {
        this.defaultText = text;
        return this;
    }

    /** The heading this option is listed under in help. */
    public Option<T> group(String g) {
        this.group = g;
        return this;
    }

    public String name() { return name; }
    public char shortName() { return shortName; }
    public String metavar() { return metavar; }
    public ValueType<T> type() { return type; }
    public T defaultValue() { return defaultValue; }
    public String defaultText() { return defaultText; }
    public String help() { return help; }
    public String group() { return group; }
    public boolean isSwitch() { return metavar == null; }
    boolean negatable() { return negatable; }
    public boolean repeatable() { return repeatable; }

    /** How the option is written in help: {@code -c, --count N} or {@code --[no-]tcp-nodelay}. */
    public String synopsis() {
        StringBuilder sb = new StringBuilder();
        sb.append(shortName != 0 ? "-" + shortName + ", " : "    ");
        sb.append(negatable ? "--[no-]" : "--").append(name);
        if (metavar != null) {
            sb.append(' ').append(metavar);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}

package ferry.cli.args;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of parsing a command line: the options that were given (with their values) and
 * the positional arguments, in order. Options not given read as their defaults.
 *
 * <p>Thread safety: none needed; built and read by the command's thread.
 */
public final class ParsedArgs {
    private final Map<Option<?>, Object> given = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private int positionalsBeforeDashDash = -1;

    /** Whether the option appeared on the command line. */
    public boolean has(Option<?> option) {
        return given.containsKey(option);
    }

    /** The option's value: the one given, else its default. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return given.containsKey(option) ? (T) given.get(option) : option.defaultValue();
    }

    /** The options that were given, in the order first seen. */
    public Map<Option<?>, Object> given() {
        return Collections.unmodifiableMap(given);
    }

    public List<String> positionals() {
        return Collections.unmodifiableList(positionals);
    }

    /** Positional {@code i}, or {@code def} when there are fewer. */
    public String positional(int i, String def) {
        return i < positionals.size() ? positionals.get(i) : def;
    }

    @SuppressWarnings("unchecked")
    public void put(Option<?> option, Object value) {
        if (option.repeatable() && given.containsKey(option)) {
            List<Object> merged = new ArrayList<>((List<Object>) given.get(option));
            merged.addAll((List<Object>) value);
            given.put(option, merged);
        } else {
            given.put(option, value); // a repeated plain option: the last one wins, as in GNU tools
        }
    }

    /**
     * How many positionals came before a {@code --}, or -1 when there was none (a command such as
     * {@code exec HOST -- CMD ARGS} uses it to tell its own arguments from the remote command's).
     */
    int positionalsBeforeDashDash() {
        return positionalsBeforeDashDash;
    }

    void markOptionsEnd() {
        if (positionalsBeforeDashDash < 0) {
            positionalsBeforeDashDash = positionals.size();
        }
    }

    void addPositional(String arg) {
        positionals.add(arg);
    }

    /** Adds everything from {@code other} (options given there override). */
    public void putAll(ParsedArgs other) {
        for (Map.Entry<Option<?>, Object> e : other.given.entrySet()) {
            put(e.getKey(), e.getValue());
        }
        positionals.addAll(other.positionals);
    }
}

package ferry.cli.args;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses command-line arguments against a set of {@link Option}s, GNU style: options and
 * positional arguments may be mixed; {@code --name=value} or {@code --name value}; one-letter
 * switches combine ({@code -qv}); a one-letter option takes its value attached or next
 * ({@code -c3}, {@code -c 3}); {@code --} ends options; a lone {@code -} is positional (stdin or
 * stdout by convention). A repeated option's last value wins, except repeatable lists, which
 * accumulate.
 *
 * <p>Unknown options are errors with a suggestion when one is close ({@link Suggest}).
 *
 * <p>Thread safety: immutable after construction.
 */
public final class ArgParser {
    private final Map<String, Option<?>> byLong = new LinkedHashMap<>();
    private final Map<Character, Option<?>> byShort = new HashMap<>();
    private final Map<String, String> elsewhere;

    /**
     * @param options   the options this command accepts
     * @param elsewhere long option names accepted by other commands, mapped to a hint such as
     *                  "it belongs to 'ferry serve'", for a clearer error when one is misplaced
     */
    public ArgParser(List<Option<?>> options, Map<String, String> elsewhere) {
        for (Option<?> o : options) {
            if (byLong.put(o.name(), o) != null) {
                throw new IllegalStateException("duplicate option --" + o.name());
            }
            if (o.shortName() != 0 && byShort.put(o.shortName(), o) != null) {
                throw new IllegalStateException("duplicate option -" + o.shortName());
            }
        }
        this.elsewhere = elsewhere;
    }

    public ArgParser(List<Option<?>> options) {
        this(options, Map.of());
    }

    /** Parses every argument. */
    public ParsedArgs parse(List<String> args) throws UsageException {
        return parse(args, false);
    }

    /**
     * Parses {@code args}. With {@code stopAtPositional}, parsing stops at the first positional
     * argument, which with everything after it is returned unparsed as positionals (how the root
     * command finds its subcommand).
     */
    public ParsedArgs parse(List<String> args, boolean stopAtPositional) throws UsageException {
        return parse(args, stopAtPositional ? 0 : -1);
    }

    /**
     * Parses {@code args}, stopping option parsing once {@code optionsEndAfter} positional
     * arguments were seen (-1: never): the first positional past that and everything after it
     * are returned unparsed as positionals. 0 is how the root command finds its subcommand;
     * 1 is {@code exec HOST COMMAND ARGS...}.
     */
    public ParsedArgs parse(List<String> args, int optionsEndAfter) throws UsageException {
        ParsedArgs out = new ParsedArgs();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnded || a.equals("-") || !a.startsWith("-")) {
                if (optionsEndAfter >= 0 && out.positionals().size() >= optionsEndAfter) {
                    for (int j = i; j < args.size(); j++) {
                        out.addPositional(args.get(j));
                    }
                    return out;
                }
                out.addPositional(a);
            } else if (a.equals("--")) {
                optionsEnded = true;
                out.markOptionsEnd();
            } else if (a.startsWith("--")) {
                i = parseLong(args, i, out);
            } else {
                i = parseShort(args, i, out);
            }
        }
        return out;
    }

    private int parseLong(List<String> args, int i, ParsedArgs out) throws UsageException {
        String a = args.get(i);
        int eq = a.indexOf('=');
        String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
        String inline = eq < 0 ? null : a.substring(eq + 1);
        Option<?> o = byLong.get(name);
        if (o == null && name.startsWith("no-")) {
            Option<?> positive = byLong.get(name.substring(3));
            if (positive != null && positive.negatable()) {
                if (inline != null) {
                    throw new UsageException("option '--" + name + "' takes no value");
                }
                out.put(positive, false);
                return i;
            }
        }
        if (o == null) {
            throw unknown("--" + name);
        }
        if (o.isSwitch()) {
            if (inline != null) {
                throw new UsageException("option '--" + name + "' takes no value"
                        + (o.negatable() ? " (use --" + name + " or --no-" + name + ")" : ""));
            }
            out.put(o, true);
            return i;
        }
        String value = inline;
        if (value == null) {
            if (i + 1 >= args.size()) {
                throw new UsageException("option '--" + name + "' needs a value (" + o.metavar() + ")");
            }
            value = args.get(++i);
        }
        out.put(o, convert(o, "--" + name, value));
        return i;
    }

    private int parseShort(List<String> args, int i, ParsedArgs out) throws UsageException {
        String a = args.get(i);
        for (int j = 1; j < a.length(); j++) {
            char c = a.charAt(j);
            Option<?> o = byShort.get(c);
            if (o == null) {
                throw unknown("-" + c);
            }
            if (o.isSwitch()) {
                out.put(o, true);
                continue;
            }
            String value;
            if (j + 1 < a.length()) {
                value = a.substring(j + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException("option '-" + c + "' needs a value (" + o.metavar() + ")");
            }
            out.put(o, convert(o, "-" + c, value));
            return i;
        }
        return i;
    }

    private static Object convert(Option<?> o, String written, String value) throws UsageException {
        try {
            return o.type().parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid value for " + written + ": " + e.getMessage());
        }
    }

    private UsageException unknown(String written) {
        String hint = null;
        if (written.startsWith("--")) {
            String name = written.substring(2);
            List<String> names = new ArrayList<>();
            for (Option<?> o : byLong.values()) {
                names.add(o.name());
                if (o.negatable()) {
                    names.add("no-" + o.name());
                }
            }
            String close = Suggest.closest(name, names);
            if (close != null) {
                hint = "did you mean '--" + close + "'?";
            } else if (elsewhere.containsKey(name)) {
                hint = elsewhere.get(name);
            }
        }
        return new UsageException("unknown option '" + written + "'" + (hint == null ? "" : " (" + hint + ")"));
    }
}

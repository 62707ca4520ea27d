package ferry.cli.command;

import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.remote.Remote;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One {@code ferry} subcommand (or a group of them, such as {@code demo}): its name, one-line
 * summary, help text, options and positional arguments, and what it does.
 *
 * <p>A subclass declares its options as fields in its constructor with {@link #option} and
 * reads them in {@link #run} through {@link Invocation#args()}:
 *
 * <pre>{@code
 * final class PingCommand extends Command {
 *     private final Option<Integer> count = option(Option.value("count", "N", ValueType.integer(1, 1000), 4,
 *             "pings to send").shortName('c'));
 *     PingCommand() { super("ping", "measure round trips to a server"); arguments("[HOST]"); }
 *     int run(Invocation inv) { int n = inv.args().get(count); ... }
 * }
 * }</pre>
 *
 * <p>Global options ({@code --help}, {@code --quiet}, ...) are added by {@code Cli}; a command
 * only declares its own. Thread safety: built once, then read-only; {@link #run} runs on the
 * main thread.
 */
public abstract class Command {
    /** Exit status: success. */
    public static final int EXIT_OK = 0;
    /** Exit status: failure at run time (cannot connect, file missing, server refused). */
    public static final int EXIT_FAILURE = 1;
    /** Exit status: usage error (unknown option, bad value, missing argument). */
    public static final int EXIT_USAGE = 2;

    private final String name;
    private final String summary;
    private final List<Option<?>> options = new ArrayList<>();
    private final List<Command> subcommands = new ArrayList<>();
    private final List<String> argNames = new ArrayList<>();
    private int minArgs;
    private int maxArgs;

    protected Command(String name, String summary) {
        this.name = name;
        this.summary = summary;
    }

    /** Declares an option of this command and returns it (to keep as a field). */
    public final <T> Option<T> option(Option<T> o) {
        options.add(o);
        return o;
    }

    /**
     * Declares the positional arguments by their help names: {@code HOST} is required,
     * {@code [LOCAL]} optional, a trailing {@code ARGS...} or {@code [ARGS...]} takes the rest.
     */
    protected final void arguments(String... names) {
        argNames.clear();
        Collections.addAll(argNames, names);
        minArgs = 0;
        maxArgs = 0;
        for (String n : names) {
            boolean optional = n.startsWith("[");
            boolean rest = n.endsWith("...") || n.endsWith("...]");
            if (!optional) {
                minArgs++;
            }
            maxArgs = rest || maxArgs == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxArgs + 1;
        }
    }

    /** Makes this command a group: its first argument names one of its subcommands. */
    public final void subcommand(Command c) {
        subcommands.add(c);
    }

    public String name() { return name; }
    public String summary() { return summary; }
    public List<Option<?>> options() { return Collections.unmodifiableList(options); }
    public List<Command> subcommands() { return Collections.unmodifiableList(subcommands); }
    public List<String> argNames() { return Collections.unmodifiableList(argNames); }
    public int minArgs() { return minArgs; }
    public int maxArgs() { return maxArgs; }

    /**
     * After how many positional arguments option parsing stops for the command line
     * {@code args}, so the rest is passed on as is ({@code ferry exec HOST ls -l}: {@code -l} is
     * the remote command's); -1 (the default) parses options everywhere, up to a {@code --}.
     */
    public int optionsEndAfter(List<String> args) {
        return -1;
    }

    /** Paragraphs shown in help after the usage line; by default the summary. */
    public String description() {
        return capitalize(summary) + ".";
    }

    /** Text shown at the end of help (examples, file formats); none by default. */
    public String epilog() {
        return "";
    }

    /**
     * Runs the command. Returns the exit status ({@link #EXIT_OK} normally); throws
     * {@link UsageException} for bad arguments found late, {@link CliException} for failures the
     * user can act on, anything else for the caller to describe in one line.
     */
    public int run(Invocation inv) throws Exception {
        throw new UsageException("missing command");
    }

    /**
     * Positional {@code i} as a server address ({@link Remote#parseHost}); absent means the
     * default server, 127.0.0.1:7373.
     */
    public static Remote hostArgument(ParsedArgs args, int i) throws UsageException {
        String text = args.positional(i, "");
        try {
            return Remote.parseHost(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}

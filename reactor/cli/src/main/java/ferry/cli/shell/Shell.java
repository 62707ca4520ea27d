package ferry.cli.shell;

import ferry.cli.command.Command;
import ferry.cli.command.CliException;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.HelpPrinter;
import ferry.cli.args.ArgParser;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Suggest;
import ferry.cli.args.UsageException;
import ferry.cli.remote.RemoteClient;
import ferry.cli.remote.RemotePaths;
import ferry.client.RemoteException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read-eval-print loop of {@code ferry shell}, the seed's {@code >>>} prompt grown up: reads
 * lines from stdin, runs each as a {@link ShellAction} against one connection, and keeps going
 * after errors.
 *
 * <p>Interactive when stdin is a terminal: a banner, a prompt {@code ferry HOST:PORT:/CWD> }, errors
 * as {@code error: ...}. Otherwise (a script piped in) it prints no prompt or banner, errors are
 * {@code ferry shell: line N: ...}, and the exit status is 1 if any command failed — the same
 * commands work in both. Lines that are empty or start with {@code #} are skipped.
 *
 * <p>A lost connection is reported once and reopened by the next command that needs it.
 *
 * <p>Thread safety: none; runs on the command's thread.
 */
public final class Shell {
    private final ShellSession session;
    /** Other names for actions, as people type them. */
    private static final Map<String, String> ALIASES = Map.of("exit", "quit", "?", "help");

    private final Map<String, ShellAction> actions = new LinkedHashMap<>();
    private final boolean interactive;
    private final PrintStream err;
    private int lineNo;
    private int failures;

    Shell(ShellSession session) {
        this.session = session;
        this.interactive = session.console().stdinIsTerminal();
        this.err = session.console().err();
        for (ShellAction a : ShellBuiltins.all(this)) {
            actions.put(a.name(), a);
        }
        for (ShellAction a : ShellFileActions.all()) {
            actions.put(a.name(), a);
        }
        session.setErrors(this::error);
    }

    /** Adds an action. */
    void add(ShellAction a) {
        actions.put(a.name(), a);
    }

    List<ShellAction> actions() {
        return new ArrayList<>(actions.values());
    }

    ShellAction find(String name) {
        return actions.get(ALIASES.getOrDefault(name, name));
    }

    UsageException unknown(String name) {
        String close = Suggest.closest(name, actions.keySet());
        return new UsageException("unknown command '" + name + "'"
                + (close != null ? " (did you mean '" + close + "'?)" : " (type 'help' for the commands)"));
    }

    /** Runs until quit or end of input; returns the exit status. */
    int run() throws IOException, CliException {
        RemoteClient first = session.connection(); // a bad address fails the command, not the first line
        PrintStream out = session.out();
        if (interactive && !session.console().quiet()) {
            out.println("Connected to " + first.remote().hostPort() + " (" + first.serverDescription() + ")"
                    + (first.login() != null ? " as " + first.login().user() : "")
                    + ". Type 'help' for commands, 'quit' to leave.");
        }
        ShellInput in = input();
        while (!session.quitting()) {
            String line = in.readLine(interactive
                    ? "ferry " + session.remote().hostPort() + ":" + RemotePaths.shown(session.remoteCwd()) + "> " : null);
            if (line == null) {
                if (interactive) {
                    out.println();
                }
                break;
            }
            lineNo++;
            execute(line);
            out.flush();
        }
        session.disconnect();
        return !interactive && failures > 0 ? Command.EXIT_FAILURE : Command.EXIT_OK;
    }

    /**
     * The line editor when a person types at a terminal that understands escape sequences
     * ({@code TERM} set and not {@code dumb}) and {@code stty} can switch it; plain lines
     * otherwise (pipes, files, tests), exactly as before.
     */
    private ShellInput input() {
        if (interactive) {
            String term = session.console().env("TERM");
            if (term != null && !term.isBlank() && !term.equals("dumb")) {
                try {
                    TerminalMode mode = SttyTerminal.open();
                    List<String> names = new ArrayList<>(actions.keySet());
                    names.addAll(ALIASES.keySet());
                    names.remove("?");
                    return new LineEditor(session.console().in(), session.out(), mode, session.history()::entries,
                            ShellCompleter.of(session, names));
                } catch (IOException e) {
                    session.console().detail("ferry shell: no line editing: " + e.getMessage());
                }
            }
        }
        return ShellInput.plain(new BufferedReader(new InputStreamReader(session.console().in(), Charset.defaultCharset())),
                session.out());
    }

    /** Runs one line: history expansion, splitting, parsing, the action; reports errors. */
    void execute(String rawLine) {
        String line = rawLine.strip();
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        if (ShellHistory.isReference(line)) {
            try {
                line = session.history().expand(line);
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
                return;
            }
            if (interactive) {
                session.out().println(line);
            }
        }
        session.history().add(line);
        List<String> words;
        try {
            words = ShellLexer.split(line);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return;
        }
        if (words.isEmpty()) {
            return;
        }
        ShellAction action = find(words.get(0));
        try {
            if (action == null) {
                throw unknown(words.get(0));
            }
            ParsedArgs args = parse(action, words.subList(1, words.size()));
            action.run(session, args);
        } catch (UsageException | CliException e) {
            error(ErrorMessages.oneLine(e.getMessage()));
        } catch (RemoteException e) {
            error(ErrorMessages.describe(e)); // the server said no; the connection is fine
        } catch (IOException e) {
            session.disconnect();
            error("connection to " + session.remote().hostPort() + " lost: " + ErrorMessages.describe(e)
                    + " (the next command reconnects)");
        } catch (Exception e) {
            error(ErrorMessages.describe(e));
            if (session.console().debug()) {
                e.printStackTrace(err);
            }
        }
    }

    private static ParsedArgs parse(ShellAction a, List<String> words) throws UsageException {
        int optionsEnd = a.optionsEndAfter(words);
        if (asksHelp(words, optionsEnd)) {
            throw new UsageException(HelpPrinter.usageLine(a.name(), a) + " (see 'help " + a.name() + "')");
        }
        ParsedArgs p = new ArgParser(a.options()).parse(words, optionsEnd);
        int n = p.positionals().size();
        if (n < a.minArgs()) {
            throw new UsageException("missing " + a.argNames().get(n).replaceAll("[\\[\\]]", "") + " ("
                    + HelpPrinter.usageLine(a.name(), a) + ")");
        }
        if (n > a.maxArgs()) {
            throw new UsageException("unexpected argument '" + p.positionals().get(a.maxArgs()) + "' ("
                    + HelpPrinter.usageLine(a.name(), a) + ")");
        }
        return p;
    }

    /** Whether -h/--help is among the action's own options (not in what it passes on, as exec's command). */
    private static boolean asksHelp(List<String> words, int optionsEnd) {
        int positionals = 0;
        for (String w : words) {
            if (w.equals("--")) {
                return false;
            }
            if (w.equals("-h") || w.equals("--help")) {
                return true;
            }
            if (!w.startsWith("-") && optionsEnd >= 0 && ++positionals > optionsEnd) {
                return false;
            }
        }
        return false;
    }

    private void error(String message) {
        failures++;
        session.out().flush();
        err.println(interactive ? "error: " + message : "ferry shell: line " + lineNo + ": " + message);
        err.flush();
    }
}

package ferry.cli;

import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.HelpPrinter;
import ferry.cli.command.Invocation;
import ferry.cli.args.ArgParser;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Suggest;
import ferry.cli.args.UsageException;
import ferry.cli.demo.DemoCommand;
import ferry.cli.remote.Authenticator;
import ferry.cli.remote.ExecCommand;
import ferry.cli.remote.InfoCommand;
import ferry.cli.remote.LsCommand;
import ferry.cli.remote.MkdirCommand;
import ferry.cli.remote.MvCommand;
import ferry.cli.remote.PingCommand;
import ferry.cli.remote.RmCommand;
import ferry.cli.remote.ScramLogin;
import ferry.cli.remote.SpeedCommand;
import ferry.cli.remote.StatCommand;
import ferry.cli.remote.TopCommand;
import ferry.cli.serve.AdminCommand;
import ferry.cli.serve.ServeCommand;
import ferry.cli.serve.UserCommand;
import ferry.cli.shell.ShellCommand;
import ferry.cli.sync.SyncCommand;
import ferry.cli.transfer.CpCommand;
import ferry.cli.transfer.GetCommand;
import ferry.cli.transfer.PutCommand;
import ferry.protocol.Preamble;
import ferry.reactor.ServerConfig;
import ferry.reactor.Version;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ferry} command line: global options, dispatch to subcommands, help, exit statuses
 * and error reporting.
 *
 * <p>Conventions (those of git, curl, scp): {@code --help}/{@code -h} on every level prints help
 * to stdout and exits 0; {@code --version} prints the version; errors are ONE line on stderr,
 * {@code ferry CMD: what went wrong}, with a stack trace only under {@code --debug}. Exit status
 * {@value #EXIT_OK} success, {@value #EXIT_FAILURE} failure at run time (cannot connect, file
 * missing, server refused), {@value #EXIT_USAGE} usage error (unknown option, bad value, missing
 * argument, bad config file). Global options may go before or after the command.
 *
 * <p>Adding a command: write a {@link Command} subclass and list it in {@link #commands()}.
 *
 * <p>Thread safety: one {@link #run} per instance, on the calling thread.
 */
public final class Cli {
    public static final int EXIT_OK = Command.EXIT_OK;
    public static final int EXIT_FAILURE = Command.EXIT_FAILURE;
    public static final int EXIT_USAGE = Command.EXIT_USAGE;

    final Option<Boolean> help = Option.flag("help", "show help and exit").shortName('h');
    final Option<Boolean> version = Option.flag("version", "print the version and exit");
    final Option<Boolean> quiet = Option.flag("quiet", "print only warnings and errors").shortName('q');
    final Option<Boolean> verbose = Option.flag("verbose", "print more detail (serve: debug log)").shortName('v');
    final Option<Boolean> debug = Option.flag("debug", "print stack traces with errors");
    final Option<Boolean> noProgress = Option.flag("no-progress", "never draw progress bars");
    private final List<Option<?>> globals = List.of(help, version, quiet, verbose, debug, noProgress);

    private final Console console;
    private final Command root;
    private Authenticator authenticator = new ScramLogin();

    public Cli(Console console) {
        this.console = console;
        this.root = new Command("ferry", "Ferry: a non-blocking file server and framing toolkit") {
            @Override
            public String description() {
                return "Ferry " + Version.VERSION + ": serve folders, move files between computers, run remote "
                        + "commands, over one framed TCP protocol.";
            }

            @Override
            public String epilog() {
                return "A remote is [user@]host[:port]:/path or ferry://[user@]host[:port]/path; host defaults to "
                        + "127.0.0.1 and port to " + ServerConfig.DEFAULT_PORT + ". A HOST argument is "
                        + "[user@]host[:port].\n\n"
                        + "Login: a command logs in when the server requires it (or when you name a user), with "
                        + "FERRY_USER/FERRY_PASSWORD, --credentials FILE or FERRY_CREDENTIALS, "
                        + "~/.config/ferry/credentials, make run's demo credentials (loopback), or a prompt.\n\n"
                        + "Run 'ferry COMMAND --help' for a command's options. New to Ferry? Try 'ferry demo sticky'.\n\n"
                        + "Exit status: 0 success, 1 failure, 2 usage error (ferry exec: the remote command's).";
            }
        };
        for (Command c : commands()) {
            root.subcommand(c);
        }
    }

    /** The subcommands, in the order help lists them. */
    private List<Command> commands() {
        return List.of(
                new ServeCommand(),
                new GetCommand(),
                new PutCommand(),
                new CpCommand(),
                new SyncCommand(),
                new LsCommand(),
                new StatCommand(),
                new RmCommand(),
                new MkdirCommand(),
                new MvCommand(),
                new ExecCommand(),
                new PingCommand(),
                new InfoCommand(),
                new SpeedCommand(),
                new ShellCommand(),
                new UserCommand(),
                new AdminCommand(),
                new TopCommand(),
                new DemoCommand(),
                new HelpCommand(this));
    }

    /** How client commands log in: {@link ScramLogin}, unless a test installs another. */
    public Authenticator authenticator() {
        return authenticator;
    }

    void setAuthenticator(Authenticator a) {
        this.authenticator = a;
    }

    /** What commands may ask their {@link Invocation} for, by type. */
    private Map<Class<?>, Object> services() {
        return Map.of(Authenticator.class, authenticator);
    }

    Console console() {
        return console;
    }

    Command root() {
        return root;
    }

    List<Option<?>> globals() {
        return globals;
    }

    /** Runs the command line and returns the exit status. Never throws. */
    public int run(String... args) {
        String path = "ferry";
        try {
            Command cmd = root;
            List<String> rest = Arrays.asList(args);
            ParsedArgs all = new ParsedArgs();
            while (!cmd.subcommands().isEmpty()) {
                if (wantsHelp(rest, true)) {
                    return printHelp(path, cmd);
                }
                ParsedArgs p = parser(cmd).parse(rest, true);
                all.putAll(withoutPositionals(p));
                applyGlobals(all);
                if (all.get(version)) {
                    return printVersion();
                }
                if (p.positionals().isEmpty()) {
                    if (cmd == root) {
                        console.err().print(HelpPrinter.help(path, cmd, globals, console.columns()));
                        return EXIT_USAGE;
                    }
                    throw new UsageException("missing command (one of " + names(cmd) + ")");
                }
                String name = p.positionals().get(0);
                Command sub = find(cmd, name);
                if (sub == null) {
                    String close = Suggest.closest(name, namesList(cmd));
                    throw new UsageException("unknown command '" + name + "'"
                            + (close != null ? " (did you mean '" + close + "'?)" : " (commands: " + names(cmd) + ")"));
                }
                cmd = sub;
                path = path + " " + name;
                rest = p.positionals().subList(1, p.positionals().size());
            }
            int optionsEnd = cmd.optionsEndAfter(rest);
            if (optionsEnd < 0 ? wantsHelp(rest, false) : helpBeforeArguments(cmd, rest, optionsEnd)) {
                return printHelp(path, cmd);
            }
            ParsedArgs p = parser(cmd).parse(rest, optionsEnd);
            all.putAll(p);
            applyGlobals(all);
            if (all.get(version)) {
                return printVersion();
            }
            int n = p.positionals().size();
            if (n < cmd.minArgs()) {
                throw new UsageException("missing " + cmd.argNames().get(n).replaceAll("[\\[\\]]", "")
                        + " (" + HelpPrinter.usageLine(path, cmd) + ")");
            }
            if (n > cmd.maxArgs()) {
                throw new UsageException("unexpected argument '" + p.positionals().get(cmd.maxArgs()) + "' ("
                        + HelpPrinter.usageLine(path, cmd) + ")");
            }
            int status = cmd.run(new Invocation(console, path, all, services()));
            console.out().flush();
            return status;
        } catch (UsageException e) {
            console.out().flush();
            console.err().println(path + ": " + ErrorMessages.oneLine(e.getMessage()));
            return EXIT_USAGE;
        } catch (Exception | Error e) {
            console.out().flush();
            console.err().println(path + ": " + ErrorMessages.describe(e));
            if (console.debug()) {
                e.printStackTrace(console.err());
            }
            return EXIT_FAILURE;
        }
    }

    private int printHelp(String path, Command cmd) {
        console.out().print(HelpPrinter.help(path, cmd, globals, console.columns()));
        console.out().flush();
        return EXIT_OK;
    }

    private int printVersion() {
        console.out().println("ferry " + Version.VERSION + " (protocol " + Preamble.MAJOR + "." + Preamble.MINOR
                + ", java " + System.getProperty("java.version") + ")");
        return EXIT_OK;
    }

    /**
     * Help for the command named by {@code names} (as in {@code ferry help demo sticky}), or a
     * usage error for an unknown name.
     */
    int help(List<String> names) throws UsageException {
        Command cmd = root;
        String path = "ferry";
        for (String name : names) {
            Command sub = find(cmd, name);
            if (sub == null) {
                String close = Suggest.closest(name, namesList(cmd));
                throw new UsageException("no help for '" + name + "'"
                        + (close != null ? " (did you mean '" + close + "'?)" : " (commands: " + names(cmd) + ")"));
            }
            cmd = sub;
            path += " " + name;
        }
        return printHelp(path, cmd);
    }

    /**
     * For a command that stops parsing options after its own arguments ({@code exec HOST CMD
     * ARGS}): whether {@code --help} is among its own options ({@code ferry exec nas ls --help}
     * runs {@code ls --help} on nas). A usage error in them shows up when the command is parsed.
     */
    private boolean helpBeforeArguments(Command cmd, List<String> rest, int optionsEnd) {
        try {
            return parser(cmd).parse(rest, optionsEnd).get(help);
        } catch (UsageException e) {
            return false;
        }
    }

    /** Whether {@code -h}/{@code --help} appears before {@code --} (or, for groups, before the subcommand). */
    private static boolean wantsHelp(List<String> args, boolean untilPositional) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
            if (untilPositional && !a.startsWith("-")) {
                return false;
            }
        }
        return false;
    }

    private ArgParser parser(Command cmd) {
        List<Option<?>> opts = new ArrayList<>(cmd.options());
        opts.addAll(globals);
        Map<String, String> elsewhere = new LinkedHashMap<>();
        if (!cmd.subcommands().isEmpty()) {
            collectElsewhere(cmd, "ferry", elsewhere);
        }
        return new ArgParser(opts, elsewhere);
    }

    private static void collectElsewhere(Command cmd, String path, Map<String, String> out) {
        for (Command s : cmd.subcommands()) {
            String p = path + " " + s.name();
            for (Option<?> o : s.options()) {
                out.putIfAbsent(o.name(), "it is an option of '" + p + "': put it after the command");
            }
            collectElsewhere(s, p, out);
        }
    }

    private void applyGlobals(ParsedArgs a) throws UsageException {
        if (a.get(quiet) && a.get(verbose)) {
            throw new UsageException("--quiet and --verbose contradict each other");
        }
        console.setVerbosity(a.get(quiet) ? Console.Verbosity.QUIET
                : a.get(verbose) ? Console.Verbosity.VERBOSE : Console.Verbosity.NORMAL);
        console.setDebug(a.get(debug));
        console.setProgressAllowed(!a.get(noProgress));
    }

    private static ParsedArgs withoutPositionals(ParsedArgs p) {
        ParsedArgs q = new ParsedArgs();
        for (Map.Entry<Option<?>, Object> e : p.given().entrySet()) {
            q.put(e.getKey(), e.getValue());
        }
        return q;
    }

    private static Command find(Command group, String name) {
        for (Command c : group.subcommands()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static List<String> namesList(Command group) {
        List<String> names = new ArrayList<>();
        for (Command c : group.subcommands()) {
            names.add(c.name());
        }
        return names;
    }

    private static String names(Command group) {
        return String.join(", ", namesList(group));
    }
}

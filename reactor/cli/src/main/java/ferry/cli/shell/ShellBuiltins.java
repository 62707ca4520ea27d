package ferry.cli.shell;

import ferry.cli.command.HelpPrinter;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.cli.remote.PingCommand;
import ferry.cli.remote.RemoteClient;
import ferry.cli.remote.ScramLogin;
import ferry.cli.remote.ServerInfo;
import ferry.client.LoginResult;
import java.io.PrintStream;
import java.util.List;

/**
 * The shell's own commands: {@code help}, {@code ping}, {@code info}, {@code login},
 * {@code whoami}, {@code history}, {@code quit} (alias {@code exit}). The file and exec commands
 * are in {@link ShellFileActions}.
 */
public final class ShellBuiltins {
    private ShellBuiltins() {}

    static List<ShellAction> all(Shell shell) {
        return List.of(new Help(shell), new Ping(), new Info(), new Login(), new Whoami(), new History(), new Quit());
    }

    static final class Help extends ShellAction {
        private final Shell shell;

        Help(Shell shell) {
            super("help", "list the commands, or show one command's options");
            this.shell = shell;
            arguments("[COMMAND]");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws UsageException {
            PrintStream out = s.out();
            if (!args.positionals().isEmpty()) {
                String name = args.positionals().get(0);
                ShellAction a = shell.find(name);
                if (a == null) {
                    throw shell.unknown(name);
                }
                out.print(HelpPrinter.help(a.name(), a, List.of(), s.console().columns()));
                return;
            }
            out.println("commands:");
            int w = 0;
            for (ShellAction a : shell.actions()) {
                w = Math.max(w, HelpPrinter.usageLine(a.name(), a).length() - "usage: ".length());
            }
            for (ShellAction a : shell.actions()) {
                String usage = HelpPrinter.usageLine(a.name(), a).substring("usage: ".length());
                out.printf("  %-" + w + "s   %s%n", usage, a.summary());
            }
            out.printf("  %-" + w + "s   %s%n", "!N, !-N, !!", "run command N again, the Nth last, the last");
            out.println("'help COMMAND' shows a command's options.");
        }
    }

    static final class Ping extends ShellAction {
        private final Option<Integer> count = option(Option.value("count", "N", ValueType.integer(1, 10_000), 1,
                "round trips").shortName('c'));
        private final Option<Long> size = option(Option.value("size", "SIZE",
                ValueType.size(0, PingCommand.MAX_PAYLOAD_BYTES), 0L, "payload echoed (up to 64k)").shortName('s'));

        Ping() {
            super("ping", "measure a round trip to the server");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            RemoteClient rc = s.connection();
            byte[] payload = new byte[(int) (long) args.get(size)];
            int n = args.get(count);
            for (int i = 1; i <= n; i++) {
                long rtt = PingCommand.once(rc.client(), payload);
                s.out().println("pong from " + rc.remote().hostPort() + ": " + (n > 1 ? "seq=" + i + " " : "")
                        + "time=" + PingCommand.ms(rtt / 1e6) + " ms");
            }
        }
    }

    static final class Info extends ShellAction {
        Info() {
            super("info", "show what the server is and offers");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            ServerInfo.print(s.out(), s.connection());
        }
    }

    static final class Login extends ShellAction {
        Login() {
            super("login", "log in as USER (asks for the password), on a new connection");
            arguments("[USER]");
        }

        @Override
        public String description() {
            return "Log in as USER on a new connection, which replaces the current one once the login succeeds. "
                    + "The password comes from FERRY_PASSWORD, a credentials file for USER, or a prompt without echo. "
                    + "Without USER, the user your credentials name (FERRY_USER, the credentials file) or the one "
                    + "you type.";
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            String user = args.positional(0, null);
            LoginResult r = s.login(user);
            s.out().println("logged in to " + s.remote().hostPort() + " as " + r.user() + " (rights "
                    + ScramLogin.rights(r) + "; home /" + r.home() + ")");
        }
    }

    static final class Whoami extends ShellAction {
        Whoami() {
            super("whoami", "show who this connection is logged in as, and its rights");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            RemoteClient rc = s.connection();
            LoginResult r = rc.login();
            if (r != null) {
                s.out().println(r.user() + " (rights " + ScramLogin.rights(r) + "; home /" + r.home() + ")");
            } else if (rc.user() != null) {
                s.out().println(rc.user() + " (not logged in; 'login USER' to log in)");
            } else {
                s.out().println("(not logged in; 'login USER' to log in)");
            }
        }
    }

    static final class History extends ShellAction {
        History() {
            super("history", "list this session's commands, numbered for !N");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) {
            ShellHistory h = s.history();
            List<String> e = h.entries();
            for (int i = 0; i < e.size(); i++) {
                s.out().printf("%5d  %s%n", h.firstNumber() + i, e.get(i));
            }
        }
    }

    static final class Quit extends ShellAction {
        Quit() {
            super("quit", "leave the shell (also: exit, Ctrl-D)");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) {
            s.quit();
        }
    }
}

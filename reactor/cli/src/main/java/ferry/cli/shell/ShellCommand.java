package ferry.cli.shell;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.remote.ClientFlags;
import ferry.cli.remote.Connector;
import ferry.cli.remote.Remote;

/**
 * {@code ferry shell [HOST]}: an interactive prompt connected to one server ({@link Shell}).
 * Reads commands from stdin, so it also runs scripts: {@code ferry shell nas < commands.txt}.
 */
public final class ShellCommand extends Command {
    private final ClientFlags client = new ClientFlags(this);

    public ShellCommand() {
        super("shell", "interactive prompt connected to a server");
        arguments("[HOST]");
    }

    @Override
    public String description() {
        return "An interactive prompt connected to one server, like sftp: type commands (ls, "
                + "cd, pwd, lcd, lpwd, get, put, stat, mkdir, rm, mv, exec, ping, info, login, whoami, history, !N, "
                + "help, quit) and see their results; errors are reported and the shell goes on. Remote paths are "
                + "relative to the remote working folder (cd), local ones to the local one (lcd). HOST is "
                + "[user@]host[:port], 127.0.0.1:7373 when omitted. It logs in when the server requires it or a user "
                + "is named (see 'ferry --help' for where credentials come from).\n\n"
                + "At a terminal, lines can be edited (arrows, Home/End, Ctrl-A/E/U/K/W), Up/Down recall earlier "
                + "commands, and Tab completes command names and remote paths.\n\n"
                + "Commands come from stdin, so a script works too: without a terminal there is no prompt, errors "
                + "name their line, and the exit status is 1 if any command failed.";
    }

    @Override
    public String epilog() {
        return "Example:\n\n"
                + "  printf 'info\\nping -c 3\\n' | ferry shell 127.0.0.1:7373\n"
                + "  printf 'cd video\\nget -r clips\\n' | ferry shell alice@nas";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        Connector connector = client.connector(inv);
        return new Shell(new ShellSession(inv.console(), connector, remote)).run();
    }
}

package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import java.util.ArrayList;
import java.util.List;

/**
 * The base of the commands that work on files where they are, on the server ({@code ls},
 * {@code stat}, {@code rm}, {@code mkdir}): each REMOTE argument in turn, on one connection per
 * server. A refusal by the server for one argument is one line on stderr and the next argument
 * is still done (exit status 1 at the end), as rm and mkdir do.
 *
 * <p>Thread safety: runs on the command's thread.
 */
public abstract class ServerFileCommand extends Command {
    final ClientFlags client = new ClientFlags(this);

    protected ServerFileCommand(String name, String summary) {
        super(name, summary);
    }

    /** Does the command's work on one argument. */
    abstract void apply(Invocation inv, FileClient fc, Remote remote, int argCount) throws Exception;

    /** Remotes a command without arguments works on: none by default (the argument is required). */
    List<String> defaultArguments() {
        return List.of();
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> args = inv.args().positionals().isEmpty() ? defaultArguments() : inv.args().positionals();
        List<Remote> remotes = new ArrayList<>();
        for (String a : args) {
            remotes.add(client.withUser(RemoteArgs.onServer(a), inv.args()));
        }
        int failed = 0;
        try (Connections conns = new Connections(client.connector(inv))) {
            for (Remote r : remotes) {
                RemoteClient rc = conns.to(r).open();
                try {
                    apply(inv, new FileClient(rc.client()), r, remotes.size());
                } catch (RemoteException e) {
                    failed++;
                    report(inv, r.hostPort() + ": " + ErrorMessages.remote(e));
                } catch (CliException e) {
                    failed++;
                    report(inv, e.getMessage());
                }
            }
        }
        return failed > 0 ? Command.EXIT_FAILURE : Command.EXIT_OK;
    }

    private static void report(Invocation inv, String message) {
        inv.console().out().flush();
        inv.console().err().println(inv.path() + ": " + ErrorMessages.oneLine(message));
        inv.console().err().flush();
    }

    /** {@code 127.0.0.1:7373:/a/b}: a remote as messages show it. */
    static String shown(Remote r) {
        return r.hostPort() + ":" + RemotePaths.shown(r.serverPath());
    }
}

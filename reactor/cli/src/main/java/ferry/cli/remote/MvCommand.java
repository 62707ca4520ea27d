package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.UsageException;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;

/** {@code ferry mv REMOTE TARGET}: renames or moves a file or folder within one server, like mv. */
public final class MvCommand extends Command {
    private final Option<Boolean> noClobber = option(Option.flag("no-clobber",
            "never replace an existing file (the default replaces it, as mv does; that needs the delete right)")
            .shortName('n'));
    private final ClientFlags client = new ClientFlags(this);

    public MvCommand() {
        super("mv", "rename or move a file or folder on a server");
        arguments("REMOTE", "TARGET");
    }

    @Override
    public String description() {
        return "Rename REMOTE ([user@]host[:port]:/path) to TARGET on the same server, atomically. TARGET is a path "
                + "there (a/b or /a/b) or a remote naming the same server; into an existing folder REMOTE keeps its "
                + "name. An existing file is replaced unless -n; folders are never replaced.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry mv nas:/inbox/a.mp4 /video/          # into a folder\n"
                + "  ferry mv nas:/notes.txt nas:/notes-2024.txt";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote from = client.withUser(RemoteArgs.file(inv.args().positionals().get(0), null), inv.args());
        String toArg = inv.args().positionals().get(1);
        String to;
        if (Remote.isRemote(toArg)) {
            Remote t = RemoteArgs.file(toArg, null);
            if (!t.host().equals(from.host()) || t.port() != from.port()) {
                throw new UsageException("mv works within one server: " + t.hostPort() + " is not " + from.hostPort()
                        + " (to copy between servers: ferry cp)");
            }
            to = t.serverPath();
        } else {
            to = RemotePaths.strip(toArg);
        }
        try (Connections conns = new Connections(client.connector(inv))) {
            FileClient fc = new FileClient(conns.to(from).open().client());
            try {
                RemoteFileOps.move(fc, from.serverPath(), to, inv.args().get(noClobber));
            } catch (RemoteException e) {
                if (inv.args().get(noClobber) && ErrorCode.EXISTS.equals(e.code())) {
                    inv.console().detail(inv.path() + ": " + to + " exists, nothing moved (--no-clobber)");
                    return Command.EXIT_OK; // as mv -n: leaving the target alone is what was asked
                }
                throw new CliException(from.hostPort() + ": " + ErrorMessages.remote(e), e);
            }
        }
        return Command.EXIT_OK;
    }
}

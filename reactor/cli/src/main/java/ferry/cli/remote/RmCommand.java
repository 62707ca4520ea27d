package ferry.cli.remote;

import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.client.FileClient;

/** {@code ferry rm [-r] [-f] REMOTE...}: removes files (folders with -r) on a server, like rm. */
public final class RmCommand extends ServerFileCommand {
    private final Option<Boolean> recursive = option(Option.flag("recursive", "remove folders and everything in them")
            .shortName('r'));
    private final Option<Boolean> force = option(Option.flag("force", "a path that does not exist is not an error")
            .shortName('f'));

    public RmCommand() {
        super("rm", "remove files or folders on a server");
        arguments("REMOTE...");
    }

    @Override
    public String description() {
        return "Remove REMOTE ([user@]host[:port]:/path) on the server: a file, or with -r a folder and everything in "
                + "it (symbolic links are removed, never what they point to). Needs the delete right. Your home "
                + "folder itself cannot be removed.";
    }

    @Override
    void apply(Invocation inv, FileClient fc, Remote remote, int argCount) throws Exception {
        RemoteFileOps.remove(fc, remote.serverPath(), shown(remote), inv.args().get(recursive), inv.args().get(force));
    }
}

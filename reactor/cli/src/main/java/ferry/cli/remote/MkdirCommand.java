package ferry.cli.remote;

import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.client.FileClient;

/** {@code ferry mkdir [-p] REMOTE...}: creates folders on a server, like mkdir. */
public final class MkdirCommand extends ServerFileCommand {
    private final Option<Boolean> parents = option(Option.flag("parents",
            "create missing folders on the way too; an existing folder is fine").shortName('p'));

    public MkdirCommand() {
        super("mkdir", "create folders on a server");
        arguments("REMOTE...");
    }

    @Override
    void apply(Invocation inv, FileClient fc, Remote remote, int argCount) throws Exception {
        RemoteFileOps.mkdir(fc, remote.serverPath(), inv.args().get(parents));
    }
}

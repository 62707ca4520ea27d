package ferry.cli.remote;

import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.client.FileClient;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.List;

/** {@code ferry ls [-l] [REMOTE...]}: lists folders on a server (or describes files), like ls. */
public final class LsCommand extends ServerFileCommand {
    private final Option<Boolean> longFormat = option(Option.flag("long",
            "one line per entry: type (d folder, - file), size, modification time, name").shortName('l'));
    private final Option<Boolean> human = option(Option.flag("human", "sizes as 1.5 MiB rather than bytes (with -l)")
            .shortName('H'));
    private int shownSoFar;

    public LsCommand() {
        super("ls", "list a folder on a server");
        arguments("[REMOTE...]");
    }

    @Override
    public String description() {
        return "List the folder REMOTE ([user@]host[:port]:/path, or a server alone for its root; 127.0.0.1:7373 "
                + "when omitted), one name per line, folders ending in '/'; a file is listed by itself. With several "
                + "REMOTEs each listing starts with 'REMOTE:'. Times are local.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry ls nas                   # the root of nas\n"
                + "  ferry ls -l alice@nas:/video";
    }

    @Override
    List<String> defaultArguments() {
        return List.of(":");
    }

    @Override
    void apply(Invocation inv, FileClient fc, Remote remote, int argCount) throws Exception {
        PrintStream out = inv.console().out();
        if (argCount > 1) {
            if (shownSoFar++ > 0) {
                out.println();
            }
            out.println(shown(remote) + ":");
        }
        RemoteFileOps.list(fc, remote.serverPath(), out, inv.args().get(longFormat), inv.args().get(human),
                ZoneId.systemDefault());
    }
}

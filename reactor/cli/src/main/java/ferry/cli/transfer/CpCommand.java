package ferry.cli.transfer;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.UsageException;
import ferry.cli.remote.ClientFlags;
import ferry.cli.remote.Connections;
import ferry.cli.remote.Connector;
import ferry.cli.remote.Remote;
import ferry.cli.remote.RemoteArgs;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ferry cp REMOTE... REMOTE}: copies files (folders with {@code -r}) from one server to
 * another through this computer, without a local copy: each file's GET from the source streams
 * straight into the PUT to the target, one buffer at a time, and the target checks the source's
 * digest before the file appears ({@link ferry.client.ResilientTransfer#copy}).
 */
public final class CpCommand extends Command {
    private final TransferFlags transfer = new TransferFlags(this, true);
    private final ClientFlags client = new ClientFlags(this);

    public CpCommand() {
        super("cp", "copy files or folders from one server to another");
        arguments("REMOTE...", "REMOTE");
    }

    @Override
    public String description() {
        return "Copy files (folders with -r) from one server to another, or within one, through this computer: each "
                + "file streams from the source's download straight into the target's upload, with no copy on the "
                + "local disk, and the target checks the source's digest (SHA-256, or MD5 with --md5) before the file "
                + "appears. Destinations, -n, resuming and retries work as for put: an interrupted copy resumes from "
                + "what the target holds.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry cp nas:/video/big.mp4 laptop:/incoming/\n"
                + "  ferry cp -r alice@a:/photos bob@b:/backup/photos";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> pos = inv.args().positionals();
        if (pos.size() < 2) {
            throw new UsageException("missing REMOTE (usage: ferry cp [OPTIONS] REMOTE... REMOTE)");
        }
        String hint = "ferry cp copies between servers (from here: ferry put; to here: ferry get)";
        Remote target = client.withUser(RemoteArgs.file(pos.get(pos.size() - 1), hint), inv.args());
        List<Remote> sources = new ArrayList<>();
        for (String s : pos.subList(0, pos.size() - 1)) {
            sources.add(client.withUser(RemoteArgs.file(s, hint), inv.args()));
        }
        FileTransfers transfers = FileTransfers.of(inv.console(), inv.path(), transfer, inv.args());
        Connector connector = client.connector(inv);
        try (Connections from = new Connections(connector); Connections to = new Connections(connector)) {
            List<FileTransfers.RemoteFile> files = new ArrayList<>();
            for (Remote r : sources) {
                files.add(new FileTransfers.RemoteFile(from.side(r), r.serverPath()));
            }
            return transfers.copy(files, to.side(target), target.serverPath());
        }
    }
}

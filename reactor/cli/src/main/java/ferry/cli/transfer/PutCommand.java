package ferry.cli.transfer;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.UsageException;
import ferry.cli.remote.ClientFlags;
import ferry.cli.remote.Connections;
import ferry.cli.remote.Remote;
import ferry.cli.remote.RemoteArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code ferry put LOCAL... REMOTE}: uploads files (folders with {@code -r}) to a server,
 * verified by the server before they appear, resumed and retried like {@code get}.
 */
public final class PutCommand extends Command {
    private final TransferFlags transfer = new TransferFlags(this, true);
    private final ClientFlags client = new ClientFlags(this);

    public PutCommand() {
        super("put", "upload files or folders to a server");
        arguments("LOCAL...", "REMOTE");
    }

    @Override
    public String description() {
        return "Upload LOCAL files (folders with -r) to REMOTE ([user@]host[:port]:/path), like scp. Into an existing "
                + "folder a file keeps its name; otherwise REMOTE is the new name. Several LOCALs need an existing "
                + "folder. LOCAL - reads stdin (to its end, into a temp file, then uploads it as REMOTE).\n\n"
                + "The file is hashed first (SHA-256, or MD5 with --md5); the server checks the digest before the file "
                + "appears under its name, replacing an existing one (-n keeps it). An interrupted upload stays on the "
                + "server, invisible, and the next put of the same file resumes it; a lost connection is retried with "
                + "growing waits (--retries, --retry-wait). File modification times are kept (folders' are not: the "
                + "protocol has no way to set them).";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry put big.mp4 nas:/video/                # into a folder\n"
                + "  ferry put -r photos alice@nas:/backup        # a folder tree\n"
                + "  ferry put -n *.iso nas:/isos                 # skip what is there already";
    }

    /**
     * {@code ferry put - REMOTE}: stdin to the file REMOTE. A PUT announces the file's size and
     * digest before its body, so stdin is read to its end into an owner-only temp file first
     * (deleted afterwards), then uploaded and verified like any file.
     */
    private int fromStdin(Invocation inv, Remote target) throws Exception {
        if (target.serverPath().isEmpty() || target.path().endsWith("/")) {
            throw new UsageException("put - (stdin) needs a file name to write: HOST:/path/NAME");
        }
        FileTransfers transfers = FileTransfers.of(inv.console(), inv.path(), transfer, inv.args());
        Path spool = Files.createTempFile("ferry-put-stdin", ".bin"); // owner-only
        try {
            Files.copy(inv.console().in(), spool, StandardCopyOption.REPLACE_EXISTING);
            try (Connections conns = new Connections(client.connector(inv))) {
                return transfers.putAs(spool, "stdin", conns.side(target), target.serverPath());
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> pos = inv.args().positionals();
        if (pos.size() < 2) {
            throw new UsageException("missing REMOTE (usage: ferry put [OPTIONS] LOCAL... REMOTE)");
        }
        Remote target = client.withUser(RemoteArgs.file(pos.get(pos.size() - 1), null), inv.args());
        List<String> locals = pos.subList(0, pos.size() - 1);
        if (locals.equals(List.of("-"))) {
            return fromStdin(inv, target);
        }
        for (String l : locals) {
            if (Remote.isRemote(l)) {
                throw new UsageException("'" + l + "' is a remote; ferry put uploads local files (server to server: "
                        + "ferry cp; prefix ./ for a local name with a colon)");
            }
        }
        FileTransfers transfers = FileTransfers.of(inv.console(), inv.path(), transfer, inv.args());
        try (Connections conns = new Connections(client.connector(inv))) {
            return transfers.put(locals, Path.of(""), conns.side(target), target.serverPath());
        }
    }
}

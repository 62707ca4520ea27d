package ferry.cli.transfer;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.UsageException;
import ferry.cli.remote.ClientFlags;
import ferry.cli.remote.Connections;
import ferry.cli.remote.Remote;
import ferry.cli.remote.RemoteArgs;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code ferry get REMOTE... [LOCAL]}: downloads files (folders with {@code -r}) from servers,
 * verified, resumed after an interruption, retried after a lost connection ({@link FileTransfers}).
 */
public final class GetCommand extends Command {
    private final TransferFlags transfer = new TransferFlags(this, true);
    private final ClientFlags client = new ClientFlags(this);

    public GetCommand() {
        super("get", "download files or folders from a server");
        arguments("REMOTE...", "[LOCAL]");
    }

    @Override
    public String description() {
        return "Download REMOTE ([user@]host[:port]:/path) to LOCAL (default: the current folder), like scp. Into an "
                + "existing folder a file keeps its name; otherwise LOCAL is the new name. Several REMOTEs need an "
                + "existing folder. Folders need -r. LOCAL - writes the file to stdout (verified, not resumed).\n\n"
                + "Each file is verified against the server's digest (SHA-256, or MD5 with --md5) and appears under "
                + "its name only once complete and verified, replacing an existing file (-n keeps it). Until then it is "
                + "NAME.ferry-partial beside it, which the next get of the same file resumes. A lost connection is "
                + "retried with growing waits (--retries, --retry-wait) and the transfer resumes where it stopped.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry get nas:/video/big.mp4                 # to ./big.mp4\n"
                + "  ferry get nas:/video/big.mp4 ~/Movies/       # into a folder\n"
                + "  ferry get -r alice@nas:7373:/photos backup   # a folder tree, to ./backup\n"
                + "  ferry get --md5 nas:/a.iso nas:/b.iso isos/  # several files, verified with MD5";
    }

    /**
     * {@code ferry get REMOTE -}: the file's bytes on stdout as they arrive, verified by the
     * digest computed on the way (a mismatch is an error after the fact: a pipe cannot take bytes
     * back). No progress bar (stdout is the data), no resume, no retry.
     */
    private int toStdout(Invocation inv, List<Remote> remotes) throws Exception {
        if (remotes.size() != 1) {
            throw new UsageException("- (stdout) takes one file");
        }
        Remote r = remotes.get(0);
        if (r.serverPath().isEmpty()) {
            throw new UsageException("- (stdout) takes a file, not " + r.hostPort() + "'s root folder");
        }
        Console console = inv.console();
        try (Connections conns = new Connections(client.connector(inv))) {
            FileTransfers.Side side = conns.side(r);
            FileClient fc = new FileClient(side.conn().connection(),
                    transfer.fileOptions(inv.args()));
            fc.downloadTo(r.serverPath(), console.out());
            return Command.EXIT_OK;
        } catch (RemoteException e) {
            throw new CliException(r.hostPort() + ": " + ErrorMessages.remote(e), e);
        } catch (IOException e) {
            throw new CliException(ErrorMessages.describe(e), e);
        }
    }

    /**
     * Whether the last of several remotes, with no local destination after them, reads as the
     * destination of an scp-style copy between servers ({@code get A:/f B:/}) rather than one more
     * file to download: a folder ({@code B:}, {@code B:/x/}) or another server than the first.
     */
    private static boolean looksLikeADestination(List<Remote> remotes) {
        Remote first = remotes.get(0);
        Remote last = remotes.get(remotes.size() - 1);
        boolean folder = last.serverPath().isEmpty() || last.path().endsWith("/");
        boolean otherServer = !last.hostPort().equals(first.hostPort())
                || !Objects.equals(last.user(), first.user());
        return folder || otherServer;
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> pos = inv.args().positionals();
        String local = null;
        List<String> sources = pos;
        if (pos.size() >= 2 && !Remote.isRemote(pos.get(pos.size() - 1))) {
            local = pos.get(pos.size() - 1);
            sources = pos.subList(0, pos.size() - 1);
        }
        List<Remote> remotes = new ArrayList<>();
        for (String s : sources) {
            remotes.add(client.withUser(RemoteArgs.file(s, "ferry get copies from a server (to upload, use ferry put)"),
                    inv.args()));
        }
        if (local == null && remotes.size() >= 2 && looksLikeADestination(remotes)) {
            throw new UsageException("the last argument " + sources.get(sources.size() - 1) + " is on a server, and "
                    + "ferry get downloads to this computer: to copy between servers use `ferry cp`; to download "
                    + "several files here, end with a local folder (e.g. .)");
        }
        if ("-".equals(local)) {
            return toStdout(inv, remotes);
        }
        FileTransfers transfers = FileTransfers.of(inv.console(), inv.path(), transfer, inv.args());
        try (Connections conns = new Connections(client.connector(inv))) {
            List<FileTransfers.RemoteFile> files = new ArrayList<>();
            for (Remote r : remotes) {
                files.add(new FileTransfers.RemoteFile(conns.side(r), r.serverPath()));
            }
            return transfers.get(files, local, Path.of(""));
        }
    }
}

package ferry.cli.sync;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.UsageException;
import ferry.cli.remote.ClientFlags;
import ferry.cli.remote.Connections;
import ferry.cli.remote.Remote;
import ferry.cli.remote.RemoteArgs;
import ferry.cli.transfer.FileTransfers.RemoteFile;
import ferry.cli.transfer.RemoteSteps;
import ferry.cli.transfer.SkipRule;
import ferry.cli.transfer.TransferFlags;
import ferry.cli.transfer.TransferReport;
import ferry.cli.transfer.UnchangedCheck;
import ferry.client.FileClient;
import ferry.client.ResilientTransfer;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ferry sync SRC DST}: makes the folder DST a copy of the folder SRC, one of them on a
 * server, sending only what differs (rsync's quick check: size and modification time; or
 * digests with {@code --checksum}), optionally deleting what SRC no longer has.
 */
public final class SyncCommand extends Command {
    private final TransferFlags transfer = TransferFlags.forSync(this);
    private final ClientFlags client = new ClientFlags(this);
    private final Option<Boolean> delete = option(Option.flag("delete",
            "delete what DST has and SRC does not (never outside DST; excluded entries are kept)")
            .group("sync"));
    private final Option<Boolean> dryRun = option(Option.flag("dry-run",
            "print what would change, change nothing").group("sync"));
    private final Option<List<String>> exclude = option(Option.each("exclude", "PATTERN",
            "leave out entries matching PATTERN on both sides (repeatable): *.tmp, cache/, /build")
            .group("sync"));

    public SyncCommand() {
        super("sync", "mirror a folder to or from a server, sending only what changed");
        arguments("SRC", "DST");
    }

    @Override
    public String description() {
        return "Make the folder DST a copy of the folder SRC: one is local, the other on a server "
                + "([user@]host[:port]:/path). DST gets SRC's contents (as rsync SRC/ DST) and is created when missing "
                + "(not its parents). A file DST has with the same size and modification time is skipped; the rest is "
                + "sent, verified and resumable as with get and put, keeping modification times so the next sync "
                + "finds it unchanged. --checksum compares digests instead (the server's are cached; local files are "
                + "read), --ignore-times sends everything.\n\n"
                + "Each change is one line on stdout (created, sent, deleted; 'would be ...' with --dry-run), then a "
                + "summary. Symbolic links and special files are skipped. With --delete, entries DST has and SRC lacks "
                + "are deleted, folders with their contents, never outside DST; nothing is deleted when part of SRC "
                + "could not be read. Exit status: 0, 1, or 23 when some files failed and others were synced.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry sync photos nas:/backup/photos             # upload what changed\n"
                + "  ferry sync --delete nas:/music ~/Music           # mirror here, removing what is gone\n"
                + "  ferry sync --dry-run --delete --exclude '*.tmp' site nas:/www";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        String src = inv.args().positional(0, "");
        String dst = inv.args().positional(1, "");
        boolean srcRemote = Remote.isRemote(src);
        if (srcRemote == Remote.isRemote(dst)) {
            throw new UsageException(srcRemote
                    ? "both SRC and DST are on servers: sync needs one local folder (between servers: ferry cp -r)"
                    : "neither SRC nor DST is on a server: name one as host:/path");
        }
        Excludes excludes = Excludes.of(inv.args().get(exclude));
        SkipRule rule = transfer.skipRule(inv.args());
        FileClient.Options options = transfer.fileOptions(inv.args());
        TransferReport report = new TransferReport(inv.console(), inv.path(), true);
        RemoteSteps steps = new RemoteSteps(report, options, transfer.retryPolicy(inv.args()),
                ResilientTransfer.Sleeper.SYSTEM);
        UnchangedCheck digests = new UnchangedCheck(rule, false, steps, report, options.algorithm());
        Remote remote = client.withUser(RemoteArgs.file(srcRemote ? src : dst, null), inv.args());
        try (Connections conns = new Connections(client.connector(inv))) {
            RemoteFile top = new RemoteFile(conns.side(remote), remote.serverPath());
            SyncDirection direction = srcRemote
                    ? new DownloadSync(top, Path.of(dst), dst, steps, report, digests)
                    : new UploadSync(Path.of(src).toAbsolutePath().normalize(), src, top, steps, report, digests);
            boolean del = inv.args().get(delete);
            return new SyncRunner(direction, new SyncPlanner(rule, del), report, excludes, del,
                    inv.args().get(dryRun)).run();
        }
    }
}

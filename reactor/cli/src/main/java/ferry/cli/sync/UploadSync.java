package ferry.cli.sync;

import ferry.cli.command.ErrorMessages;
import ferry.cli.remote.RemotePaths;
import ferry.cli.transfer.FileTransfers.RemoteFile;
import ferry.cli.transfer.RemoteSteps;
import ferry.cli.transfer.TransferReport;
import ferry.cli.transfer.TransferView;
import ferry.cli.transfer.UnchangedCheck;
import ferry.cli.transfer.WalkAborted;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.client.ResilientTransfer;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ferry sync LOCAL HOST:/DIR}: a local folder mirrored to a server. */
final class UploadSync extends SyncDirection {
    /** The source folder; its real path once listed (a link to a folder is walked as that folder). */
    private Path source;
    private final String sourceArg;
    private final RemoteFile dest;
    private final RemoteSteps steps;
    private final TransferReport report;
    private final UnchangedCheck digests;

    UploadSync(Path source, String sourceArg, RemoteFile dest, RemoteSteps steps, TransferReport report,
               UnchangedCheck digests) {
        this.source = source;
        this.sourceArg = sourceArg;
        this.dest = dest;
        this.steps = steps;
        this.report = report;
        this.digests = digests;
    }

    @Override
    String sourceShown() {
        return sourceArg;
    }

    @Override
    String destShown() {
        return dest.shown();
    }

    @Override
    Tree scanSource(Excludes excludes) {
        if (!Files.isDirectory(source)) {
            report.error(null, (Files.exists(source) ? "not a folder: " : "no such folder: ") + sourceArg
                    + " (sync mirrors folders; for one file use ferry put)");
            return null;
        }
        try {
            source = source.toRealPath();
            return LocalTree.scan(source, excludes, (p, e) -> report.error(null, p + ": " + ErrorMessages.describe(e)));
        } catch (IOException e) {
            report.error(null, sourceArg + ": " + ErrorMessages.describe(e));
            return null;
        }
    }

    @Override
    Tree scanDest(Excludes excludes, boolean dryRun) throws WalkAborted {
        FileInfo top = steps.statOrNull(dest);
        if (top == null && steps.failedLast()) {
            return null;
        }
        if (top != null && !top.isDir()) {
            report.error(null, "not a folder: " + dest.shown());
            return null;
        }
        if (top == null) {
            if (dryRun) {
                return new Tree();
            }
            try {
                steps.step(dest.side(), fc -> {
                    fc.mkdir(dest.path(), false);
                    return null;
                });
            } catch (IOException e) {
                report.fail(dest.side().host(), dest.shown(), e);
                return null;
            }
            return new Tree();
        }
        return RemoteTree.scan(steps, report, dest, excludes);
    }

    private RemoteFile remote(TreeEntry e) {
        return new RemoteFile(dest.side(), RemotePaths.join(dest.path(), e.path()));
    }

    @Override
    void mkdir(TreeEntry e) throws IOException {
        RemoteFile r = remote(e);
        try {
            steps.step(r.side(), fc -> {
                fc.mkdir(r.path(), false);
                return null;
            });
        } catch (RemoteException x) {
            if (!ErrorCode.EXISTS.equals(x.code())) {
                throw x;
            }
        }
    }

    @Override
    ResilientTransfer.Result send(TreeEntry e, TransferView view) throws IOException {
        return steps.transfer(dest.side()).upload(source.resolve(e.path()), remote(e).path(), view);
    }

    @Override
    void delete(TreeEntry e) throws IOException {
        RemoteFile r = remote(e);
        steps.step(r.side(), fc -> {
            fc.delete(r.path(), e.isDir());
            return null;
        });
    }

    @Override
    boolean sameDigest(TreeEntry e) throws IOException {
        return digests.remoteDigest(remote(e)).equalsIgnoreCase(digests.localDigest(source.resolve(e.path())));
    }
}

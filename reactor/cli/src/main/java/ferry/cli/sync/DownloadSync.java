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
import ferry.client.ResilientTransfer;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@code ferry sync HOST:/DIR LOCAL}: a server's folder mirrored here. Every local path is
 * resolved inside the destination folder and checked to stay there, and deletions never follow
 * a symbolic link out of it.
 */
final class DownloadSync extends SyncDirection {
    private final RemoteFile source;
    /** The destination folder; its real path once listed (a link to a folder is that folder). */
    private Path dest;
    private final String destArg;
    private final RemoteSteps steps;
    private final TransferReport report;
    private final UnchangedCheck digests;

    DownloadSync(RemoteFile source, Path dest, String destArg, RemoteSteps steps, TransferReport report,
                 UnchangedCheck digests) {
        this.source = source;
        this.dest = dest.toAbsolutePath().normalize();
        this.destArg = destArg;
        this.steps = steps;
        this.report = report;
        this.digests = digests;
    }

    @Override
    String sourceShown() {
        return source.shown();
    }

    @Override
    String destShown() {
        return destArg;
    }

    @Override
    Tree scanSource(Excludes excludes) throws WalkAborted {
        FileInfo top = steps.statOrNull(source);
        if (top == null) {
            if (!steps.failedLast()) {
                report.error(null, "no such folder: " + source.shown());
            }
            return null;
        }
        if (!top.isDir()) {
            report.error(null, "not a folder: " + source.shown() + " (sync mirrors folders; for one file use ferry get)");
            return null;
        }
        return RemoteTree.scan(steps, report, source, excludes);
    }

    @Override
    Tree scanDest(Excludes excludes, boolean dryRun) {
        try {
            if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dest)) {
                report.error(null, "not a folder: " + destArg);
                return null;
            }
            if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                if (!dryRun) {
                    Files.createDirectory(dest);
                }
                return new Tree();
            }
            dest = dest.toRealPath(); // everything below is then checked against the folder itself
            return LocalTree.scan(dest, excludes, (p, e) -> report.error(null, p + ": " + ErrorMessages.describe(e)));
        } catch (IOException e) {
            report.error(null, destArg + ": " + ErrorMessages.describe(e));
            return null;
        }
    }

    /** The local path of {@code e}, refused unless strictly inside the destination folder. */
    private Path local(TreeEntry e) throws IOException {
        Path p = dest.resolve(e.path()).normalize();
        if (!p.startsWith(dest) || p.equals(dest)) {
            throw new IOException("refusing " + e.path() + ": outside " + destArg);
        }
        return p;
    }

    @Override
    void mkdir(TreeEntry e) throws IOException {
        Path p = local(e);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(p);
        }
    }

    @Override
    ResilientTransfer.Result send(TreeEntry e, TransferView view) throws IOException {
        return steps.transfer(source.side()).download(RemotePaths.join(source.path(), e.path()), local(e), view);
    }

    @Override
    void delete(TreeEntry e) throws IOException {
        Path p = local(e);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p); // a link goes, never what it points to
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() { // does not follow links
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    boolean sameDigest(TreeEntry e) throws IOException {
        RemoteFile r = new RemoteFile(source.side(), RemotePaths.join(source.path(), e.path()));
        return digests.remoteDigest(r).equalsIgnoreCase(digests.localDigest(local(e)));
    }
}

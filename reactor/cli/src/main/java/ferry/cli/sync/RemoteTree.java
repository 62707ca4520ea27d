package ferry.cli.sync;

import ferry.cli.command.ErrorMessages;
import ferry.cli.remote.RemotePaths;
import ferry.cli.transfer.FileTransfers.RemoteFile;
import ferry.cli.transfer.FileTransfers.Side;
import ferry.cli.transfer.RemoteSteps;
import ferry.cli.transfer.TransferReport;
import ferry.cli.transfer.WalkAborted;
import ferry.client.FileInfo;
import ferry.client.Listings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists a folder tree on a server for a sync: one LIST per folder, a whole level of folders
 * pipelined at a time ({@link Listings#list(List, int)}), so comparing a tree of thousands of
 * files costs a few round trips per level, not one per file. Entries whose names are not file
 * names ({@code ..}, {@code /}, control characters) are refused and reported.
 */
public final class RemoteTree {
    /** LIST requests in flight at once: enough to hide the round trip, small enough never to fill a socket. */
    static final int LIST_WINDOW = 64;

    private RemoteTree() {}

    /**
     * The tree under the folder {@code top}; a folder that cannot be listed is reported and marks
     * the tree incomplete. A connection lost for good ends it ({@link WalkAborted}).
     */
    public static Tree scan(RemoteSteps steps, TransferReport report, RemoteFile top, Excludes excludes)
            throws WalkAborted {
        Tree tree = new Tree();
        Side side = top.side();
        List<String> level = List.of("");
        while (!level.isEmpty()) {
            List<String> paths = new ArrayList<>(level.size());
            for (String rel : level) {
                paths.add(rel.isEmpty() ? top.path() : RemotePaths.join(top.path(), rel));
            }
            List<Listings.Listing> answers;
            try {
                answers = steps.step(side, fc -> fc.list(paths, LIST_WINDOW));
            } catch (IOException e) {
                report.fail(side.host(), null, e);
                tree.markIncomplete();
                return tree;
            }
            List<String> next = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                addLevel(tree, report, new RemoteFile(side, paths.get(i)), level.get(i), answers.get(i), excludes, next);
            }
            level = next;
        }
        return tree;
    }

    /** Adds the entries of one listed folder ({@code rel} below the top) and queues its folders in {@code next}. */
    private static void addLevel(Tree tree, TransferReport report, RemoteFile dir, String rel, Listings.Listing answer,
                                 Excludes excludes, List<String> next) {
        if (answer.error() != null) {
            tree.markIncomplete();
            report.error(dir.side().host(), dir.shown() + ": " + ErrorMessages.remote(answer.error()));
            return;
        }
        for (FileInfo e : answer.entries()) {
            if (!RemotePaths.isSafeName(e.name())) {
                tree.markIncomplete();
                report.error(null, dir.shown() + " lists an entry named '" + RemotePaths.displayName(e.name())
                        + "', which is not a file name: skipped");
                continue;
            }
            String path = rel.isEmpty() ? e.name() : rel + "/" + e.name();
            TreeEntry entry = e.isDir() ? TreeEntry.dir(path)
                    : e.isFile() ? TreeEntry.file(path, e.fileSize(), e.mtimeMillis())
                    : new TreeEntry(path, TreeEntry.Kind.OTHER, 0, 0, false);
            if (excludes.excludes(path, e.isDir())) {
                tree.add(entry.asExcluded());
            } else {
                tree.add(entry);
                if (e.isDir()) {
                    next.add(path);
                }
            }
        }
    }
}

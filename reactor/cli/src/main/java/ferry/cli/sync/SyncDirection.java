package ferry.cli.sync;

import ferry.cli.transfer.TransferView;
import ferry.cli.transfer.WalkAborted;
import ferry.client.ResilientTransfer;
import java.io.IOException;

/**
 * The side-specific half of a sync: how to list each side, and how to change the destination
 * (create a folder, send a file, delete an entry, compare digests). {@link UploadSync} mirrors a
 * local folder to a server, {@link DownloadSync} a server's folder here.
 */
abstract class SyncDirection {
    /** The source, as the user named it, for messages. */
    abstract String sourceShown();

    /** The destination, as the user named it, for messages. */
    abstract String destShown();

    /** The source's tree; null when its top cannot be read (reported). */
    abstract Tree scanSource(Excludes excludes) throws WalkAborted;

    /**
     * The destination's tree, its top folder created first when missing (unless {@code dryRun}:
     * then a missing top is an empty tree); null when it is unusable (reported).
     */
    abstract Tree scanDest(Excludes excludes, boolean dryRun) throws WalkAborted;

    /** Creates the folder {@code e.path()} in the destination. */
    abstract void mkdir(TreeEntry e) throws IOException;

    /** Sends the source's file {@code e} to the same path in the destination, replacing what is there. */
    abstract ResilientTransfer.Result send(TreeEntry e, TransferView view) throws IOException;

    /** Deletes the destination's {@code e} (a folder with everything in it). */
    abstract void delete(TreeEntry e) throws IOException;

    /** Whether the source's file {@code e} and the destination's have the same digest. */
    abstract boolean sameDigest(TreeEntry e) throws IOException;
}

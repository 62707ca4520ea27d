package ferry.cli.sync;

import java.util.List;

/**
 * What a sync changes in the destination, in the order it is done: {@link #replaced} (entries in
 * the way of a source entry of another kind, only with {@code --delete}), {@link #mkdirs},
 * {@link #sends}, {@link #compares} (same size, digests to compare under {@code --checksum}),
 * then {@link #deletes} (deepest first).
 *
 * @param replaced  destination entries removed so a source entry of another kind can take their place
 * @param mkdirs    folders to create, parents first
 * @param sends     files to send
 * @param compares  files whose digests decide (sent when they differ)
 * @param deletes   destination entries the source no longer has ({@code --delete}), deepest first;
 *                  a folder goes with everything in it
 * @param conflicts source entries that cannot be synced, each with the reason (one error each)
 * @param skipped   source entries that are neither files nor folders (links, devices), not synced
 * @param unchanged files the destination has already
 */
public record SyncPlan(List<TreeEntry> replaced, List<TreeEntry> mkdirs, List<Send> sends, List<TreeEntry> compares,
                       List<TreeEntry> deletes, List<String> conflicts, List<TreeEntry> skipped, int unchanged) {
    /**
     * A file to send.
     *
     * @param source the source's file
     * @param isNew  whether the destination lacks it (else it differs)
     */
    public record Send(TreeEntry source, boolean isNew) {
    }

    /** Whether the destination already matches: nothing to create, send, compare or delete. */
    public boolean inSync() {
        return replaced.isEmpty() && mkdirs.isEmpty() && sends.isEmpty() && compares.isEmpty() && deletes.isEmpty();
    }
}

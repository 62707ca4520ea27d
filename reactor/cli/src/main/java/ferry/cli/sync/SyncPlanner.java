package ferry.cli.sync;

import ferry.cli.transfer.SkipRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Works out a {@link SyncPlan} from the listings of the source and the destination, without
 * touching either: pure, so every rule is tested without sockets or disks.
 *
 * <p>Rules (rsync's): a file the destination lacks is sent; one it has is sent unless unchanged
 * by the {@link SkipRule} (same size and time; or same size, then digests compared; or always
 * sent); a missing folder is created. Excluded entries are neither sent nor deleted, on either
 * side. With {@code delete}, destination entries the source lacks are deleted (a folder with its
 * contents, unless it holds something excluded: then only the rest), and an entry of another kind
 * in a source entry's way is replaced; without it such an entry is a conflict and the source
 * entry (with what is under it) is left out.
 *
 * <p>Thread safety: stateless between calls; one call at a time per instance.
 */
public final class SyncPlanner {
    private final SkipRule rule;
    private final boolean delete;

    public SyncPlanner(SkipRule rule, boolean delete) {
        this.rule = rule;
        this.delete = delete;
    }

    /** The plan that makes {@code dest} a copy of {@code source}. */
    public SyncPlan plan(Tree source, Tree dest) {
        Builder b = new Builder();
        for (TreeEntry s : source.entries()) {
            if (!s.excluded() && !b.underLeftOut(s.path())) {
                planSource(s, dest.get(s.path()), dest, b);
            }
        }
        if (delete) {
            for (TreeEntry d : dest.entries()) {
                if (!d.excluded() && source.get(d.path()) == null && !b.underDeleted(d.path())) {
                    planDelete(d, dest, b);
                }
            }
        }
        b.deletes.sort(Comparator.comparing(TreeEntry::path).reversed()); // children before their folders
        return new SyncPlan(b.replaced, b.mkdirs, b.sends, b.compares, b.deletes, b.conflicts, b.skipped, b.unchanged);
    }

    private void planSource(TreeEntry s, TreeEntry d, Tree dest, Builder b) {
        if (s.kind() == TreeEntry.Kind.OTHER) {
            b.skipped.add(s);
            return;
        }
        if (d != null && d.kind() != s.kind()) {
            if (!delete || d.excluded()) {
                b.conflicts.add(s.path() + ": the destination has a " + kindName(d) + " there"
                        + (d.excluded() ? " (excluded)" : "; --delete replaces it") + ": not synced");
                b.leaveOut(s.path());
                return;
            }
            if (d.isDir() && holdsExcluded(dest, d.path())) {
                b.conflicts.add(s.path() + ": the destination's folder there holds excluded files: not synced");
                b.leaveOut(s.path());
                return;
            }
            b.replaced.add(d);
            b.markDeleted(d.path());
            d = null;
        }
        if (s.isDir()) {
            if (d == null) {
                b.mkdirs.add(s);
            }
        } else if (d == null) {
            b.sends.add(new SyncPlan.Send(s, true));
        } else if (!rule.quickMatch(s.size(), s.mtimeMillis(), d.size(), d.mtimeMillis())) {
            b.sends.add(new SyncPlan.Send(s, false));
        } else if (rule == SkipRule.SAME_DIGEST) {
            b.compares.add(s);
        } else {
            b.unchanged++;
        }
    }

    private static void planDelete(TreeEntry d, Tree dest, Builder b) {
        if (d.isDir() && holdsExcluded(dest, d.path())) {
            return; // kept for its excluded contents; the rest of it is deleted entry by entry
        }
        b.deletes.add(d);
        b.markDeleted(d.path());
    }

    private static boolean holdsExcluded(Tree t, String dir) {
        for (TreeEntry e : t.below(dir)) {
            if (e.excluded()) {
                return true;
            }
        }
        return false;
    }

    private static String kindName(TreeEntry e) {
        return switch (e.kind()) {
            case FILE -> "file";
            case DIR -> "folder";
            case OTHER -> "link or special file";
        };
    }

    /** The plan being built, and the subtrees already decided (deleted, or left out). */
    private static final class Builder {
        final List<TreeEntry> replaced = new ArrayList<>();
        final List<TreeEntry> mkdirs = new ArrayList<>();
        final List<SyncPlan.Send> sends = new ArrayList<>();
        final List<TreeEntry> compares = new ArrayList<>();
        final List<TreeEntry> deletes = new ArrayList<>();
        final List<String> conflicts = new ArrayList<>();
        final List<TreeEntry> skipped = new ArrayList<>();
        int unchanged;
        private final Set<String> deleted = new HashSet<>();
        private final Set<String> leftOut = new HashSet<>();

        void markDeleted(String path) {
            deleted.add(path);
        }

        void leaveOut(String path) {
            leftOut.add(path);
        }

        boolean underDeleted(String path) {
            return under(deleted, path);
        }

        boolean underLeftOut(String path) {
            return under(leftOut, path);
        }

        /** Whether a folder above {@code path} is one of {@code tops}: one look-up per level of depth. */
        private static boolean under(Set<String> tops, String path) {
            if (tops.isEmpty()) {
                return false;
            }
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                if (tops.contains(path.substring(0, slash))) {
                    return true;
                }
            }
            return false;
        }
    }
}

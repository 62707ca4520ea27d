package ferry.cli.sync;

import java.util.Collection;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The listing of one side of a sync: every entry under the top folder by relative path.
 *
 * <p>Paths are kept in {@code String} order, in which the descendants of {@code a} are exactly
 * the paths from {@code "a/"} up to (not including) {@code "a0"} ({@code '0'} follows
 * {@code '/'}), so a folder's subtree is one range.
 *
 * <p>Thread safety: none; built by one scanner, then read.
 */
public final class Tree {
    private final NavigableMap<String, TreeEntry> entries = new TreeMap<>();
    private boolean complete = true;

    public void add(TreeEntry e) {
        entries.put(e.path(), e);
    }

    public TreeEntry get(String path) {
        return entries.get(path);
    }

    /** Something under the top could not be read (reported): the listing may lack entries. */
    public void markIncomplete() {
        complete = false;
    }

    /** Whether every folder was read: only then may a sync delete what this side lacks. */
    public boolean complete() {
        return complete;
    }

    public int size() {
        return entries.size();
    }

    /** All entries, parents before their children. */
    public Collection<TreeEntry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    /** The entries below the folder {@code dir}, parents before children. */
    public Collection<TreeEntry> below(String dir) {
        return Collections.unmodifiableCollection(entries.subMap(dir + "/", true, dir + "0", false).values());
    }
}

package ferry.cli.sync;

/**
 * One file or folder of a tree being synced, by its path relative to the tree's top.
 *
 * @param path        relative path, {@code /}-separated, never empty, no {@code .} or {@code ..}
 * @param kind        file, folder, or anything else (links, devices: never synced)
 * @param size        bytes (files)
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param excluded    whether an {@code --exclude} pattern matched it: it is neither sent nor
 *                    deleted, and a folder of it was not listed
 */
public record TreeEntry(String path, Kind kind, long size, long mtimeMillis, boolean excluded) {
    /** What an entry is. */
    public enum Kind { FILE, DIR, OTHER }

    public static TreeEntry file(String path, long size, long mtimeMillis) {
        return new TreeEntry(path, Kind.FILE, size, mtimeMillis, false);
    }

    public static TreeEntry dir(String path) {
        return new TreeEntry(path, Kind.DIR, 0, 0, false);
    }

    public boolean isFile() {
        return kind == Kind.FILE;
    }

    public boolean isDir() {
        return kind == Kind.DIR;
    }

    /** This entry, marked as excluded. */
    public TreeEntry asExcluded() {
        return new TreeEntry(path, kind, size, mtimeMillis, true);
    }

    /** The path of the folder holding {@code path}, or "" at the top. */
    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}

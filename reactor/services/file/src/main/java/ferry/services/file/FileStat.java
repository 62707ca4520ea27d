package ferry.services.file;

import ferry.protocol.FileProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A snapshot of a file's metadata: what STAT and LIST report, and what identifies a version of a
 * file's contents for the digest cache (size, mtime, and where the platform has them the change
 * time and inode, so a file rewritten in place with its mtime put back still counts as changed).
 *
 * <p>Immutable. {@link #read} touches the disk: worker threads only.
 */
record FileStat(String type, long size, long mtimeNanos, long ctimeNanos, Object fileKey) {
    /** Whether the "unix" attribute view (with ctime) works here; probed once. */
    private static volatile Boolean unixView;

    public boolean isFile() {
        return FileProtocol.TYPE_FILE.equals(type);
    }

    public boolean isDir() {
        return FileProtocol.TYPE_DIR.equals(type);
    }

    public long mtimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(mtimeNanos);
    }

    /** Reads {@code path}'s attributes, following a final symlink unless {@code options} say not to. */
    public static FileStat read(Path path, LinkOption... options) throws IOException {
        if (!Boolean.FALSE.equals(unixView)) {
            try {
                Map<String, Object> a = Files.readAttributes(path,
                        "unix:size,lastModifiedTime,ctime,fileKey,isDirectory,isRegularFile", options);
                unixView = Boolean.TRUE;
                return new FileStat(type((Boolean) a.get("isRegularFile"), (Boolean) a.get("isDirectory")),
                        (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                        nanos((FileTime) a.get("ctime")), a.get("fileKey"));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                unixView = Boolean.FALSE; // not a Unix filesystem provider: basic attributes only
            }
        }
        BasicFileAttributes b = Files.readAttributes(path, BasicFileAttributes.class, options);
        return new FileStat(type(b.isRegularFile(), b.isDirectory()), b.size(), nanos(b.lastModifiedTime()),
                -1, b.fileKey());
    }

    /** From attributes already read (a walk's {@code fstatat}); no change time (-1). */
    public static FileStat of(BasicFileAttributes b) {
        return new FileStat(type(b.isRegularFile(), b.isDirectory()), b.size(), nanos(b.lastModifiedTime()), -1,
                b.fileKey());
    }

    /**
     * The walked attributes {@code a} of {@code real}, with the change time from a stat by path
     * if that describes the same file (device, inode, size, mtime); else without it (-1).
     */
    static FileStat withChangeTime(Path real, BasicFileAttributes a) {
        try {
            FileStat byPath = read(real, LinkOption.NOFOLLOW_LINKS);
            if (a.fileKey() != null && a.fileKey().equals(byPath.fileKey())
                    && a.size() == byPath.size() && nanos(a.lastModifiedTime()) == byPath.mtimeNanos()) {
                return byPath;
            }
        } catch (IOException redirectedOrGone) {
            // the walked stat stands on its own
        }
        return of(a);
    }

    private static String type(boolean file, boolean dir) {
        return file ? FileProtocol.TYPE_FILE : dir ? FileProtocol.TYPE_DIR : FileProtocol.TYPE_OTHER;
    }

    private static long nanos(FileTime t) {
        return t == null ? -1 : t.to(TimeUnit.NANOSECONDS);
    }
}

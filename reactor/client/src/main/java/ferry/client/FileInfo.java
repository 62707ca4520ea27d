package ferry.client;

/**
 * A file or folder on the server, as STAT and LIST describe it.
 *
 * @param name      last name of the path ("." for the home folder)
 * @param type      {@code file}, {@code dir} or {@code other}
 * @param fileSize  size in bytes (64-bit)
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param digest    hex digest when one was asked for, else null
 */
public record FileInfo(String name, String type, long fileSize, long mtimeMillis, String digest) {
    public boolean isFile() {
        return "file".equals(type);
    }

    public boolean isDir() {
        return "dir".equals(type);
    }
}

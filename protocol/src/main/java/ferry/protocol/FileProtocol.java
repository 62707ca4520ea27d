package ferry.protocol;

import java.util.Comparator;

/**
 * Op and field names of the file service (docs/PROTOCOL.md, "Files"), shared by the server and
 * the client so the two cannot drift apart. The frame's own {@code size} is always the body
 * length; the size of a file is {@link #FILE_SIZE}.
 */
public final class FileProtocol {
    /** The word HELLO lists when the file service is installed. */
    public static final String FEATURE = "files";

    // ---- requests
    public static final String GET = "GET";
    public static final String PUT = "PUT";
    public static final String PARTIAL = "PARTIAL";
    public static final String STAT = "STAT";
    public static final String LIST = "LIST";
    public static final String MKDIR = "MKDIR";
    public static final String DELETE = "DELETE";
    public static final String RENAME = "RENAME";
    public static final String HASH = "HASH";

    // ---- answers (besides the request names that answer themselves: STAT, LIST, HASH, PARTIAL)
    /** GET's answer: the header of the file body. */
    public static final String FILE = "FILE";
    /** The answer of ops that only succeed or fail: PUT, MKDIR, DELETE, RENAME. */
    public static final String OK = "OK";

    // ---- fields
    public static final String PATH = "path";
    public static final String FROM = "from";
    public static final String TO = "to";
    public static final String OFFSET = "offset";
    public static final String LENGTH = "length";
    public static final String FILE_SIZE = "fileSize";
    public static final String MTIME = "mtime";
    public static final String TYPE = "type";
    public static final String NAME = "name";
    public static final String ALGORITHM = "algorithm";
    public static final String DIGEST = "digest";
    public static final String EXPECT = "expect";
    public static final String OVERWRITE = "overwrite";
    public static final String PARENTS = "parents";
    public static final String RECURSIVE = "recursive";
    public static final String COUNT = "count";
    public static final String CACHED = "cached";
    /** In a PUT's {@code conflict} ERROR: how many bytes of the upload the server holds. */
    public static final String HAVE = "have";

    // ---- values of "type"
    public static final String TYPE_FILE = "file";
    public static final String TYPE_DIR = "dir";
    public static final String TYPE_OTHER = "other";

    /**
     * The order of LIST's entries: by Unicode code point, which is the order of the names' UTF-8
     * bytes, so a client in any language can sort the same way. (Java's {@code String.compareTo}
     * compares UTF-16 units and would put U+1F600 before U+FF21.)
     */
    public static final Comparator<String> NAME_ORDER = FileProtocol::compareCodePoints;

    /**
     * The latest {@code mtime} a PUT may set: the last whole millisecond that int64 nanoseconds since
     * the epoch can hold (2262-04-11T23:47:16.854Z), where file times are kept. Later times cannot be
     * stored as asked.
     */
    public static final long MAX_MTIME_MILLIS = Long.MAX_VALUE / 1_000_000;

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private FileProtocol() {}
}

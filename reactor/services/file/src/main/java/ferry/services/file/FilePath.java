package ferry.services.file;

import java.nio.file.Path;

/**
 * A request path that passed {@link PathResolver}'s lexical checks. Not yet checked against
 * symlinks: that needs the disk, so it happens on a worker ({@link PathResolver#confine}).
 *
 * @param rootRelative normalized path under the server root with '/' separators ("" is the root)
 * @param shown        the path as the client sees it, relative to its home ("." for the home itself)
 * @param lexical      absolute path under the root, no symlinks resolved
 * @param home         absolute path of the user's home folder, no symlinks resolved
 */
record FilePath(String rootRelative, String shown, Path lexical, Path home) {
    /** Whether this names the user's home folder itself. */
    public boolean isHome() {
        return lexical.equals(home);
    }

    /** The last name of the path ("" for the root). */
    public String name() {
        Path n = lexical.getFileName();
        return n == null ? "" : n.toString();
    }

    @Override
    public String toString() {
        return shown;
    }
}

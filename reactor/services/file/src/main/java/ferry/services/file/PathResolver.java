package ferry.services.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Confines every request path to the server root and to the user's home folder inside it.
 *
 * <p>Three stages, because only the later ones need the disk:
 * <ol>
 *   <li>{@link #resolve} (lexical, cheap, runs on the loop): refuses NUL bytes, backslashes,
 *       control characters, absolute paths, {@code ..}, over-long names and paths, and the
 *       service's reserved temp names; "." and empty segments are dropped.</li>
 *   <li>{@link #confine} / {@link #confineTarget} (on a worker): resolve symlinks and refuse a
 *       path whose real location is outside the home folder (a symlink pointing out). The result
 *       is a real path: where the request leads, with the links that stay inside resolved.</li>
 *   <li>{@link #files()} (on a worker): every access to that real path walks it from an open
 *       handle of the root without following any symlink ({@link RootFiles}). Between stage 2
 *       and the access someone may swap a folder for a symlink; the access then fails instead of
 *       following it. Where the platform has no folder handles, accesses go by path and that
 *       race stays open.</li>
 * </ol>
 *
 * <p>Thread safety: immutable; safe from any thread.
 */
final class PathResolver {
    private final Path realRoot;
    private final int maxPathBytes;
    private final int maxNameBytes;
    private final RootFiles files;

    /**
     * With the platform's folder handles where it has them, opening files with the default opener.
     *
     * @param realRoot the root with symlinks already resolved ({@code toRealPath})
     */
    public PathResolver(Path realRoot, int maxPathBytes, int maxNameBytes) throws IOException {
        this(realRoot, maxPathBytes, maxNameBytes, RootFiles.probe(realRoot, FileOpener.DEFAULT));
    }

    /** @param files how the confined paths are accessed; its root must be {@code realRoot} */
    PathResolver(Path realRoot, int maxPathBytes, int maxNameBytes, RootFiles files) {
        if (!files.root().equals(realRoot)) {
            throw new IllegalArgumentException("the files' root " + files.root() + " is not " + realRoot);
        }
        this.realRoot = realRoot;
        this.maxPathBytes = maxPathBytes;
        this.maxNameBytes = maxNameBytes;
        this.files = files;
    }

    public Path root() {
        return realRoot;
    }

    /** Disk access to the paths {@link #confine} returns, following no symlink. Worker threads. */
    RootFiles files() {
        return files;
    }

    /**
     * Checks {@code requested} (relative to {@code home}, which is relative to the root) without
     * touching the disk.
     *
     * @throws OpException {@code bad_request} for malformed paths, {@code forbidden} for attempts
     *     to leave the home folder or to name a reserved file
     */
    public FilePath resolve(String home, String requested) throws OpException {
        String homeRel = normalize(home == null ? "" : home, "home folder", true);
        String rel = normalize(requested, "path", false);
        String rootRel = homeRel.isEmpty() ? rel : rel.isEmpty() ? homeRel : homeRel + "/" + rel;
        Path homePath = homeRel.isEmpty() ? realRoot : realRoot.resolve(homeRel);
        Path lexical = rel.isEmpty() ? homePath : homePath.resolve(rel);
        return new FilePath(rootRel, rel.isEmpty() ? "." : rel, lexical, homePath);
    }

    private String normalize(String p, String what, boolean trusted) throws OpException {
        int bytes = utf8Length(p);
        if (bytes > maxPathBytes) {
            throw bad(what + " is " + bytes + " bytes of UTF-8, over the limit of " + maxPathBytes);
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == 0) {
                throw bad(what + " contains a NUL byte at character " + i);
            }
            if (c == '\\') {
                throw bad(what + " contains a backslash at character " + i + ": use '/' to separate folders");
            }
            if (isControl(c)) {
                throw bad(what + " contains control character U+" + String.format("%04X", (int) c) + " at character " + i
                        + ": names cannot hold control characters");
            }
        }
        if (p.startsWith("/")) {
            throw OpException.forbidden("absolute paths are refused: \"" + p + "\"; paths are relative to your folder");
        }
        StringBuilder out = new StringBuilder(p.length());
        int start = 0;
        while (start <= p.length()) {
            int slash = p.indexOf('/', start);
            int end = slash < 0 ? p.length() : slash;
            String seg = p.substring(start, end);
            start = end + 1;
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                throw OpException.forbidden("\"..\" is refused in " + what + " \"" + p + "\": paths stay inside your folder");
            }
            int nameBytes = utf8Length(seg);
            if (nameBytes > maxNameBytes) {
                throw bad("a name in the " + what + " is " + nameBytes + " bytes of UTF-8, over the limit of "
                        + maxNameBytes + ": \"" + seg.substring(0, quotedEnd(seg)) + "...\"");
            }
            if (!trusted && UploadTemps.isTempName(seg)) {
                throw OpException.forbidden("\"" + seg + "\" is reserved for uploads in progress");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(seg);
        }
        return out.toString();
    }

    /**
     * Resolves symlinks and checks the real location stays inside the home folder. Returns the
     * entry to operate on: the real parent folder plus the final name (a final symlink that stays
     * inside is itself the entry: renamed, replaced or deleted, never followed), or the real home
     * for the home itself. For the namespace ops and uploads; reads use {@link #confineTarget}.
     * Access the result through {@link #files()}. Worker thread.
     *
     * @throws OpException {@code forbidden} if a symlink leads outside, {@code not_found} if the home is missing
     */
    public Path confine(FilePath fp) throws OpException, IOException {
        return confine(fp, false);
    }

    /**
     * As {@link #confine}, but a final symlink (that stays inside the home folder) is followed:
     * the result is the real path of what the request reads, with no symlink left in it. For
     * GET, STAT, LIST and HASH. Worker thread.
     *
     * @throws OpException {@code forbidden} if a symlink leads outside, {@code not_found} if the
     *     home is missing or the final name is a dangling symlink
     */
    public Path confineTarget(FilePath fp) throws OpException, IOException {
        return confine(fp, true);
    }

    private Path confine(FilePath fp, boolean followFinal) throws OpException, IOException {
        Path realHome;
        try {
            realHome = fp.home().toRealPath();
        } catch (NoSuchFileException e) {
            throw OpException.notFound("your home folder does not exist on the server");
        }
        if (!realHome.startsWith(realRoot)) {
            throw OpException.forbidden("your home folder leads outside the served root");
        }
        if (fp.isHome()) {
            return realHome;
        }
        // The deepest folder on the path that exists, with every symlink on the way resolved.
        Path parent = fp.lexical().getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        Path realExisting = existing == null ? null : existing.toRealPath();
        if (realExisting == null || !realExisting.startsWith(realHome)) {
            throw OpException.forbidden("\"" + fp.shown() + "\" leads outside your folder through a symlink");
        }
        Path realParent = realExisting.resolve(existing.relativize(parent));
        Path target = realParent.resolve(fp.lexical().getFileName().toString());
        if (Files.isSymbolicLink(target)) {
            Path real;
            try {
                real = target.toRealPath();
            } catch (NoSuchFileException e) {
                throw OpException.notFound("\"" + fp.shown() + "\" is a symlink to something that does not exist");
            }
            if (!real.startsWith(realHome)) {
                throw OpException.forbidden("\"" + fp.shown() + "\" is a symlink leading outside your folder");
            }
            return followFinal ? real : target;
        }
        return target;
    }

    /** The root-relative name of a real path inside the root, with '/' separators. */
    public String rootRelative(Path real) {
        Path rel = realRoot.relativize(real);
        return rel.toString().replace(File.separatorChar, '/');
    }

    /**
     * Whether {@code c} is a Unicode control character (general category Cc: U+0000-U+001F,
     * U+007F and the C1 range U+0080-U+009F). All are refused in names: C0 ones break lines and
     * logs, and C1 ones are as dangerous on a terminal (U+009B is the 8-bit CSI that starts an
     * escape sequence) while looking like ordinary non-ASCII text to a byte check.
     */
    static boolean isControl(char c) {
        return Character.getType(c) == Character.CONTROL;
    }

    /** Characters of an over-long name quoted in the refusal. */
    private static final int QUOTED_NAME_CHARS = 40;

    /** Where to cut {@code seg} for quoting: never inside a surrogate pair (the message must stay valid UTF-8). */
    private static int quotedEnd(String seg) {
        int end = Math.min(QUOTED_NAME_CHARS, seg.length());
        return end < seg.length() && Character.isHighSurrogate(seg.charAt(end - 1)) ? end - 1 : end;
    }

    private static OpException bad(String message) {
        return new OpException(ErrorCode.BAD_REQUEST, message);
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

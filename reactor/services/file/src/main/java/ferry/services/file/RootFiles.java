package ferry.services.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every disk access of the file service to a path {@link PathResolver} confined, made without
 * following any symlink, so that nobody can redirect it by swapping a folder for a symlink after
 * the check: the race the check alone cannot close.
 *
 * <p><b>How.</b> Where {@link Files#newDirectoryStream} gives a {@link SecureDirectoryStream}
 * (Linux), each access opens the root, walks the path one name at a time from the open folder
 * handle ({@code fstatat} to see that the name is a real folder, then {@code openat} with
 * {@code O_NOFOLLOW}), and acts on the last name relative to the folder holding it
 * ({@code openat}, {@code fstatat}, {@code unlinkat}, {@code renameat}, all without following).
 * Whatever changes on the disk meanwhile, an access reaches only what hangs below the root's
 * folders: a name that has become a symlink makes it fail ({@link Changed}, answered
 * {@code conflict}), it is never followed. The paths given here are real paths under the root
 * (the resolver has already resolved the symlinks that stay inside), so a symlink met on the way
 * always means the tree changed.
 *
 * <p>Where the platform has no such handles, the same methods act on the path (the
 * check-then-use race stays open there; docs/SECURITY.md says so).
 *
 * <p><b>What stays open.</b> Java has no {@code mkdirat}: {@link #createDirectory} makes the
 * folder in the user's home under a reserved name and renames it into place between handles,
 * which no client can redirect; only where the parent is on another filesystem than the home
 * does it fall back to a checked mkdir by path with a window of microseconds. Opening a name that
 * a local user swaps for a FIFO between the check and the open blocks that worker until someone
 * writes to the FIFO (clients cannot create FIFOs).
 *
 * <p><b>Cost.</b> One open of the root per access, and per folder on the way an
 * {@code fstatat}, an {@code openat} (with the {@code dup}, two {@code fcntl} and the
 * {@code fstat} of the JDK's {@code fdopendir}) and their closes: 8 system calls per folder
 * (docs/SECURITY.md has the counts per GET and STAT); at most three folder handles are open at a time per access (MKDIR: the new
 * folder's parent held while walking to the staging folder), and every one is closed before the
 * method returns.
 *
 * <p>Thread safety: immutable; worker threads only (disk); any number at once.
 */
final class RootFiles {
    /** The folder itself, as a name relative to its handle. */
    private static final Path SELF = Path.of(".");

    /**
     * A name on the path was a real folder (or file) when the resolver checked it and is something
     * else now, typically a symlink swapped in: the access is refused rather than followed.
     */
    static final class Changed extends FileSystemException {
        private static final long serialVersionUID = 1L;

        Changed(Path where, String reason) {
            super(where.toString(), null, reason);
        }
    }

    private final Path root;
    private final FileOpener opener;
    private final boolean handles;

    /**
     * @param realRoot the root with its symlinks resolved
     * @param handles  walk from folder handles (true only where the platform has them: {@link #probe})
     */
    RootFiles(Path realRoot, FileOpener opener, boolean handles) {
        this.root = realRoot;
        this.opener = opener;
        this.handles = handles;
    }

    /** Walks from folder handles if the platform gives them for {@code realRoot}, else works by path. */
    static RootFiles probe(Path realRoot, FileOpener opener) throws IOException {
        boolean secure = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(realRoot)) {
            if (ds instanceof SecureDirectoryStream) {
                // Files must open as FileChannels (sendfile, positional reads): check once.
                try (var ch = ((SecureDirectoryStream<Path>) ds).newByteChannel(SELF, Set.of(StandardOpenOption.READ))) {
                    secure = ch instanceof FileChannel;
                } catch (IOException | UnsupportedOperationException e) {
                    secure = false;
                }
            }
        }
        return new RootFiles(realRoot, opener, secure);
    }

    /** Whether accesses walk from folder handles (race-free) rather than by path. */
    boolean usesHandles() {
        return handles;
    }

    Path root() {
        return root;
    }

    // ---- the walk ---------------------------------------------------------------------------------

    /** An open folder and one name in it (or {@link #SELF} for the root itself). Closing closes the folder. */
    private static final class At implements AutoCloseable {
        final SecureDirectoryStream<Path> dir;
        final Path name;
        final Path real;

        At(SecureDirectoryStream<Path> dir, Path name, Path real) {
            this.dir = dir;
            this.name = name;
            this.real = real;
        }

        /** The name's own attributes (a symlink is described, not followed). */
        BasicFileAttributes attributes() throws IOException {
            return attributes(dir, name);
        }

        static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        }

        boolean isRoot() {
            return name == SELF;
        }

        @Override
        public void close() throws IOException {
            dir.close();
        }
    }

    /** Walks to the folder holding {@code real}: every folder on the way opened from the previous one, none followed. */
    private At at(Path real) throws IOException {
        List<Path> names = names(real);
        SecureDirectoryStream<Path> dir = openRoot();
        try {
            for (int i = 0; i < names.size() - 1; i++) {
                dir = descend(dir, names.get(i), real, false);
            }
            return new At(dir, names.isEmpty() ? SELF : names.get(names.size() - 1), real);
        } catch (Throwable t) {
            FileContext.closeQuietly(dir);
            throw t;
        }
    }

    private SecureDirectoryStream<Path> openRoot() throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(root);
        if (!(ds instanceof SecureDirectoryStream)) {
            ds.close();
            throw new IOException("the platform stopped giving folder handles for " + root);
        }
        return (SecureDirectoryStream<Path>) ds;
    }

    /**
     * The names of {@code real} below the root, each one name. Also the guard of the by-path
     * fallback: a path outside the root is a bug in the caller, never something to act on.
     */
    private List<Path> names(Path real) {
        if (!real.startsWith(root)) {
            throw new IllegalArgumentException(real + " is not under the root " + root);
        }
        Path rel = root.relativize(real);
        List<Path> names = new ArrayList<>(rel.getNameCount());
        for (Path n : rel) {
            String s = n.toString();
            if (s.isEmpty()) {
                continue; // the root itself relativizes to ""
            }
            if (s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException(real + " is not a real path (it has " + s + ")");
            }
            names.add(n);
        }
        return names;
    }

    /**
     * Opens the folder {@code name} in {@code dir}, closing {@code dir}. A symlink is refused, and
     * so is anything but a folder before it is opened (opening a FIFO would block):
     * {@link NotDirectoryException} if {@code name} is the last of {@code real}, else an error
     * saying a part of the path is not a folder.
     */
    private static SecureDirectoryStream<Path> descend(SecureDirectoryStream<Path> dir, Path name, Path real,
                                                       boolean last) throws IOException {
        try {
            BasicFileAttributes a = At.attributes(dir, name);
            if (a.isSymbolicLink()) {
                throw changed(real, name);
            }
            if (!a.isDirectory()) {
                throw last ? new NotDirectoryException(real.toString())
                        : new FileSystemException(real.toString(), null, "Not a directory: " + name + " on the way");
            }
            try {
                return dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                if (isLoop(e) || isSymlink(dir, name)) {
                    throw changed(real, name); // swapped between the check and the open
                }
                throw e;
            }
        } finally {
            dir.close();
        }
    }

    private static boolean isSymlink(SecureDirectoryStream<Path> dir, Path name) {
        try {
            return At.attributes(dir, name).isSymbolicLink();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether an open with {@code O_NOFOLLOW} failed because the name was a symlink (ELOOP), as
     * the JDK words it: the name changed since it was checked, even if it is back by now. The
     * wording is the C library's; under a locale that translates it, such a failure stays an
     * I/O error (nothing is followed either way).
     */
    private static boolean isLoop(IOException e) {
        String m = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        return m != null && m.contains("Too many levels of symbolic links");
    }

    private static Changed changed(Path real, Path name) {
        return new Changed(real, "\"" + name + "\" on the way was replaced (by a symlink) while it was being opened");
    }

    // ---- files ------------------------------------------------------------------------------------

    /**
     * Opens the file {@code real} through the configured {@link FileOpener}, never following a
     * symlink (a swapped-in one makes this throw {@link Changed}).
     */
    FileChannel open(Path real, Set<? extends OpenOption> options) throws IOException {
        if (!handles) {
            names(real);
            return opener.open(real, options);
        }
        Set<OpenOption> noFollow = new HashSet<>(options);
        noFollow.add(LinkOption.NOFOLLOW_LINKS);
        try (At at = at(real)) {
            try {
                return opener.openIn(at.dir, at.name, real, noFollow);
            } catch (IOException e) {
                if (isLoop(e) || isSymlink(at.dir, at.name)) {
                    throw changed(real, at.name);
                }
                throw e;
            }
        }
    }

    /**
     * The metadata of {@code real}, which must not be a symlink (the resolver resolves those
     * first). On handles: identified by the walk ({@code fstatat}); the change time, which only
     * a stat by path gives in Java, is taken from one only if it describes the same file
     * (device and inode), else left out (-1).
     */
    FileStat stat(Path real) throws IOException {
        if (!handles) {
            names(real);
            return FileStat.read(real);
        }
        BasicFileAttributes a;
        try (At at = at(real)) {
            a = at.attributes();
            if (a.isSymbolicLink()) {
                throw changed(real, at.name);
            }
        }
        try {
            FileStat byPath = FileStat.read(real, LinkOption.NOFOLLOW_LINKS);
            if (a.fileKey() != null && a.fileKey().equals(byPath.fileKey())
                    && a.size() == byPath.size() && a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)
                    == byPath.mtimeNanos()) {
                return byPath;
            }
        } catch (IOException redirectedOrGone) {
            // the walked stat stands on its own
        }
        return FileStat.of(a);
    }

    /** The attributes of {@code real} itself (a symlink is described, not followed). */
    BasicFileAttributes attributes(Path real) throws IOException {
        if (!handles) {
            names(real);
            return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        try (At at = at(real)) {
            return at.attributes();
        }
    }

    /** Whether {@code real} exists (a dangling symlink counts). */
    boolean exists(Path real) throws IOException {
        try {
            attributes(real);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Sets the modification time of {@code real} (a symlink is refused, not followed). */
    void setLastModifiedTime(Path real, FileTime time) throws IOException {
        if (!handles) {
            names(real);
            Files.setLastModifiedTime(real, time);
            return;
        }
        try (At at = at(real)) {
            if (at.attributes().isSymbolicLink()) {
                throw changed(real, at.name);
            }
            at.dir.getFileAttributeView(at.name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(time, null, null);
        }
    }

    /** Forces the folder {@code real} (its entries: a rename in it) to disk. Best effort: not every filesystem allows it. */
    void syncFolder(Path real) {
        try {
            if (!handles) {
                names(real);
                try (FileChannel d = FileChannel.open(real, StandardOpenOption.READ)) {
                    d.force(true);
                }
                return;
            }
            try (At at = at(real)) {
                if (!at.attributes().isDirectory()) {
                    return;
                }
                try (FileChannel d = FileOpener.fileChannel(at.dir.newByteChannel(at.name,
                        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
                    d.force(true);
                }
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // the data is forced already; only the folder entry's durability is best effort here
        }
    }

    // ---- the namespace ----------------------------------------------------------------------------

    /** Deletes the file, symlink or empty folder {@code real} ({@code unlinkat}). */
    void delete(Path real) throws IOException {
        if (!handles) {
            names(real);
            Files.delete(real);
            return;
        }
        try (At at = at(real)) {
            refuseRoot(at);
            if (at.attributes().isDirectory()) {
                at.dir.deleteDirectory(at.name);
            } else {
                at.dir.deleteFile(at.name);
            }
        }
    }

    /** As {@link #delete}; false if nothing was there. */
    boolean deleteIfExists(Path real) throws IOException {
        try {
            delete(real);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Deletes {@code real} and, for a folder, everything under it, bottom up, without following any symlink. */
    void deleteTree(Path real) throws IOException {
        if (!handles) {
            names(real);
            NamespaceOps.deleteTree(real);
            return;
        }
        try (At at = at(real)) {
            refuseRoot(at);
            BasicFileAttributes a = at.attributes();
            if (!a.isDirectory()) {
                at.dir.deleteFile(at.name);
                return;
            }
            try (SecureDirectoryStream<Path> d = at.dir.newDirectoryStream(at.name, LinkOption.NOFOLLOW_LINKS)) {
                deleteContents(d, real);
            } catch (FileSystemException e) {
                if (isLoop(e) || isSymlink(at.dir, at.name)) {
                    throw changed(real, at.name);
                }
                throw e;
            }
            at.dir.deleteDirectory(at.name);
        }
    }

    private static void deleteContents(SecureDirectoryStream<Path> dir, Path real) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path e : dir) {
            names.add(e.getFileName());
        }
        for (Path n : names) {
            BasicFileAttributes a;
            try {
                a = At.attributes(dir, n);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (a.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS)) {
                    deleteContents(sub, real.resolve(n.toString()));
                }
                dir.deleteDirectory(n);
            } else {
                dir.deleteFile(n); // files, symlinks (never what they point to), anything else
            }
        }
    }

    /**
     * Renames {@code src} to {@code dst} ({@code renameat}): atomic, replaces an existing file at
     * {@code dst}, never follows a symlink on either side (a final symlink is moved or replaced).
     *
     * @throws AtomicMoveNotSupportedException across filesystems
     */
    void move(Path src, Path dst) throws IOException {
        if (!handles) {
            names(src);
            names(dst);
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        try (At from = at(src); At to = at(dst)) {
            refuseRoot(from);
            refuseRoot(to);
            from.dir.move(from.name, to.dir, to.name);
        }
    }

    /**
     * As {@link #move}, but fails with {@link FileAlreadyExistsException} if {@code dst} exists.
     * Checked just before the rename (Java has no {@code renameat2(RENAME_NOREPLACE)}): something
     * created at {@code dst} in between is replaced.
     */
    void moveNoReplace(Path src, Path dst) throws IOException {
        if (exists(dst)) {
            throw new FileAlreadyExistsException(dst.toString());
        }
        move(src, dst);
    }

    /**
     * Creates the folder {@code real}. Java has no {@code mkdirat}, so on handles the folder is
     * made by path in {@code staging} under a fresh reserved name ({@code mkdir} never follows a
     * final symlink), then moved into the walked parent by {@code renameat} between two walked
     * handles. {@code staging} is the user's home folder: a client cannot rename it or anything
     * above it, so for a client no swap can redirect the {@code mkdir}; if someone else does
     * (a local user, or a client with a wider home), the staged folder is not where the walk to
     * {@code staging} leads, the rename fails, the staged folder is removed and this throws
     * {@link Changed}. Where the parent is on another filesystem than {@code staging} (a mount
     * inside it), the rename cannot work: see {@link #createDirectoryByPath}.
     *
     * <p>The name is checked to be free just before the rename; a folder another request creates
     * at that name in between is replaced if it is still empty (both asked for it), kept otherwise
     * ({@link FileAlreadyExistsException}).
     *
     * @param staging a real folder above {@code real} (the user's home) to stage the new folder in
     * @throws FileAlreadyExistsException if {@code real} exists
     * @throws NoSuchFileException        if its parent does not
     */
    void createDirectory(Path real, Path staging) throws IOException {
        if (!handles) {
            names(real);
            Files.createDirectory(real);
            return;
        }
        if (real.equals(staging)) {
            throw new FileAlreadyExistsException(real.toString()); // the home folder itself
        }
        if (!real.startsWith(staging)) {
            throw new IllegalArgumentException(staging + " is not a folder above " + real);
        }
        try (At at = at(real)) {
            if (at.isRoot() || exists(at.dir, at.name)) {
                throw new FileAlreadyExistsException(real.toString());
            }
            Path staged = staging.resolve(UploadTemps.PREFIX + "mkdir-" + Long.toHexString(RANDOM.nextLong()));
            Files.createDirectory(staged);
            boolean moved = false;
            try (At from = at(staged)) {
                try {
                    from.dir.move(from.name, at.dir, at.name);
                    moved = true;
                } catch (IOException e) {
                    deleteQuietly(from.dir, from.name);
                    if (e instanceof AtomicMoveNotSupportedException) {
                        createDirectoryByPath(at, real); // another filesystem than the staging folder's
                        moved = true;
                        return;
                    }
                    if (e instanceof DirectoryNotEmptyException || exists(at.dir, at.name)) {
                        throw new FileAlreadyExistsException(real.toString());
                    }
                    if (e instanceof NoSuchFileException) {
                        // the staged folder is not where the walk leads (its path was redirected),
                        // or the parent went away meanwhile
                        throw new Changed(real, "a folder on the way was replaced while it was created");
                    }
                    throw e;
                }
            } finally {
                if (!moved) {
                    try {
                        Files.deleteIfExists(staged); // where a redirected path put it: our own empty folder
                    } catch (IOException ignored) {
                        // an empty folder under a reserved name, hidden from LIST and unreachable by requests
                    }
                }
            }
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static boolean exists(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            At.attributes(dir, name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void deleteQuietly(SecureDirectoryStream<Path> dir, Path name) {
        try {
            dir.deleteDirectory(name);
        } catch (IOException ignored) {
            // an empty folder under a reserved name, hidden from LIST and unreachable by requests
        }
    }

    /**
     * For a parent on another filesystem than the root: check that the parent's path still leads
     * to the walked folder (same device and inode), create by path, and check that the new folder
     * is in the walked parent. A swap in the microseconds between the first check and the
     * {@code mkdir} can make it create an empty folder where the swapped-in link leads; it then
     * fails with {@link Changed}.
     */
    private static void createDirectoryByPath(At at, Path real) throws IOException {
        Object parentKey = At.attributes(at.dir, SELF).fileKey();
        if (parentKey == null || !parentKey.equals(Files.readAttributes(real.getParent(), BasicFileAttributes.class).fileKey())) {
            throw new Changed(real, "the folder to create it in was replaced while it was being opened");
        }
        Files.createDirectory(real);
        BasicFileAttributes made;
        try {
            made = at.attributes();
        } catch (NoSuchFileException e) {
            throw new Changed(real, "the folder to create it in was replaced while it was created");
        }
        BasicFileAttributes byPath = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!made.isDirectory() || !Objects.equals(made.fileKey(), byPath.fileKey())) {
            throw new Changed(real, "the folder to create it in was replaced while it was created");
        }
    }

    /**
     * Creates {@code real} and every missing folder above it up to {@code staging} (an existing
     * folder is fine), each as {@link #createDirectory}. A symlink on the way is refused: the
     * resolver resolved those, so one now means a change.
     *
     * @throws FileAlreadyExistsException if {@code real} or a name on the way is something other than a folder
     */
    void createDirectories(Path real, Path staging) throws IOException {
        List<Path> names = names(real);
        Path p = root;
        for (Path n : names) {
            p = p.resolve(n.toString());
            BasicFileAttributes a;
            try {
                a = attributes(p);
            } catch (NoSuchFileException e) {
                if (!p.startsWith(staging) || p.equals(staging)) {
                    throw e; // the home folder itself (or above it) is missing: not created here
                }
                try {
                    createDirectory(p, staging);
                    continue;
                } catch (FileAlreadyExistsException raced) {
                    a = attributes(p); // another request made it meanwhile
                }
            }
            if (a.isSymbolicLink() && handles) {
                throw changed(real, n);
            }
            if (!a.isDirectory() && !(a.isSymbolicLink() && Files.isDirectory(p))) {
                throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a folder");
            }
        }
    }

    /** The served root itself is never deleted or moved (the ops refuse the home folder before; this is the last guard). */
    private static void refuseRoot(At at) throws FileSystemException {
        if (at.isRoot()) {
            throw new FileSystemException(at.real.toString(), null, "the served root itself cannot be deleted or moved");
        }
    }

    // ---- folders ----------------------------------------------------------------------------------

    /**
     * An open folder, for listing: its names and each entry's own attributes (a symlink is
     * described, not followed), read relative to the open folder. Close it.
     */
    final class Folder implements AutoCloseable {
        private final DirectoryStream<Path> stream;
        private final Path real;

        private Folder(DirectoryStream<Path> stream, Path real) {
            this.stream = stream;
            this.real = real;
        }

        /** The names in the folder, once (the stream is single-use). */
        Iterable<Path> entries() {
            return stream;
        }

        /** Where the entry {@code name} is, by its real folder's path (for resolving a symlink entry). */
        Path pathOf(Path name) {
            return real.resolve(name.getFileName().toString());
        }

        BasicFileAttributes attributes(Path name) throws IOException {
            Path n = name.getFileName();
            if (stream instanceof SecureDirectoryStream) {
                return At.attributes((SecureDirectoryStream<Path>) stream, n);
            }
            return Files.readAttributes(pathOf(n), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /**
     * Opens the folder {@code real} for listing.
     *
     * @throws NotDirectoryException if it is not a folder
     */
    Folder openFolder(Path real) throws IOException {
        if (!handles) {
            names(real);
            return new Folder(Files.newDirectoryStream(real), real);
        }
        At at = at(real);
        if (at.isRoot()) {
            return new Folder(at.dir, real);
        }
        return new Folder(descend(at.dir, at.name, real, true), real); // descend closes the parent
    }
}

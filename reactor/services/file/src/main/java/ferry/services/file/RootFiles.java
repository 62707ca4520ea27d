package ferry.services.file;

import ferry.services.file.RootWalker.At;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
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
import java.util.HashSet;
import java.util.List;
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
 * <p><b>Cost.</b> A {@code stat} of the root's path per access (the root handle is kept open:
 * {@link RootWalker}), and per folder on the way an
 * {@code fstatat}, an {@code openat} (with the {@code dup}, two {@code fcntl} and the
 * {@code fstat} of the JDK's {@code fdopendir}) and their closes: 8 system calls per folder
 * (docs/SECURITY.md has the counts per GET and STAT); at most three folder handles are open at a time per access (MKDIR: the new
 * folder's parent held while walking to the staging folder), and every one is closed before the
 * method returns, except the kept root handle, which {@link #close} ends. A GET opens its file
 * with one walk ({@link #openForRead}).
 *
 * <p>Thread safety: safe from any number of worker threads at once; worker threads only (disk).
 */
final class RootFiles implements Closeable {
    private static final Path SELF = RootWalker.SELF;

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
    private final RootWalker walker;
    private final FolderMaker maker;

    /**
     * @param realRoot the root with its symlinks resolved
     * @param handles  walk from folder handles (true only where the platform has them: {@link #probe})
     */
    RootFiles(Path realRoot, FileOpener opener, boolean handles) {
        this.root = realRoot;
        this.opener = opener;
        this.handles = handles;
        this.walker = new RootWalker(realRoot);
        this.maker = new FolderMaker(walker);
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

    /** Walks to the folder holding {@code real} ({@link RootWalker#at}). */
    private At at(Path real) throws IOException {
        return walker.at(real);
    }

    private List<Path> names(Path real) {
        return walker.names(real);
    }

    /** Walks made so far (every access on handles makes one): a seam for tests. */
    long walks() {
        return walker.walks();
    }

    /** Closes the kept root handle ({@link RootWalker}). */
    @Override
    public void close() {
        walker.close();
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
            return openIn(at, real, noFollow);
        }
    }

    /** Opens the walked name through the opener; {@code options} hold NOFOLLOW_LINKS. */
    private FileChannel openIn(At at, Path real, Set<? extends OpenOption> options) throws IOException {
        try {
            return opener.openIn(at.dir, at.name, real, options);
        } catch (IOException e) {
            if (RootWalker.isLoop(e) || RootWalker.isSymlink(at.dir, at.name)) {
                throw RootWalker.changed(real, at.name);
            }
            throw e;
        }
    }

    /**
     * Opens the regular file {@code real} for reading with a single walk: {@code fstatat} in the
     * walked folder (anything but a regular file is described and left unopened: opening a FIFO
     * would block), {@code openat} without following, then the open file's size. A file replaced
     * between the stat and the open is described again from the same folder handle. With
     * {@code changeTime}, the change time is added as {@link #stat} does (a stat by path, used
     * only if it describes the same file); without it, it is -1.
     */
    ReadFile openForRead(Path real, boolean changeTime) throws IOException {
        if (!handles) {
            names(real);
            FileStat st = FileStat.read(real);
            if (!st.isFile()) {
                return ReadFile.notRegular(st);
            }
            FileChannel ch = opener.open(real, Set.of(StandardOpenOption.READ));
            long size = ReadFile.sizeOf(ch);
            try {
                return ReadFile.sized(ch, size, size == st.size() ? st : FileStat.read(real));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        try (At at = at(real)) {
            BasicFileAttributes a = at.attributes();
            if (a.isSymbolicLink()) {
                throw RootWalker.changed(real, at.name);
            }
            if (!a.isRegularFile()) {
                return ReadFile.notRegular(FileStat.of(a));
            }
            FileChannel ch = openIn(at, real, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            long size = ReadFile.sizeOf(ch);
            try {
                if (size != a.size()) {
                    a = at.attributes(); // replaced between the stat and the open: describe what was opened
                }
                return ReadFile.sized(ch, size, changeTime ? FileStat.withChangeTime(real, a) : FileStat.of(a));
            } catch (IOException | RuntimeException e) {
                ch.close();
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
                throw RootWalker.changed(real, at.name);
            }
        }
        return FileStat.withChangeTime(real, a);
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
                throw RootWalker.changed(real, at.name);
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
                TreeRemover.deleteContents(d, real);
            } catch (FileSystemException e) {
                if (RootWalker.isLoop(e) || RootWalker.isSymlink(at.dir, at.name)) {
                    throw RootWalker.changed(real, at.name);
                }
                throw e;
            }
            at.dir.deleteDirectory(at.name);
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
     * Creates the folder {@code real}, staged in {@code staging} (the user's home) and renamed into
     * the walked parent: {@link FolderMaker#createDirectory}.
     *
     * @throws FileAlreadyExistsException if {@code real} exists
     * @throws NoSuchFileException        if its parent does not
     */
    void createDirectory(Path real, Path staging) throws IOException {
        if (!handles) {
            names(real);
            Files.createDirectory(real);
            return;
        }
        maker.createDirectory(real, staging);
    }

    /**
     * Creates {@code real} and every missing folder above it up to {@code staging} (an existing
     * folder is fine), each as {@link #createDirectory}. A symlink on the way is refused: the
     * resolver resolved those, so one now means a change.
     *
     * @throws FileAlreadyExistsException if {@code real} or a name on the way is something other than a folder
     */
    void createDirectories(Path real, Path staging) throws IOException {
        FolderMaker.createDirectories(this, root, names(real), real, staging);
    }

    /** The served root itself is never deleted or moved (the ops refuse the home folder before; this is the last guard). */
    private static void refuseRoot(At at) throws FileSystemException {
        if (at.isRoot()) {
            throw new FileSystemException(at.real.toString(), null, "the served root itself cannot be deleted or moved");
        }
    }

    // ---- folders ----------------------------------------------------------------------------------

    /**
     * Opens the folder {@code real} for listing.
     *
     * @throws NotDirectoryException if it is not a folder
     */
    RootFolder openFolder(Path real) throws IOException {
        if (!handles) {
            names(real);
            return new RootFolder(Files.newDirectoryStream(real), real);
        }
        try (At at = at(real)) {
            // The root's own handle is shared and its listing single-use: list a fresh handle of it.
            return new RootFolder(at.isRoot() ? at.dir.newDirectoryStream(SELF, LinkOption.NOFOLLOW_LINKS)
                    : RootWalker.descend(at.dir, at.name, real, true), real);
        }
    }
}

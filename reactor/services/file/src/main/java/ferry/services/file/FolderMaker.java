package ferry.services.file;

import ferry.services.file.RootWalker.At;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * Makes folders for {@link RootFiles} where the platform has folder handles. Java has no
 * {@code mkdirat}, so a folder is made by path under a reserved name in a staging folder no
 * client can redirect and renamed into the walked parent ({@code renameat}).
 *
 * <p>Thread safety: immutable; worker threads only (disk); any number at once.
 */
final class FolderMaker {
    private static final Path SELF = RootWalker.SELF;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RootWalker walker;

    FolderMaker(RootWalker walker) {
        this.walker = walker;
    }

    /**
     * Creates the folder {@code real}. Java has no {@code mkdirat}, so on handles the folder is
     * made by path in {@code staging} under a fresh reserved name ({@code mkdir} never follows a
     * final symlink), then moved into the walked parent by {@code renameat} between two walked
     * handles. {@code staging} is the user's home folder: a client cannot rename it or anything
     * above it, so for a client no swap can redirect the {@code mkdir}; if someone else does
     * (a local user, or a client with a wider home), the staged folder is not where the walk to
     * {@code staging} leads, the rename fails, the staged folder is removed and this throws
     * {@link RootFiles.Changed}. Where the parent is on another filesystem than {@code staging} (a mount
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
        if (real.equals(staging)) {
            throw new FileAlreadyExistsException(real.toString()); // the home folder itself
        }
        if (!real.startsWith(staging)) {
            throw new IllegalArgumentException(staging + " is not a folder above " + real);
        }
        try (At at = walker.at(real)) {
            if (at.isRoot() || exists(at.dir, at.name)) {
                throw new FileAlreadyExistsException(real.toString());
            }
            Path staged = staging.resolve(UploadTemps.PREFIX + "mkdir-" + Long.toHexString(RANDOM.nextLong()));
            Files.createDirectory(staged);
            boolean moved = false;
            try (At from = walker.at(staged)) {
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
                        throw new RootFiles.Changed(real, "a folder on the way was replaced while it was created");
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
     * fails with {@link RootFiles.Changed}.
     */
    private static void createDirectoryByPath(At at, Path real) throws IOException {
        Object parentKey = At.attributes(at.dir, SELF).fileKey();
        if (parentKey == null || !parentKey.equals(Files.readAttributes(real.getParent(), BasicFileAttributes.class).fileKey())) {
            throw new RootFiles.Changed(real, "the folder to create it in was replaced while it was being opened");
        }
        Files.createDirectory(real);
        BasicFileAttributes made;
        try {
            made = at.attributes();
        } catch (NoSuchFileException e) {
            throw new RootFiles.Changed(real, "the folder to create it in was replaced while it was created");
        }
        BasicFileAttributes byPath = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!made.isDirectory() || !Objects.equals(made.fileKey(), byPath.fileKey())) {
            throw new RootFiles.Changed(real, "the folder to create it in was replaced while it was created");
        }
    }


    /** {@link RootFiles#createDirectories}: {@code names} are those of {@code real} below {@code root}. */
    static void createDirectories(RootFiles files, Path root, List<Path> names, Path real, Path staging) throws IOException {
        Path p = root;
        for (Path n : names) {
            p = p.resolve(n.toString());
            BasicFileAttributes a;
            try {
                a = files.attributes(p);
            } catch (NoSuchFileException e) {
                if (!p.startsWith(staging) || p.equals(staging)) {
                    throw e; // the home folder itself (or above it) is missing: not created here
                }
                try {
                    files.createDirectory(p, staging);
                    continue;
                } catch (FileAlreadyExistsException raced) {
                    a = files.attributes(p); // another request made it meanwhile
                }
            }
            if (a.isSymbolicLink() && files.usesHandles()) {
                throw RootWalker.changed(real, n);
            }
            if (!a.isDirectory() && !(a.isSymbolicLink() && Files.isDirectory(p))) {
                throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a folder");
            }
        }
    }
}

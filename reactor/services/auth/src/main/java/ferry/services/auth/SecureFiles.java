package ferry.services.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Owner-only files written so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file in the same folder (created 0600, so the secret is never readable by others
 * even for an instant), fsync it, rename it over the target (atomic on POSIX), fsync the folder so
 * the rename itself survives a power cut.
 *
 * <p>On file systems without POSIX permissions (Windows) the permission steps are skipped: there
 * the folder's ACL decides.
 *
 * <p>Thread safety: stateless; concurrent writers of one target must lock (see {@link UserStore}).
 */
public final class SecureFiles {
    static final Set<PosixFilePermission> OWNER_RW = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    static final Set<PosixFilePermission> OWNER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A step between writing the temporary file and renaming it; tests use it to simulate a crash. */
    @FunctionalInterface
    interface Step {
        void run(Path temp) throws IOException;
    }

    private SecureFiles() {}

    /** The prefix of temporary files for {@code target} (so stale ones can be found and removed). */
    static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".tmp-";
    }

    /** Writes {@code content} to {@code target} atomically, owner read/write only. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, null);
    }

    static void writeAtomically(Path target, byte[] content, Step beforeRename) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(tempPrefix(target) + HexFormat.of().formatHex(randomBytes(8)));
        boolean posix = isPosix(dir);
        try {
            try (FileChannel ch = posix
                    ? FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            ownerOnlyAttribute())
                    : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (posix) {
                    // The umask can only remove bits, but be explicit: 0600 before any content.
                    Files.setPosixFilePermissions(temp, OWNER_RW);
                }
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (beforeRename != null) {
                beforeRename.run(temp);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this file system: " + e.getMessage(), e);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the next write removes stale temporary files
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** fsync a folder so a rename in it is durable. Not possible everywhere (Windows): then skipped. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or sync a directory; the rename is still atomic.
        }
    }

    /** Creates {@code dir} (and parents) if missing; a folder Ferry creates is owner-only (0700). */
    public static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        try {
            if (isPosix(parent == null ? dir : parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Refuses a secret file that group or others may read or write, as OpenSSH refuses a private
     * key that is too open: a store others can read is a store others can attack offline.
     *
     * @param what names the file for the message ("user store", "credentials file")
     */
    public static void checkOwnerOnly(Path file, String what) throws UserStoreException {
        Set<PosixFilePermission> perms;
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (view == null) {
                return;
            }
            perms = view.readAttributes().permissions();
        } catch (IOException e) {
            throw new UserStoreException("cannot read the permissions of " + what + " " + file + ": " + e.getMessage(), e);
        }
        EnumSet<PosixFilePermission> extra = EnumSet.copyOf(perms);
        extra.removeAll(OWNER_RWX);
        if (!extra.isEmpty()) {
            throw new UserStoreException(what + " " + file + " has mode " + mode(perms)
                    + ", so other users can read or change it; it must be owner-only: chmod 600 " + file);
        }
    }

    /** The account a check trusts besides root: the one this process runs as. */
    record Account(long uid, String name) {}

    /**
     * This process's account, or null where it cannot be told (no Unix user ids: Windows), in which
     * case only the permission bits are checked.
     */
    static Account processAccount() {
        try {
            com.sun.security.auth.module.UnixSystem u = new com.sun.security.auth.module.UnixSystem();
            return new Account(u.getUid(), u.getUsername());
        } catch (LinkageError | RuntimeException e) {
            // not a Unix JDK, or jdk.security.auth left out of the runtime: ask /proc
        }
        try {
            Path self = Path.of("/proc/self");
            return new Account(((Number) Files.getAttribute(self, "unix:uid")).longValue(), Files.getOwner(self).getName());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Refuses a secret file, or a folder holding one, that someone other than this process's
     * account or root could change, as OpenSSH's StrictModes refuses an authorized_keys file: the
     * file must be owned by this account or root; its folder must be owned by this account or
     * root and writable by nobody else (whoever can write the folder can replace the file). A
     * missing file is not an error (its folder is still checked, if it exists). Every problem found
     * is named in one message with the chown/chmod that fixes it.
     *
     * @param what names the file for the message ("user store")
     */
    public static void checkOwnership(Path file, String what) throws UserStoreException {
        checkOwnership(file, what, processAccount());
    }

    static void checkOwnership(Path file, String what, Account self) throws UserStoreException {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null || !isPosix(dir)) {
            return;
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        folders.add(dir);
        try {
            if (Files.exists(abs)) {
                checkOwner(abs, what + " " + abs, self, problems, fixes);
                Path real = abs.toRealPath();
                if (!real.getParent().equals(dir)) {
                    folders.add(real.getParent()); // a link: the folder it lives in matters as much
                }
            }
            for (Path d : folders) {
                if (!Files.isDirectory(d)) {
                    continue;
                }
                String name = "the folder " + d + " of " + what + " " + abs;
                checkOwner(d, name, self, problems, fixes);
                Set<PosixFilePermission> perms = Files.readAttributes(d, PosixFileAttributes.class).permissions();
                if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                    problems.add(name + " has mode " + mode(perms) + ": "
                            + (perms.contains(PosixFilePermission.OTHERS_WRITE) ? "every" : "its group's") + " user can replace it");
                    fixes.add("chmod go-w " + d);
                }
            }
        } catch (IOException e) {
            throw new UserStoreException("cannot check the owner and permissions of " + what + " " + abs + ": " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new UserStoreException(String.join("; ", problems) + ". Only the server's account"
                    + (self == null ? "" : " (" + self.name() + ")") + " and root may be able to change it: "
                    + String.join(" && ", fixes));
        }
    }

    private static void checkOwner(Path p, String name, Account self, List<String> problems, List<String> fixes)
            throws IOException {
        if (self == null) {
            return;
        }
        long uid;
        try {
            uid = ((Number) Files.getAttribute(p, "unix:uid")).longValue();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return; // no Unix ids on this file system
        }
        if (uid != self.uid() && uid != 0) {
            problems.add(name + " is owned by " + Files.getOwner(p).getName() + " (uid " + uid + "), not by "
                    + self.name() + " (uid " + self.uid() + ") that runs this, nor root");
            fixes.add("chown " + self.name() + " " + p);
        }
    }

    /** Octal text of a permission set, e.g. "0644". */
    static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", m);
    }

    static boolean isPosix(Path anyPathOnTheFileSystem) {
        return anyPathOnTheFileSystem.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnlyAttribute() {
        return PosixFilePermissions.asFileAttribute(OWNER_RW);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}

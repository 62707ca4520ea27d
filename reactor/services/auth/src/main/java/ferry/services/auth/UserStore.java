package ferry.services.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.function.UnaryOperator;

/**
 * The user store file, {@code <config>/users} (format: {@link UserStoreFormat}).
 *
 * <p>Guarantees: readable and writable by its owner only (created 0600; a store that group or
 * others can access is refused with a {@code chmod 600} hint); owned by the account that uses it
 * or root, in a folder owned by that account or root that nobody else can write (else refused
 * with a {@code chown}/{@code chmod go-w} hint, as OpenSSH's StrictModes); replaced atomically (see
 * {@link SecureFiles}), so a crash mid-write leaves the previous store intact; changes are
 * serialised by an advisory lock on {@code <config>/users.lock}, so two {@code ferry user}
 * commands at once cannot lose each other's change. The server only reads.
 *
 * <p>All methods do blocking disk I/O: never call them on an event loop.
 *
 * <p>Thread safety: reads are safe from any thread; {@link #update} must not run concurrently in one
 * JVM (the file lock is per process).
 */
public final class UserStore {
    public static final String FILE_NAME = "users";
    /** A store larger than this is not a store (tens of thousands of users fit in 4 MiB). */
    public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private final Path file;
    private final SecureRandom random;
    SecureFiles.Step beforeRename; // tests: simulate a crash between write and rename

    public UserStore(Path file) {
        this(file, new SecureRandom());
    }

    UserStore(Path file, SecureRandom random) {
        this.file = file.toAbsolutePath().normalize();
        this.random = random;
    }

    /** The store in a server's config folder. */
    public static UserStore inConfigDir(Path configDir) {
        return new UserStore(configDir.resolve(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * Loads the store; a missing file is a store without users (and a fresh secret).
     *
     * @throws UserStoreException too open, owned by someone else, in a folder others can change,
     *                            malformed or too large
     */
    public Users load() throws IOException {
        SecureFiles.checkOwnership(file, "user store");
        if (!Files.exists(file)) {
            return Users.empty(random);
        }
        SecureFiles.checkOwnerOnly(file, "user store");
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new UserStoreException("user store " + file + " is " + size + " bytes, limit " + MAX_FILE_BYTES);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read the whole file
            }
            bytes = Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return Users.empty(random); // removed between the check and the open
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UserStoreException("user store " + file + " is not valid UTF-8", e);
        }
        return UserStoreFormat.parse(text, file.toString());
    }

    /** How many users the store holds (0 when the file does not exist). */
    public int countUsers() throws IOException {
        return load().size();
    }

    /**
     * Applies {@code change} to the current store and writes the result, holding the store's lock
     * throughout. {@code change} may throw {@link IllegalArgumentException} (say, "user exists") to
     * abort without writing. Returns the stored result.
     */
    public Users update(UnaryOperator<Users> change) throws IOException {
        Path dir = file.getParent();
        SecureFiles.createPrivateDirectories(dir);
        SecureFiles.checkOwnership(file, "user store"); // before a lock file goes into a folder others control
        Path lockFile = dir.resolve(file.getFileName() + ".lock");
        try (FileChannel lockChannel = openLockFile(lockFile); FileLock lock = lockChannel.lock()) {
            removeStaleTemporaries();
            Users before = load();
            Users after = change.apply(before);
            if (after != before) {
                SecureFiles.writeAtomically(file, UserStoreFormat.format(after).getBytes(StandardCharsets.UTF_8), beforeRename);
            }
            return after;
        }
    }

    private static FileChannel openLockFile(Path lockFile) throws IOException {
        EnumSet<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (SecureFiles.isPosix(lockFile.getParent())) {
            return FileChannel.open(lockFile, opts, PosixFilePermissions.asFileAttribute(SecureFiles.OWNER_RW));
        }
        return FileChannel.open(lockFile, opts);
    }

    /** Temporary files a crash left behind; safe to delete while holding the lock. */
    private void removeStaleTemporaries() throws IOException {
        String prefix = SecureFiles.tempPrefix(file);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), prefix + "*")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}

package ferry.services.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The walk under {@link RootFiles}: from a handle of the root, one folder at a time
 * ({@code fstatat} to see that the name is a real folder, then {@code openat} with
 * {@code O_NOFOLLOW}), to the folder holding the last name of a path.
 *
 * <p><b>The root handle is kept open</b> and shared by every walk: reopening it cost an
 * {@code open}, the JDK's {@code fdopendir} ({@code dup}, two {@code fcntl}, {@code fstat}) and
 * the closes on every access. Each walk first stats the root's path (one {@code stat}, following
 * as opening it by path did) and compares device and inode with the held handle's: a root that
 * was replaced (renamed away and another put there) gets a fresh handle, a removed root fails the
 * access with {@link NoSuchFileException} as before and drops the handle. Walks lease the handle
 * (a reference count), so replacing it never closes it under a walk that is using it.
 *
 * <p>Thread safety: safe from any number of worker threads at once; disk access, so never on an
 * event loop. {@link #close} ends the kept handle; a walk after it opens (and closes) its own.
 */
final class RootWalker implements Closeable {
    /** The folder itself, as a name relative to its handle. */
    static final Path SELF = Path.of(".");

    private final Path root;
    private final AtomicReference<RootHandle> kept = new AtomicReference<>();
    private final LongAdder walks = new LongAdder();
    private volatile boolean closed;

    RootWalker(Path realRoot) {
        this.root = realRoot;
    }

    /** Walks made so far: a seam for tests that count the walks per request. */
    long walks() {
        return walks.sum();
    }

    /**
     * An open folder and one name in it (or {@link #SELF} for the root itself). Closing ends the
     * folder: a walked one is closed, the shared root handle only released.
     */
    static final class At implements AutoCloseable {
        final SecureDirectoryStream<Path> dir;
        final Path name;
        final Path real;
        private final RootHandle lease; // non-null: dir is the shared root handle

        At(SecureDirectoryStream<Path> dir, Path name, Path real, RootHandle lease) {
            this.dir = dir;
            this.name = name;
            this.real = real;
            this.lease = lease;
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
            if (lease != null) {
                lease.release();
            } else {
                dir.close();
            }
        }
    }

    /** Walks to the folder holding {@code real}: every folder on the way opened from the previous one, none followed. */
    At at(Path real) throws IOException {
        walks.increment();
        List<Path> names = names(real);
        RootHandle lease = acquireRoot();
        SecureDirectoryStream<Path> dir = lease.dir;
        try {
            for (int i = 0; i < names.size() - 1; i++) {
                SecureDirectoryStream<Path> next = descend(dir, names.get(i), real, false);
                if (lease != null) {
                    lease.release();
                    lease = null;
                } else {
                    dir.close();
                }
                dir = next;
            }
            return new At(dir, names.isEmpty() ? SELF : names.get(names.size() - 1), real, lease);
        } catch (Throwable t) {
            if (lease != null) {
                lease.release();
            } else {
                FileContext.closeQuietly(dir);
            }
            throw t;
        }
    }

    /**
     * The names of {@code real} below the root, each one name. Also the guard of the by-path
     * fallback: a path outside the root is a bug in the caller, never something to act on.
     */
    List<Path> names(Path real) {
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
     * Opens the folder {@code name} in {@code dir} (which stays open: the caller owns it). A
     * symlink is refused, and so is anything but a folder before it is opened (opening a FIFO
     * would block): {@link NotDirectoryException} if {@code name} is the last of {@code real},
     * else an error saying a part of the path is not a folder.
     */
    static SecureDirectoryStream<Path> descend(SecureDirectoryStream<Path> dir, Path name, Path real,
                                               boolean last) throws IOException {
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
    }

    static boolean isSymlink(SecureDirectoryStream<Path> dir, Path name) {
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
    static boolean isLoop(IOException e) {
        String m = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        return m != null && m.contains("Too many levels of symbolic links");
    }

    static RootFiles.Changed changed(Path real, Path name) {
        return new RootFiles.Changed(real, "\"" + name + "\" on the way was replaced (by a symlink) while it was being opened");
    }

    // ---- the kept root handle -----------------------------------------------------------------------

    /** An open handle of the root, its identity, and the walks using it (plus one while it is kept). */
    private static final class RootHandle {
        final SecureDirectoryStream<Path> dir;
        final Object key;
        private final AtomicInteger refs = new AtomicInteger(1);

        RootHandle(SecureDirectoryStream<Path> dir, Object key) {
            this.dir = dir;
            this.key = key;
        }

        /** Takes a reference unless the handle is already closed. */
        boolean retain() {
            for (int r = refs.get(); r > 0; r = refs.get()) {
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                FileContext.closeQuietly(dir);
            }
        }
    }

    /** A lease on a handle of the root as its path leads now (see the class comment). */
    private RootHandle acquireRoot() throws IOException {
        Object key;
        try {
            key = Files.readAttributes(root, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException gone) {
            drop(kept.get());
            throw gone;
        }
        while (true) {
            RootHandle h = kept.get();
            if (h != null && key != null && key.equals(h.key) && h.retain()) {
                return h;
            }
            RootHandle fresh = openRoot();
            if (closed || fresh.key == null || !Objects.equals(fresh.key, key)) {
                return fresh; // not kept: this walk's own (or the root is changing right now)
            }
            fresh.retain(); // the walk's reference; the first one is the keeper's
            if (kept.compareAndSet(h, fresh)) {
                if (h != null) {
                    h.release();
                }
                if (closed) {
                    drop(fresh); // closed meanwhile: nobody else ends it
                }
                return fresh;
            }
            fresh.release();
            fresh.release(); // another walk replaced it first: use theirs
        }
    }

    private void drop(RootHandle h) {
        if (h != null && kept.compareAndSet(h, null)) {
            h.release();
        }
    }

    private RootHandle openRoot() throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(root);
        if (!(ds instanceof SecureDirectoryStream)) {
            ds.close();
            throw new IOException("the platform stopped giving folder handles for " + root);
        }
        SecureDirectoryStream<Path> dir = (SecureDirectoryStream<Path>) ds;
        try {
            return new RootHandle(dir, At.attributes(dir, SELF).fileKey());
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Closes the kept root handle once no walk uses it. Idempotent. */
    @Override
    public void close() {
        closed = true;
        drop(kept.get());
    }
}

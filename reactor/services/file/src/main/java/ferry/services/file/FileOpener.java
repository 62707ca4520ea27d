package ferry.services.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.Set;

/**
 * Opens the files the service reads and writes. The default opens a file relative to an open
 * handle of the folder that holds it ({@link #openIn}: openat, never following a symlink), which
 * {@link RootFiles} walked to; tests wrap it to inject what is hard to provoke for real (a disk
 * that fills up mid-upload, a failing read) and prove the service recovers.
 *
 * <p>An opener that implements only {@link #open} (a lambda) is called with the file's path and
 * opens by path: fine for a test's fault injection, but the path can be redirected by a folder
 * swapped for a symlink meanwhile, so production openers must implement {@link #openIn} too.
 *
 * <p>Threading contract: called on worker threads only, never on an event loop; must be safe from
 * several workers at once.
 */
@FunctionalInterface
public interface FileOpener {
    /** Opens through the folder handle ({@link #openIn}); by path where the platform has no handles. */
    FileOpener DEFAULT = new FileOpener() {
        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            return FileChannel.open(path, options);
        }

        @Override
        public FileChannel openIn(SecureDirectoryStream<Path> folder, Path name, Path path,
                                  Set<? extends OpenOption> options) throws IOException {
            return fileChannel(folder.newByteChannel(name, options));
        }
    };

    /** Opens {@code path} (a real path inside the root) by path. */
    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

    /**
     * Opens {@code name} (one name, no separator) in the open {@code folder}; {@code path} is where
     * that is, for openers that look at names. {@code options} hold
     * {@link java.nio.file.LinkOption#NOFOLLOW_LINKS}. The default opens {@code path} by path
     * ({@link #open}): see the class comment.
     */
    default FileChannel openIn(SecureDirectoryStream<Path> folder, Path name, Path path,
                               Set<? extends OpenOption> options) throws IOException {
        return open(path, options);
    }

    /** {@code ch} as a FileChannel (what the JDK returns for files on every platform with folder handles). */
    static FileChannel fileChannel(SeekableByteChannel ch) throws IOException {
        if (ch instanceof FileChannel) {
            return (FileChannel) ch;
        }
        ch.close();
        throw new IOException("the platform opened a " + ch.getClass().getName() + ", not a FileChannel");
    }
}

package ferry.services.file;

import ferry.services.file.RootWalker.At;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An open folder, for listing: its names and each entry's own attributes (a symlink is
 * described, not followed), read relative to the open folder. Close it.
 *
 * <p>Thread safety: one worker thread at a time (a directory stream is single-use).
 */
final class RootFolder implements AutoCloseable {
    private final DirectoryStream<Path> stream;
    private final Path real;

    RootFolder(DirectoryStream<Path> stream, Path real) {
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

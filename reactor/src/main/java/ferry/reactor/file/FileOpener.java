package ferry.reactor.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the files the service reads and writes. The default is {@link FileChannel#open}; tests
 * wrap it to inject what is hard to provoke for real (a disk that fills up mid-upload, a failing
 * read) and prove the service recovers.
 *
 * <p>Threading contract: called on worker threads only, never on an event loop; must be safe from
 * several workers at once.
 */
@FunctionalInterface
public interface FileOpener {
    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}

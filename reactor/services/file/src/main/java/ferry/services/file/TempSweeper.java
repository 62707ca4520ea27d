package ferry.services.file;

import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;

/**
 * Deletes upload temps nobody resumed: a temp whose last write is older than the configured age
 * (by the wall clock the config provides, so tests use a fixed one). Temps of running uploads are
 * never touched ({@link UploadRegistry#deleteIfIdle}). Walks the whole root without following
 * symlinks.
 *
 * <p>Threading contract: {@link #sweep()} does disk work: run it on a worker (the service
 * schedules it periodically); it may run concurrently with uploads.
 */
final class TempSweeper {
    private final Path root;
    private final long maxAgeMillis;
    private final Clock clock;
    private final UploadRegistry uploads;
    private final PathResolver resolver;
    private final FileServiceEvents events;
    private final ServerLog log;
    private final HomeQuotas quotas;

    TempSweeper(Path root, long maxAgeMillis, Clock clock, UploadRegistry uploads, PathResolver resolver,
                FileServiceEvents events, ServerLog log, HomeQuotas quotas) {
        this.quotas = quotas;
        this.root = root;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
        this.uploads = uploads;
        this.resolver = resolver;
        this.events = events;
        this.log = log;
    }

    /** One pass; returns how many temps were deleted. */
    int sweep() throws IOException {
        long cutoff = clock.millis() - maxAgeMillis;
        int[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && UploadTemps.isTempName(file.getFileName().toString())
                        && attrs.lastModifiedTime().toMillis() < cutoff) {
                    try {
                        if (uploads.deleteIfIdle(file)) {
                            quotas.tempRemoved(file, attrs.size());
                            removed[0]++;
                            events.tempRemoved(resolver.rootRelative(file));
                        }
                    } catch (IOException e) {
                        log.warn("could not remove stale upload temp " + file + ": " + e.getMessage());
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE; // vanished or unreadable: not ours to judge
            }
        });
        if (removed[0] > 0) {
            log.info("removed " + removed[0] + " stale upload temp file(s) older than " + maxAgeMillis + " ms");
        }
        return removed[0];
    }
}

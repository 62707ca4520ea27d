package ferry.loadtest;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The folder a harness-started server (in-process or spawned) serves for the file scenarios:
 * the {@code --root} the user named, kept afterwards, or a temporary folder deleted when the
 * run ends.
 *
 * <p>Threading: the coordinator thread.
 */
final class FileRoot implements AutoCloseable {
    private final Path path;
    private final boolean temporary;

    private FileRoot(Path path, boolean temporary) {
        this.path = path;
        this.temporary = temporary;
    }

    /** The root for a run with {@code o}, or null when its scenario moves no files. */
    static FileRoot open(Options o) throws IOException {
        if (!Scenarios.usesFiles(o.scenario)) {
            return null;
        }
        if (o.root != null) {
            return new FileRoot(Files.createDirectories(Path.of(o.root)).toAbsolutePath(), false);
        }
        return new FileRoot(Files.createTempDirectory("ferry-loadtest-"), true);
    }

    Path path() {
        return path;
    }

    /** Deletes a temporary root with everything in it; a {@code --root} stays. */
    @Override
    public void close() {
        if (!temporary) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("ferry-loadtest: could not delete the temporary root " + path + ": " + e);
        }
    }
}

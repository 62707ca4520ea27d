package ferry.cli.sync;

import ferry.client.FileClient;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.BiConsumer;

/**
 * Lists a local folder tree for a sync, without following symbolic links (a link is an
 * {@link TreeEntry.Kind#OTHER}, as rsync without {@code -l} skips it). Downloads in progress
 * ({@code *.ferry-partial}) are not listed: they are neither sent nor deleted.
 */
public final class LocalTree {
    private LocalTree() {}

    /**
     * The tree under the folder {@code top}; a folder or file that cannot be read is reported
     * to {@code problems} and marks the tree incomplete.
     */
    public static Tree scan(Path top, Excludes excludes, BiConsumer<Path, IOException> problems) throws IOException {
        Tree tree = new Tree();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(top)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(top, dir);
                if (excludes.excludes(rel, true)) {
                    tree.add(TreeEntry.dir(rel).asExcluded());
                    return FileVisitResult.SKIP_SUBTREE;
                }
                tree.add(TreeEntry.dir(rel));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().endsWith(FileClient.PARTIAL_SUFFIX)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(top, file);
                TreeEntry e = attrs.isRegularFile()
                        ? TreeEntry.file(rel, attrs.size(), attrs.lastModifiedTime().toMillis())
                        : new TreeEntry(rel, TreeEntry.Kind.OTHER, 0, 0, false);
                tree.add(excludes.excludes(rel, false) ? e.asExcluded() : e);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (file.equals(top)) {
                    throw e;
                }
                tree.markIncomplete();
                problems.accept(file, e);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (e != null) {
                    tree.markIncomplete();
                    problems.accept(dir, e);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return tree;
    }

    private static String relative(Path top, Path p) {
        return top.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }
}

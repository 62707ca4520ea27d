package ferry.services.file;

import ferry.services.file.RootWalker.At;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what is in a folder, bottom up, relative to open folder handles ({@code unlinkat}),
 * never following a symlink: a link is removed, never what it points to. For
 * {@link RootFiles#deleteTree}.
 *
 * <p>Thread safety: stateless; worker threads only (disk).
 */
final class TreeRemover {
    private TreeRemover() {}

    /** Deletes everything in the open folder {@code dir} (at {@code real}); the folder itself stays. */
    static void deleteContents(SecureDirectoryStream<Path> dir, Path real) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path e : dir) {
            names.add(e.getFileName());
        }
        for (Path n : names) {
            BasicFileAttributes a;
            try {
                a = At.attributes(dir, n);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (a.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS)) {
                    deleteContents(sub, real.resolve(n.toString()));
                }
                dir.deleteDirectory(n);
            } else {
                dir.deleteFile(n); // files, symlinks (never what they point to), anything else
            }
        }
    }

}

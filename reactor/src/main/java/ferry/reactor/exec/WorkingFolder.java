package ferry.reactor.exec;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Finds a run's working folder: the user's folder (server root + {@code Session.home()}) or a
 * folder inside it, confined like file paths. Touches the disk: worker threads only.
 *
 * <p>{@code cwd} is '/'-separated and relative to the user's folder; a leading '/' means the user's
 * folder itself, as in file paths ({@code "/logs"} is {@code root/home/logs}, never the system's
 * {@code /logs}). '..' is refused outright, and the folder is resolved through its symlinks and
 * must still be inside the user's folder, so a link planted by the user cannot lead out. The real
 * path is what the command gets, so swapping a link after the check changes nothing.
 */
final class WorkingFolder {
    private WorkingFolder() {}

    static Path resolve(Path root, String home, String cwd) throws OpException {
        Path rootReal = real(root, "the server's root folder");
        String rel = home == null ? "" : home;
        while (rel.startsWith("/")) {
            rel = rel.substring(1); // home is root-relative; a leading '/' must not make it absolute
        }
        Path userReal = real(root.resolve(rel), "your home folder");
        if (!userReal.startsWith(rootReal)) {
            throw OpException.forbidden("your home folder is outside the server root");
        }
        if (cwd == null || cwd.isEmpty()) {
            return userReal;
        }
        Path p = userReal;
        try {
            for (String seg : cwd.split("/")) {
                if (seg.isEmpty() || seg.equals(".")) {
                    continue;
                }
                if (seg.equals("..")) {
                    throw OpException.forbidden("\"cwd\" may not contain '..'");
                }
                p = p.resolve(seg);
            }
        } catch (InvalidPathException e) {
            throw OpException.badRequest("\"cwd\" is not a valid path: " + cwd);
        }
        Path r;
        try {
            r = p.toRealPath();
        } catch (NoSuchFileException e) {
            throw new OpException(ErrorCode.NOT_FOUND, "no such folder: " + cwd);
        } catch (IOException e) {
            throw new OpException(ErrorCode.IO_ERROR, "cannot open folder " + cwd + ": " + e.getMessage());
        }
        if (!r.startsWith(userReal)) {
            throw OpException.forbidden("\"cwd\" " + cwd + " leads outside your folder (through a symbolic link)");
        }
        if (!Files.isDirectory(r)) {
            throw OpException.badRequest("\"cwd\" " + cwd + " is not a folder");
        }
        return r;
    }

    private static Path real(Path p, String what) throws OpException {
        try {
            return p.toRealPath();
        } catch (NoSuchFileException e) {
            throw new OpException(ErrorCode.NOT_FOUND, what + " does not exist");
        } catch (IOException e) {
            throw new OpException(ErrorCode.IO_ERROR, "cannot open " + what + ": " + e.getMessage());
        }
    }
}

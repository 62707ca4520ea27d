package ferry.services.exec;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds a run's working folder: the user's folder (server root + {@code Session.home()}) or a
 * folder inside it, confined like file paths. Touches the disk: worker threads only.
 *
 * <p>{@code cwd} is '/'-separated and relative to the user's folder; a leading '/' means the user's
 * folder itself, as in file paths ({@code "/logs"} is {@code root/home/logs}, never the system's
 * {@code /logs}). '..' is refused outright, and the folder is resolved through its symlinks and
 * must still be inside the user's folder, so a link planted by the user cannot lead out. The real
 * path is what the command gets, so swapping a link after the check changes nothing.
 *
 * <p>Error messages name folders as the client wrote them, never by their path on the server: the
 * JDK's own messages start with the absolute path, so only their reason is kept, and
 * {@link #scrub} is the net for anything else that reaches a client.
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
            String why = reason(e);
            if (why.toLowerCase(Locale.ROOT).contains("not a directory")) {
                throw OpException.badRequest("\"cwd\" " + cwd + " is not a folder (a part of it is a file)");
            }
            throw new OpException(ErrorCode.IO_ERROR, "cannot open folder " + cwd + ": " + why);
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
            throw new OpException(ErrorCode.IO_ERROR, "cannot open " + what + ": " + reason(e));
        }
    }

    /** Why {@code e} happened, without the path the JDK puts first in its message. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String r = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : null;
        return r != null ? r : e.getClass().getSimpleName();
    }

    /**
     * Replaces the server's paths of the user's folder and of the root in {@code message} with what
     * the client knows: {@code /srv/data/alice/logs} becomes {@code /logs} for a user whose folder
     * is {@code alice}, and the root itself {@code (server root)}. A root of {@code /} is left
     * alone (every path would match). Touches the disk (real paths): worker threads only.
     */
    static String scrub(String message, Path root, String home) {
        if (message == null) {
            return null;
        }
        String rel = home == null ? "" : home.replaceFirst("^/+", "");
        String out = message;
        for (Path user : forms(root.resolve(rel))) {
            out = out.replace(user + "/", "/").replace(user.toString(), "/");
        }
        for (Path r : forms(root)) {
            out = out.replace(r.toString(), "(server root)");
        }
        return out;
    }

    /** The absolute and the real form of {@code p}, longest first, without "/" itself. */
    private static List<Path> forms(Path p) {
        List<Path> forms = new ArrayList<>(2);
        Path abs = p.toAbsolutePath().normalize();
        try {
            forms.add(p.toRealPath());
        } catch (IOException | RuntimeException e) {
            // no real form to hide
        }
        if (!forms.contains(abs)) {
            forms.add(abs);
        }
        forms.removeIf(f -> f.getNameCount() == 0);
        forms.sort((a, b) -> b.toString().length() - a.toString().length());
        return forms;
    }
}

package ferry.services.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Turns what the filesystem threw into the ERROR code and message a client can act on:
 * a missing file is {@code not_found}, a full disk is {@code io_error} saying so, and so on.
 * Messages name the path as the client knows it, never the server's real path.
 *
 * <p>Thread safety: stateless.
 */
final class FileErrors {
    private FileErrors() {}

    /** Maps {@code e}, raised while working on {@code shown}, to an OpException. */
    public static OpException map(Throwable e, String shown) {
        if (e instanceof OpException) {
            return (OpException) e;
        }
        if (e instanceof RootFiles.Changed) {
            return new OpException(ErrorCode.CONFLICT, shown + " changed while it was being opened (a folder on the"
                    + " way was replaced, by a symlink or otherwise); nothing was followed: retry", e);
        }
        if (e instanceof NoSuchFileException) {
            return new OpException(ErrorCode.NOT_FOUND, "no such file or folder: " + shown, e);
        }
        if (e instanceof FileAlreadyExistsException) {
            return new OpException(ErrorCode.EXISTS, "already exists: " + shown, e);
        }
        if (e instanceof DirectoryNotEmptyException) {
            return new OpException(ErrorCode.CONFLICT, "folder is not empty: " + shown, e);
        }
        if (e instanceof NotDirectoryException) {
            return new OpException(ErrorCode.BAD_REQUEST, "not a folder: " + shown, e);
        }
        if (e instanceof AccessDeniedException) {
            return new OpException(ErrorCode.FORBIDDEN, "the server has no permission to access " + shown, e);
        }
        String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (isDiskFull(e)) {
            return new OpException(ErrorCode.IO_ERROR, "disk full on the server while writing " + shown, e);
        }
        if (r.contains("file name too long")) {
            return new OpException(ErrorCode.BAD_REQUEST, "name too long for the server's filesystem: " + shown, e);
        }
        if (r.contains("not a directory")) {
            return new OpException(ErrorCode.BAD_REQUEST, "a part of the path is not a folder: " + shown, e);
        }
        if (r.contains("is a directory")) {
            return new OpException(ErrorCode.BAD_REQUEST, "is a folder: " + shown, e);
        }
        if (e instanceof IOException) {
            return new OpException(ErrorCode.IO_ERROR, "I/O error on " + shown + ": "
                    + (reason == null ? e.getClass().getSimpleName() : reason), e);
        }
        return new OpException(ErrorCode.INTERNAL, e.getClass().getSimpleName() + " on " + shown + ": " + e.getMessage(), e);
    }

    /** ENOSPC / EDQUOT, as the JDK words them. */
    public static boolean isDiskFull(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return false;
        }
        String s = m.toLowerCase(Locale.ROOT);
        return s.contains("no space left") || s.contains("disk quota exceeded");
    }
}

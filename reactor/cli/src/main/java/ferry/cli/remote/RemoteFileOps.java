package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.args.Units;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The file-management operations of {@code ferry ls/stat/rm/mkdir/mv} and the shell's commands
 * of the same names, on one connection, with their output formats and the cp/rm/mv conventions
 * ({@code rm} refuses a folder without {@code -r}; {@code mv} into an existing folder keeps the
 * name).
 *
 * <p>Errors: the server's refusals come as {@link RemoteException} (the caller reports them and
 * goes on with the next argument); {@link CliException} for what this side refuses.
 *
 * <p>Thread safety: stateless.
 */
public final class RemoteFileOps {
    static final DateTimeFormatter LS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    static final DateTimeFormatter STAT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx", Locale.ROOT);

    private RemoteFileOps() {}

    /**
     * {@code ls}: a folder's entries, or the file itself; one name per line (folders end with
     * {@code /}; control characters escaped, {@link RemotePaths#displayName}), or with
     * {@code longFormat}: {@code d  4096  2026-11-25 07:51  clips/}.
     */
    public static void list(FileClient fc, String path, PrintStream out, boolean longFormat, boolean human, ZoneId zone)
            throws IOException {
        FileInfo self = fc.stat(path);
        List<FileInfo> entries = self.isDir() ? fc.list(path) : List.of(self);
        if (!longFormat) {
            for (FileInfo e : entries) {
                out.println(RemotePaths.displayName(e.name()) + (e.isDir() ? "/" : ""));
            }
            return;
        }
        int w = 1;
        for (FileInfo e : entries) {
            w = Math.max(w, size(e, human).length());
        }
        for (FileInfo e : entries) {
            out.println(longLine(e, w, human, zone));
        }
    }

    /**
     * {@code d        4096  2026-11-25 07:51  clips/}: type, size, modification time, name (control
     * characters escaped, {@link RemotePaths#displayName}).
     */
    static String longLine(FileInfo e, int sizeWidth, boolean human, ZoneId zone) {
        char type = e.isDir() ? 'd' : e.isFile() ? '-' : '?';
        String time = LS_TIME.format(Instant.ofEpochMilli(e.mtimeMillis()).atZone(zone));
        return type + "  " + " ".repeat(Math.max(0, sizeWidth - size(e, human).length())) + size(e, human) + "  " + time
                + "  " + RemotePaths.displayName(e.name()) + (e.isDir() ? "/" : "");
    }

    private static String size(FileInfo e, boolean human) {
        return human ? Units.formatSize(e.fileSize()) : Long.toString(e.fileSize());
    }

    /** {@code stat}: one {@code name  value} line each; the digest too when {@code alg} is not none. */
    public static void stat(FileClient fc, String path, String shown, DigestAlgorithm alg, PrintStream out, ZoneId zone)
            throws IOException {
        FileInfo i = fc.stat(path, alg);
        row(out, "path", shown);
        row(out, "type", i.isDir() ? "folder" : i.isFile() ? "file" : i.type());
        row(out, "size", i.fileSize() + " bytes" + (i.fileSize() >= 1024 ? " (" + Units.formatSize(i.fileSize()) + ")" : ""));
        row(out, "modified", STAT_TIME.format(Instant.ofEpochMilli(i.mtimeMillis()).atZone(zone)));
        if (!alg.isNone() && i.digest() != null) {
            row(out, alg.wireName(), i.digest());
        }
    }

    private static void row(PrintStream out, String name, String value) {
        out.println(String.format(Locale.ROOT, "%-12s%s", name, value));
    }

    /**
     * {@code rm}: a file, or a folder with {@code recursive} (a folder without it is refused, as
     * rm does). With {@code force} a missing path is not an error.
     */
    public static void remove(FileClient fc, String path, String shown, boolean recursive, boolean force)
            throws IOException, CliException {
        if (path.isEmpty()) {
            throw new CliException("refusing to remove " + shown + ": it is your home folder on the server");
        }
        FileInfo i;
        try {
            i = fc.stat(path);
        } catch (RemoteException e) {
            if (force && ErrorCode.NOT_FOUND.equals(e.code())) {
                return;
            }
            throw e;
        }
        if (i.isDir() && !recursive) {
            throw new CliException(shown + " is a folder (use -r to remove it and everything in it)");
        }
        try {
            fc.delete(path, recursive);
        } catch (RemoteException e) {
            if (!(force && ErrorCode.NOT_FOUND.equals(e.code()))) {
                throw e;
            }
        }
    }

    /** {@code mkdir}: with {@code parents}, missing folders on the way too and an existing folder is fine. */
    public static void mkdir(FileClient fc, String path, boolean parents) throws IOException {
        fc.mkdir(path, parents);
    }

    /**
     * {@code mv}: renames {@code from} to {@code to}, or moves it into {@code to} when that is an
     * existing folder (keeping its name). Replaces an existing file unless {@code noClobber}
     * (then the server's {@code exists} comes back). Returns where it went.
     */
    public static String move(FileClient fc, String from, String to, boolean noClobber) throws IOException {
        String target = to;
        if (to.isEmpty()) {
            target = RemotePaths.name(from); // into the home folder
        } else {
            try {
                if (fc.stat(to).isDir()) {
                    target = RemotePaths.join(to, RemotePaths.name(from));
                }
            } catch (RemoteException e) {
                if (!ErrorCode.NOT_FOUND.equals(e.code())) {
                    throw e;
                }
            }
        }
        fc.rename(from, target, !noClobber);
        return target;
    }
}

package ferry.cli.transfer;

import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.remote.RemotePaths;
import ferry.client.ConnectionSource;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.client.ResilientTransfer;
import ferry.client.RetryPolicy;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Copies files and folder trees the way {@code ferry get}, {@code put} and {@code cp} (and the
 * shell's {@code get} and {@code put}) do: works out the destination like cp and scp, walks
 * folders with {@code -r}, skips existing files with {@code -n} and unchanged ones with
 * {@code --update}/{@code --checksum} ({@link UnchangedCheck}), and moves each file with a
 * {@link ResilientTransfer} (verified, resumed, retried after lost connections) shown by a
 * {@link TransferView}.
 *
 * <h2>Destinations (as cp and scp)</h2>
 * <ul>
 *   <li>Into an existing folder, a source keeps its name: {@code get nas:/a.mp4 videos/} writes
 *       {@code videos/a.mp4}; {@code put -r photos nas:/backup} creates {@code /backup/photos}.
 *   <li>Otherwise the destination is the new name: {@code get nas:/a.mp4 b.mp4};
 *       {@code put -r photos nas:/pics} creates {@code /pics} with the contents of {@code photos}.
 *   <li>Several sources need an existing folder; a destination written with a trailing
 *       {@code /} must be an existing folder.
 *   <li>The server's root as a source ({@code nas:}) copies its contents into the destination.
 * </ul>
 *
 * <h2>Errors</h2>
 * Each failure is one line on stderr ({@code ferry get: 127.0.0.1:7373: no such file or folder: x})
 * and the walk goes on with the next file; a connection that is lost for good (retries used up)
 * ends it. The steps between files (STAT, LIST, MKDIR) reconnect like the transfers do, once the
 * server was reached at all (a server down from the start fails at once, whatever the form of the
 * destination). The exit status is 1 if anything failed, 23 with {@code -r} when some files
 * were copied and others failed; Ctrl-C during a transfer prints one line and exits 130. In a folder tree, symbolic links to folders
 * and special files are skipped, as are local {@code *.ferry-partial} files (downloads in
 * progress) when uploading.
 *
 * <p>Thread safety: none; one command's thread.
 */
public final class FileTransfers {
    /**
     * One server a transfer reads from or writes to.
     *
     * @param conn the connection, replaced after a loss
     * @param host {@code host:port}, for messages
     */
    public record Side(ConnectionSource conn, String host) {
    }

    /** A file or folder on a server. */
    public record RemoteFile(Side side, String path) {
        /** {@code 127.0.0.1:7373:/a/b}. */
        public String shown() {
            return side.host() + ":" + RemotePaths.shown(path);
        }
    }

    private final boolean recursive;
    private final boolean noClobber;
    private final TransferReport report;
    private final RemoteSteps steps;
    private UnchangedCheck unchanged;

    /**
     * @param command {@code ferry get} (or the shell's {@code get}), starting each error line
     */
    FileTransfers(Console console, String command, FileClient.Options options, RetryPolicy policy, boolean recursive,
                  boolean noClobber) {
        this(console, command, options, policy, recursive, noClobber, ResilientTransfer.Sleeper.SYSTEM);
    }

    FileTransfers(Console console, String command, FileClient.Options options, RetryPolicy policy, boolean recursive,
                  boolean noClobber, ResilientTransfer.Sleeper sleeper) {
        this.recursive = recursive;
        this.noClobber = noClobber;
        this.report = new TransferReport(console, command, recursive);
        this.steps = new RemoteSteps(report, options, policy, sleeper);
        this.unchanged = new UnchangedCheck(SkipRule.NEVER, noClobber, steps, report, options.algorithm());
    }

    /** Leaves alone the files the destination has already, as {@code rule} decides (--update, --checksum). */
    public FileTransfers skipping(SkipRule rule) {
        this.unchanged = new UnchangedCheck(rule, noClobber, steps, report, steps.options().algorithm());
        return this;
    }

    /** Where error lines go instead of {@code COMMAND: message} on stderr (the shell numbers them). */
    public FileTransfers reportingTo(Consumer<String> sink) {
        report.reportingTo(sink);
        return this;
    }

    /** From the {@code TransferFlags} of a command or shell action. */
    public static FileTransfers of(Console console, String command, TransferFlags flags, ParsedArgs args) throws UsageException {
        return new FileTransfers(console, command, flags.fileOptions(args), flags.retryPolicy(args),
                flags.recursive(args), flags.noClobber(args)).skipping(flags.skipRule(args));
    }

    // ---- get ------------------------------------------------------------------------------------

    /** Downloads {@code sources} to {@code localArg} (null: the current folder); returns the exit status. */
    public int get(List<RemoteFile> sources, String localArg, Path cwd) {
        return report.interruptible(() -> getFiles(sources, localArg, cwd));
    }

    private int getFiles(List<RemoteFile> sources, String localArg, Path cwd) {
        Path base = cwd.resolve(localArg == null ? "." : localArg);
        boolean baseIsDir = Files.isDirectory(base);
        boolean wantDir = localArg != null && localArg.endsWith("/");
        if (!baseIsDir && (sources.size() > 1 || wantDir)) {
            report.error(null, (Files.exists(base) ? "not a folder: " : "no such folder: ") + localArg
                    + (sources.size() > 1 ? " (several sources need an existing folder)" : ""));
            return report.status();
        }
        try {
            for (RemoteFile src : sources) {
                FileInfo info = steps.stat(src);
                if (info == null) {
                    continue;
                }
                String name = RemotePaths.name(src.path());
                Path dest = baseIsDir && !name.isEmpty() ? base.resolve(name) : base;
                if (info.isDir()) {
                    if (!recursive) {
                        report.error(null, src.shown() + " is a folder (use -r to copy folders)");
                    } else {
                        getTree(src, dest, info.mtimeMillis(), name);
                    }
                } else if (info.isFile()) {
                    getFile(src, dest, info, name);
                } else {
                    report.error(null, src.shown() + " is not a regular file");
                }
            }
        } catch (WalkAborted a) {
            // reported where it happened
        }
        return report.finish();
    }

    private void getTree(RemoteFile dir, Path local, long mtime, String label) throws WalkAborted {
        try {
            if (Files.exists(local) && !Files.isDirectory(local)) {
                report.error(null, "not a folder: " + local + " (for " + dir.shown() + ")");
                return;
            }
            if (!Files.isDirectory(local)) {
                Files.createDirectory(local);
            }
        } catch (IOException e) {
            report.fail(null, label, e);
            return;
        }
        List<FileInfo> entries = steps.list(dir);
        if (entries == null) {
            return;
        }
        for (FileInfo e : entries) {
            if (!steps.safeName(dir, e)) {
                continue;
            }
            RemoteFile child = new RemoteFile(dir.side(), RemotePaths.join(dir.path(), e.name()));
            String childLabel = label.isEmpty() ? e.name() : label + "/" + e.name();
            if (e.isDir()) {
                getTree(child, local.resolve(e.name()), e.mtimeMillis(), childLabel);
            } else if (e.isFile()) {
                getFile(child, local.resolve(e.name()), e, childLabel);
            } else {
                report.note(childLabel + ": skipped, not a regular file");
            }
        }
        keepTime(local, mtime);
    }

    private void getFile(RemoteFile src, Path dest, FileInfo info, String label) throws WalkAborted {
        if (Files.isDirectory(dest)) {
            report.error(null, "not replacing the folder " + dest + " with the file " + src.shown());
            return;
        }
        if (noClobber && Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            report.existing(label);
            return;
        }
        if (unchanged.skipUnchanged(() -> unchanged.localCopyOf(src, info, dest), label)) {
            return;
        }
        Path parent = dest.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            report.error(null, "no such folder: " + parent);
            return;
        }
        TransferView view = report.start(label, info.fileSize());
        try {
            ResilientTransfer.Result r = steps.transfer(src.side()).download(src.path(), dest, view);
            report.done(view, r);
        } catch (IOException e) {
            report.abort(view);
            report.fail(src.side().host(), label, e);
        }
    }

    // ---- put ------------------------------------------------------------------------------------

    /** Uploads {@code locals} (relative to {@code cwd}) to {@code targetPath} on {@code target}; returns the exit status. */
    public int put(List<String> locals, Path cwd, Side target, String targetPath) {
        return report.interruptible(() -> putFiles(locals, cwd, target, targetPath));
    }

    private int putFiles(List<String> locals, Path cwd, Side target, String targetPath) {
        try {
            String tp = RemotePaths.strip(targetPath);
            Boolean isDir = steps.targetIsFolder(target, targetPath, locals.size());
            if (isDir == null) {
                return report.finish();
            }
            for (String arg : locals) {
                Path local = cwd.resolve(arg);
                if (!Files.exists(local)) {
                    report.error(null, "no such file or folder: " + arg);
                    continue;
                }
                Path abs = local.toAbsolutePath().normalize();
                String name = abs.getFileName() == null ? "" : abs.getFileName().toString();
                String dest = isDir && !name.isEmpty() ? RemotePaths.join(tp, name) : tp;
                String label = name.isEmpty() ? "/" : name;
                if (Files.isDirectory(local)) {
                    if (!recursive) {
                        report.error(null, arg + " is a folder (use -r to copy folders)");
                    } else {
                        putTree(local, new RemoteFile(target, dest), name);
                    }
                } else if (Files.isRegularFile(local)) {
                    if (dest.isEmpty()) {
                        report.error(null, "cannot replace the home folder with the file " + arg);
                    } else {
                        putFile(local, new RemoteFile(target, dest), label);
                    }
                } else {
                    report.error(null, arg + " is not a regular file");
                }
            }
        } catch (WalkAborted a) {
            // reported where it happened
        }
        return report.finish();
    }

    /**
     * Uploads {@code local} (stdin, spooled to a file) as exactly {@code targetPath}, which names
     * a file (an existing folder there is an error: the data has no name to keep); {@code label}
     * stands for it in messages. Returns the exit status.
     */
    int putAs(Path local, String label, Side target, String targetPath) {
        return report.interruptible(() -> {
            try {
                String tp = RemotePaths.strip(targetPath);
                Boolean isDir = steps.targetIsFolder(target, targetPath, 1);
                if (isDir == null) {
                    return report.finish();
                }
                RemoteFile dest = new RemoteFile(target, tp);
                if (isDir) {
                    report.error(null, dest.shown() + " is a folder: name the file to write in it (" + dest.shown() + "/NAME)");
                } else {
                    putFile(local, dest, label);
                }
            } catch (WalkAborted a) {
                // reported where it happened
            }
            return report.finish();
        });
    }

    private void putTree(Path dir, RemoteFile remote, String label) throws WalkAborted {
        if (!steps.mkdir(remote)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        } catch (IOException e) {
            report.fail(null, label, e);
            return;
        }
        children.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path child : children) {
            String name = child.getFileName().toString();
            String childLabel = label.isEmpty() ? name : label + "/" + name;
            RemoteFile target = new RemoteFile(remote.side(), RemotePaths.join(remote.path(), name));
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                putTree(child, target, childLabel);
            } else if (Files.isSymbolicLink(child) && Files.isDirectory(child)) {
                report.note(childLabel + ": skipped, a symbolic link to a folder");
            } else if (Files.isRegularFile(child)) {
                if (name.endsWith(FileClient.PARTIAL_SUFFIX)) {
                    report.note(childLabel + ": skipped, a download in progress");
                } else {
                    putFile(child, target, childLabel);
                }
            } else {
                report.note(childLabel + ": skipped, not a regular file");
            }
        }
    }

    private void putFile(Path local, RemoteFile dest, String label) throws WalkAborted {
        if (unchanged.alreadyThere(dest, label, there -> unchanged.remoteCopyOf(local, dest, there))) {
            return;
        }
        long size;
        try {
            size = Files.size(local);
        } catch (IOException e) {
            report.fail(null, label, e);
            return;
        }
        TransferView view = report.start(label, size);
        try {
            ResilientTransfer.Result r = steps.transfer(dest.side()).upload(local, dest.path(), view);
            report.done(view, r);
        } catch (IOException e) {
            report.abort(view);
            if (noClobber && e instanceof RemoteException re && ErrorCode.EXISTS.equals(re.code())) {
                report.existing(label); // created meanwhile by someone else: still not ours to replace
                return;
            }
            report.fail(dest.side().host(), label, e);
        }
    }

    // ---- cp -------------------------------------------------------------------------------------

    /** Copies {@code sources} to {@code targetPath} on {@code target}, server to server; returns the exit status. */
    int copy(List<RemoteFile> sources, Side target, String targetPath) {
        return report.interruptible(() -> copyFiles(sources, target, targetPath));
    }

    private int copyFiles(List<RemoteFile> sources, Side target, String targetPath) {
        try {
            String tp = RemotePaths.strip(targetPath);
            Boolean isDir = steps.targetIsFolder(target, targetPath, sources.size());
            if (isDir == null) {
                return report.finish();
            }
            for (RemoteFile src : sources) {
                FileInfo info = steps.stat(src);
                if (info == null) {
                    continue;
                }
                String name = RemotePaths.name(src.path());
                String dest = isDir && !name.isEmpty() ? RemotePaths.join(tp, name) : tp;
                String label = name.isEmpty() ? "/" : name;
                if (info.isDir()) {
                    if (!recursive) {
                        report.error(null, src.shown() + " is a folder (use -r to copy folders)");
                    } else {
                        copyTree(src, new RemoteFile(target, dest), name);
                    }
                } else if (info.isFile()) {
                    if (dest.isEmpty()) {
                        report.error(null, "cannot replace the home folder with the file " + src.shown());
                    } else {
                        copyFile(src, new RemoteFile(target, dest), info, label);
                    }
                } else {
                    report.error(null, src.shown() + " is not a regular file");
                }
            }
        } catch (WalkAborted a) {
            // reported where it happened
        }
        return report.finish();
    }

    private void copyTree(RemoteFile dir, RemoteFile target, String label) throws WalkAborted {
        if (!steps.mkdir(target)) {
            return;
        }
        List<FileInfo> entries = steps.list(dir);
        if (entries == null) {
            return;
        }
        for (FileInfo e : entries) {
            if (!steps.safeName(dir, e)) {
                continue;
            }
            RemoteFile child = new RemoteFile(dir.side(), RemotePaths.join(dir.path(), e.name()));
            RemoteFile childTarget = new RemoteFile(target.side(), RemotePaths.join(target.path(), e.name()));
            String childLabel = label.isEmpty() ? e.name() : label + "/" + e.name();
            if (e.isDir()) {
                copyTree(child, childTarget, childLabel);
            } else if (e.isFile()) {
                copyFile(child, childTarget, e, childLabel);
            } else {
                report.note(childLabel + ": skipped, not a regular file");
            }
        }
    }

    private void copyFile(RemoteFile src, RemoteFile dest, FileInfo info, String label) throws WalkAborted {
        if (unchanged.alreadyThere(dest, label, there -> unchanged.serverCopyOf(src, info, dest, there))) {
            return;
        }
        TransferView view = report.start(label, info.fileSize());
        try {
            ResilientTransfer.Result r = steps.transfer(src.side()).copy(src.path(), dest.side().conn(), dest.path(), view);
            report.done(view, r);
        } catch (IOException e) {
            report.abort(view);
            if (noClobber && e instanceof RemoteException re && ErrorCode.EXISTS.equals(re.code())) {
                report.existing(label);
                return;
            }
            report.fail(null, label, e); // a refusal may come from either server: its message names the path
        }
    }

    // ---- shared steps ---------------------------------------------------------------------------

    private void keepTime(Path local, long mtimeMillis) {
        if (!steps.options().preserveTimes()) {
            return;
        }
        try {
            Files.setLastModifiedTime(local, FileTime.fromMillis(mtimeMillis));
        } catch (IOException e) {
            report.note(local + ": could not set its modification time: " + ErrorMessages.describe(e));
        }
    }
}

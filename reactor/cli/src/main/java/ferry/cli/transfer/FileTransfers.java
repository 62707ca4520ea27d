package ferry.cli.transfer;

import ferry.cli.Cli;
import ferry.cli.Console;
import ferry.cli.ErrorMessages;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Units;
import ferry.cli.args.UsageException;
import ferry.cli.remote.RemotePaths;
import ferry.client.ConnectionSource;
import ferry.client.DigestMismatchException;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.client.ResilientTransfer;
import ferry.client.RetriesExhaustedException;
import ferry.client.RetryPolicy;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Copies files and folder trees the way {@code ferry get}, {@code put} and {@code cp} (and the
 * shell's {@code get} and {@code put}) do: works out the destination like cp and scp, walks
 * folders with {@code -r}, skips existing files with {@code -n}, and moves each file with a
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
        String shown() {
            return side.host() + ":" + RemotePaths.shown(path);
        }
    }

    /** The walk cannot go on: the connection is gone for good. */
    private static final class Abort extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private final Console console;
    private final String command;
    private final FileClient.Options options;
    private final RetryPolicy policy;
    private final boolean recursive;
    private final boolean noClobber;
    private final ResilientTransfer.Sleeper sleeper;
    private Consumer<String> errors;
    private final Random random = new Random();
    private final long t0 = System.nanoTime();
    private int files;
    private int skipped;
    private int failed;
    private long bytes;
    /** Whether the last {@link #statOrNull} failed for another reason than not_found (and reported it). */
    private boolean failedLast;
    /** The file being transferred, for {@link #interrupted()} on Ctrl-C; null between files. */
    private volatile TransferView active;
    /** Connections that worked at least once: only those are retried when lost. */
    private final Map<ConnectionSource, Boolean> reached = new IdentityHashMap<>();

    /**
     * @param command {@code ferry get} (or the shell's {@code get}), starting each error line
     */
    FileTransfers(Console console, String command, FileClient.Options options, RetryPolicy policy, boolean recursive,
                  boolean noClobber) {
        this(console, command, options, policy, recursive, noClobber, ResilientTransfer.Sleeper.SYSTEM);
    }

    FileTransfers(Console console, String command, FileClient.Options options, RetryPolicy policy, boolean recursive,
                  boolean noClobber, ResilientTransfer.Sleeper sleeper) {
        this.console = console;
        this.command = command;
        this.options = options;
        this.policy = policy;
        this.recursive = recursive;
        this.noClobber = noClobber;
        this.sleeper = sleeper;
        this.errors = message -> {
            console.out().flush();
            console.err().println(command + ": " + message);
            console.err().flush();
        };
    }

    /** Where error lines go instead of {@code COMMAND: message} on stderr (the shell numbers them). */
    public FileTransfers reportingTo(Consumer<String> sink) {
        this.errors = sink;
        return this;
    }

    /** From the {@code TransferFlags} of a command or shell action. */
    public static FileTransfers of(Console console, String command, TransferFlags flags, ParsedArgs args) throws UsageException {
        return new FileTransfers(console, command, flags.fileOptions(args), flags.retryPolicy(args),
                flags.recursive(args), flags.noClobber(args));
    }

    // ---- get ------------------------------------------------------------------------------------

    /** Downloads {@code sources} to {@code localArg} (null: the current folder); returns the exit status. */
    public int get(List<RemoteFile> sources, String localArg, Path cwd) {
        return interruptible(() -> getFiles(sources, localArg, cwd));
    }

    private int getFiles(List<RemoteFile> sources, String localArg, Path cwd) {
        Path base = cwd.resolve(localArg == null ? "." : localArg);
        boolean baseIsDir = Files.isDirectory(base);
        boolean wantDir = localArg != null && localArg.endsWith("/");
        if (!baseIsDir && (sources.size() > 1 || wantDir)) {
            error(null, (Files.exists(base) ? "not a folder: " : "no such folder: ") + localArg
                    + (sources.size() > 1 ? " (several sources need an existing folder)" : ""));
            return status();
        }
        try {
            for (RemoteFile src : sources) {
                FileInfo info = stat(src);
                if (info == null) {
                    continue;
                }
                String name = RemotePaths.name(src.path());
                Path dest = baseIsDir && !name.isEmpty() ? base.resolve(name) : base;
                if (info.isDir()) {
                    if (!recursive) {
                        error(null, src.shown() + " is a folder (use -r to copy folders)");
                    } else {
                        getTree(src, dest, info.mtimeMillis(), name);
                    }
                } else if (info.isFile()) {
                    getFile(src, dest, info.fileSize(), name);
                } else {
                    error(null, src.shown() + " is not a regular file");
                }
            }
        } catch (Abort a) {
            // reported where it happened
        }
        return finish();
    }

    private void getTree(RemoteFile dir, Path local, long mtime, String label) throws Abort {
        try {
            if (Files.exists(local) && !Files.isDirectory(local)) {
                error(null, "not a folder: " + local + " (for " + dir.shown() + ")");
                return;
            }
            if (!Files.isDirectory(local)) {
                Files.createDirectory(local);
            }
        } catch (IOException e) {
            fail(null, label, e);
            return;
        }
        List<FileInfo> entries = list(dir);
        if (entries == null) {
            return;
        }
        for (FileInfo e : entries) {
            if (!RemotePaths.isSafeName(e.name())) {
                error(null, dir.shown() + " lists an entry named '" + RemotePaths.displayName(e.name())
                        + "', which is not a file name: skipped");
                continue;
            }
            RemoteFile child = new RemoteFile(dir.side(), RemotePaths.join(dir.path(), e.name()));
            String childLabel = label.isEmpty() ? e.name() : label + "/" + e.name();
            if (e.isDir()) {
                getTree(child, local.resolve(e.name()), e.mtimeMillis(), childLabel);
            } else if (e.isFile()) {
                getFile(child, local.resolve(e.name()), e.fileSize(), childLabel);
            } else {
                note(childLabel + ": skipped, not a regular file");
            }
        }
        keepTime(local, mtime);
    }

    private void getFile(RemoteFile src, Path dest, long size, String label) throws Abort {
        if (Files.isDirectory(dest)) {
            error(null, "not replacing the folder " + dest + " with the file " + src.shown());
            return;
        }
        if (noClobber && Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            skip(label);
            return;
        }
        Path parent = dest.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            error(null, "no such folder: " + parent);
            return;
        }
        TransferView view = new TransferView(console, command, label, size);
        active = view;
        try {
            ResilientTransfer.Result r = transfer(src.side()).download(src.path(), dest, view);
            view.finish(r);
            done(r);
        } catch (IOException e) {
            active = null;
            view.abort();
            fail(src.side(), label, e);
        }
    }

    // ---- put ------------------------------------------------------------------------------------

    /** Uploads {@code locals} (relative to {@code cwd}) to {@code targetPath} on {@code target}; returns the exit status. */
    public int put(List<String> locals, Path cwd, Side target, String targetPath) {
        return interruptible(() -> putFiles(locals, cwd, target, targetPath));
    }

    private int putFiles(List<String> locals, Path cwd, Side target, String targetPath) {
        try {
            String tp = RemotePaths.strip(targetPath);
            Boolean isDir = targetIsFolder(target, targetPath, locals.size());
            if (isDir == null) {
                return finish();
            }
            for (String arg : locals) {
                Path local = cwd.resolve(arg);
                if (!Files.exists(local)) {
                    error(null, "no such file or folder: " + arg);
                    continue;
                }
                Path abs = local.toAbsolutePath().normalize();
                String name = abs.getFileName() == null ? "" : abs.getFileName().toString();
                String dest = isDir && !name.isEmpty() ? RemotePaths.join(tp, name) : tp;
                String label = name.isEmpty() ? "/" : name;
                if (Files.isDirectory(local)) {
                    if (!recursive) {
                        error(null, arg + " is a folder (use -r to copy folders)");
                    } else {
                        putTree(local, new RemoteFile(target, dest), name);
                    }
                } else if (Files.isRegularFile(local)) {
                    if (dest.isEmpty()) {
                        error(null, "cannot replace the home folder with the file " + arg);
                    } else {
                        putFile(local, new RemoteFile(target, dest), label);
                    }
                } else {
                    error(null, arg + " is not a regular file");
                }
            }
        } catch (Abort a) {
            // reported where it happened
        }
        return finish();
    }

    /**
     * Uploads {@code local} (stdin, spooled to a file) as exactly {@code targetPath}, which names
     * a file (an existing folder there is an error: the data has no name to keep); {@code label}
     * stands for it in messages. Returns the exit status.
     */
    int putAs(Path local, String label, Side target, String targetPath) {
        return interruptible(() -> {
            try {
                String tp = RemotePaths.strip(targetPath);
                Boolean isDir = targetIsFolder(target, targetPath, 1);
                if (isDir == null) {
                    return finish();
                }
                RemoteFile dest = new RemoteFile(target, tp);
                if (isDir) {
                    error(null, dest.shown() + " is a folder: name the file to write in it (" + dest.shown() + "/NAME)");
                } else {
                    putFile(local, dest, label);
                }
            } catch (Abort a) {
                // reported where it happened
            }
            return finish();
        });
    }

    private void putTree(Path dir, RemoteFile remote, String label) throws Abort {
        if (!mkdir(remote)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        } catch (IOException e) {
            fail(null, label, e);
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
                note(childLabel + ": skipped, a symbolic link to a folder");
            } else if (Files.isRegularFile(child)) {
                if (name.endsWith(FileClient.PARTIAL_SUFFIX)) {
                    note(childLabel + ": skipped, a download in progress");
                } else {
                    putFile(child, target, childLabel);
                }
            } else {
                note(childLabel + ": skipped, not a regular file");
            }
        }
    }

    private void putFile(Path local, RemoteFile dest, String label) throws Abort {
        if (noClobber) {
            FileInfo there = statOrNull(dest);
            if (there == null && failedLast) {
                return;
            }
            if (there != null) {
                skip(label);
                return;
            }
        }
        long size;
        try {
            size = Files.size(local);
        } catch (IOException e) {
            fail(null, label, e);
            return;
        }
        TransferView view = new TransferView(console, command, label, size);
        active = view;
        try {
            ResilientTransfer.Result r = transfer(dest.side()).upload(local, dest.path(), view);
            view.finish(r);
            done(r);
        } catch (IOException e) {
            active = null;
            view.abort();
            if (noClobber && e instanceof RemoteException re && ErrorCode.EXISTS.equals(re.code())) {
                skip(label); // created meanwhile by someone else: still not ours to replace
                return;
            }
            fail(dest.side(), label, e);
        }
    }

    // ---- cp -------------------------------------------------------------------------------------

    /** Copies {@code sources} to {@code targetPath} on {@code target}, server to server; returns the exit status. */
    int copy(List<RemoteFile> sources, Side target, String targetPath) {
        return interruptible(() -> copyFiles(sources, target, targetPath));
    }

    private int copyFiles(List<RemoteFile> sources, Side target, String targetPath) {
        try {
            String tp = RemotePaths.strip(targetPath);
            Boolean isDir = targetIsFolder(target, targetPath, sources.size());
            if (isDir == null) {
                return finish();
            }
            for (RemoteFile src : sources) {
                FileInfo info = stat(src);
                if (info == null) {
                    continue;
                }
                String name = RemotePaths.name(src.path());
                String dest = isDir && !name.isEmpty() ? RemotePaths.join(tp, name) : tp;
                String label = name.isEmpty() ? "/" : name;
                if (info.isDir()) {
                    if (!recursive) {
                        error(null, src.shown() + " is a folder (use -r to copy folders)");
                    } else {
                        copyTree(src, new RemoteFile(target, dest), name);
                    }
                } else if (info.isFile()) {
                    if (dest.isEmpty()) {
                        error(null, "cannot replace the home folder with the file " + src.shown());
                    } else {
                        copyFile(src, new RemoteFile(target, dest), info.fileSize(), label);
                    }
                } else {
                    error(null, src.shown() + " is not a regular file");
                }
            }
        } catch (Abort a) {
            // reported where it happened
        }
        return finish();
    }

    private void copyTree(RemoteFile dir, RemoteFile target, String label) throws Abort {
        if (!mkdir(target)) {
            return;
        }
        List<FileInfo> entries = list(dir);
        if (entries == null) {
            return;
        }
        for (FileInfo e : entries) {
            if (!RemotePaths.isSafeName(e.name())) {
                error(null, dir.shown() + " lists an entry named '" + RemotePaths.displayName(e.name())
                        + "', which is not a file name: skipped");
                continue;
            }
            RemoteFile child = new RemoteFile(dir.side(), RemotePaths.join(dir.path(), e.name()));
            RemoteFile childTarget = new RemoteFile(target.side(), RemotePaths.join(target.path(), e.name()));
            String childLabel = label.isEmpty() ? e.name() : label + "/" + e.name();
            if (e.isDir()) {
                copyTree(child, childTarget, childLabel);
            } else if (e.isFile()) {
                copyFile(child, childTarget, e.fileSize(), childLabel);
            } else {
                note(childLabel + ": skipped, not a regular file");
            }
        }
    }

    private void copyFile(RemoteFile src, RemoteFile dest, long size, String label) throws Abort {
        if (noClobber) {
            FileInfo there = statOrNull(dest);
            if (there == null && failedLast) {
                return;
            }
            if (there != null) {
                skip(label);
                return;
            }
        }
        TransferView view = new TransferView(console, command, label, size);
        active = view;
        try {
            ResilientTransfer.Result r = transfer(src.side()).copy(src.path(), dest.side().conn(), dest.path(), view);
            view.finish(r);
            done(r);
        } catch (IOException e) {
            active = null;
            view.abort();
            if (noClobber && e instanceof RemoteException re && ErrorCode.EXISTS.equals(re.code())) {
                skip(label);
                return;
            }
            fail(null, label, e); // a refusal may come from either server: its message names the path
        }
    }

    // ---- shared steps ---------------------------------------------------------------------------

    private ResilientTransfer transfer(Side side) {
        return new ResilientTransfer(side.conn(), options, policy, sleeper, random);
    }

    /** A file-management step (STAT, LIST, MKDIR) on {@code side}'s connection. */
    @FunctionalInterface
    private interface Step<T> {
        T run(FileClient fc) throws IOException;
    }

    /**
     * Runs {@code step}, and after a lost connection reconnects and runs it again, as transfers
     * do (same policy): a tree walk survives a drop between two files. Only once the side was
     * reached at all: a server that is down from the start fails at once, as scp does. The steps
     * may run twice: STAT and LIST read, and a MKDIR whose answer was lost finds its folder.
     */
    private <T> T step(Side side, Step<T> step) throws IOException {
        int failures = 0;
        while (true) {
            try {
                T result = step.run(new FileClient(side.conn().connection(), options));
                reached.put(side.conn(), Boolean.TRUE);
                return result;
            } catch (IOException e) {
                boolean wasReached = e instanceof RemoteException || reached.containsKey(side.conn());
                if (!wasReached || !policy.shouldRetry(e)) {
                    throw e;
                }
                if (!(e instanceof RemoteException)) {
                    side.conn().discard();
                }
                if (++failures > policy.maxAttempts()) {
                    throw new RetriesExhaustedException(policy.maxAttempts(), e);
                }
                long wait = policy.waitMillis(failures, random);
                console.out().flush();
                console.err().println(command + ": connection to " + side.host() + " lost ("
                        + ErrorMessages.describe(e) + "); reconnecting in " + Units.formatElapsed(wait * 1_000_000L)
                        + " (attempt " + failures + " of " + policy.maxAttempts() + ")");
                console.err().flush();
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting to reconnect");
                }
            }
        }
    }

    /**
     * Whether the upload or copy destination is a folder the sources go into (true), a name to
     * create or replace (false), or unusable (null, reported).
     */
    private Boolean targetIsFolder(Side target, String targetPath, int sources) throws Abort {
        String tp = RemotePaths.strip(targetPath);
        if (tp.isEmpty()) {
            // The home folder, a folder by definition; but reach the server now, as every other
            // destination's STAT does: one that is down from the start fails at once, not retried.
            return reach(target) ? Boolean.TRUE : null;
        }
        RemoteFile t = new RemoteFile(target, tp);
        FileInfo info = statOrNull(t);
        if (info == null && failedLast) {
            return null;
        }
        if (info != null && info.isDir()) {
            return true;
        }
        if (sources > 1 || targetPath.endsWith("/")) {
            error(null, (info == null ? "no such folder: " : "not a folder: ") + t.shown()
                    + (sources > 1 ? " (several sources need an existing folder)" : ""));
            return null;
        }
        return false;
    }

    /** Connects to {@code side} (HELLO, login) unless it was reached already; false when that failed (reported). */
    private boolean reach(Side side) throws Abort {
        try {
            step(side, fc -> null);
            return true;
        } catch (IOException e) {
            fail(side, null, e);
            return false;
        }
    }

    /** Creates the folder {@code remote} (an existing folder is fine); false when that failed (reported). */
    private boolean mkdir(RemoteFile remote) throws Abort {
        if (remote.path().isEmpty()) {
            return true;
        }
        try {
            step(remote.side(), fc -> {
                fc.mkdir(remote.path(), false);
                return null;
            });
            return true;
        } catch (RemoteException e) {
            if (!ErrorCode.EXISTS.equals(e.code())) {
                fail(remote.side(), null, e);
                return false;
            }
        } catch (IOException e) {
            fail(remote.side(), null, e);
            return false;
        }
        FileInfo info = statOrNull(remote);
        if (info != null && !info.isDir()) {
            error(null, "not a folder: " + remote.shown());
            return false;
        }
        return info != null;
    }

    /** STAT, or null when there is no such file (failedLast false) or it failed otherwise (reported; failedLast true). */
    private FileInfo statOrNull(RemoteFile f) throws Abort {
        failedLast = false;
        try {
            return step(f.side(), fc -> fc.stat(f.path()));
        } catch (RemoteException e) {
            if (ErrorCode.NOT_FOUND.equals(e.code())) {
                return null;
            }
            failedLast = true;
            fail(f.side(), null, e);
            return null;
        } catch (IOException e) {
            failedLast = true;
            fail(f.side(), null, e);
            return null;
        }
    }

    /** STAT, or null when it failed (reported, not_found included). */
    private FileInfo stat(RemoteFile f) throws Abort {
        try {
            return step(f.side(), fc -> fc.stat(f.path()));
        } catch (IOException e) {
            fail(f.side(), null, e);
            return null;
        }
    }

    private List<FileInfo> list(RemoteFile dir) throws Abort {
        try {
            return step(dir.side(), fc -> fc.list(dir.path()));
        } catch (IOException e) {
            fail(dir.side(), null, e);
            return null;
        }
    }

    private void keepTime(Path local, long mtimeMillis) {
        if (!options.preserveTimes()) {
            return;
        }
        try {
            Files.setLastModifiedTime(local, FileTime.fromMillis(mtimeMillis));
        } catch (IOException e) {
            note(local + ": could not set its modification time: " + ErrorMessages.describe(e));
        }
    }

    private void done(ResilientTransfer.Result r) {
        active = null;
        files++;
        bytes += r.fileSize();
    }

    private void skip(String label) {
        skipped++;
        note(label + ": exists, skipped (--no-clobber)");
    }

    /** A detail line on stderr, shown with --verbose. */
    private void note(String line) {
        console.detail(command + ": " + line);
    }

    /** One error line on stderr; the walk goes on. */
    private void error(String where, String message) {
        failed++;
        errors.accept((where == null ? "" : where + ": ") + ErrorMessages.oneLine(message));
    }

    /**
     * Reports {@code e} (naming the server for a refusal, else the file) and decides: a refusal,
     * a local file problem or a digest mismatch ends only this file; a connection lost for good
     * ends the walk.
     */
    private void fail(Side side, String label, IOException e) throws Abort {
        String where = e instanceof RemoteException && side != null ? side.host() : label;
        error(where, e instanceof RemoteException r ? ErrorMessages.remote(r) : ErrorMessages.describe(e));
        boolean thisFileOnly = e instanceof RemoteException || e instanceof FileSystemException
                || e instanceof DigestMismatchException;
        if (!thisFileOnly) {
            throw new Abort(); // lost for good (retries used up or off), or a refused login on reconnect
        }
    }

    /** Runs {@code body} with {@link #interrupted} as the shutdown hook for Ctrl-C. */
    private int interruptible(java.util.function.IntSupplier body) {
        Thread onInterrupt = new Thread(this::interrupted, "ferry-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            return body.getAsInt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException exiting) {
                // the JVM is already stopping: the hook runs
            }
        }
    }

    /**
     * Ctrl-C (or SIGTERM) during a transfer, on the shutdown hook's thread: ends the progress
     * bar's line, says what was kept ({@code ferry get: interrupted: partial kept, run again to
     * resume}: a download's {@code .ferry-partial}, an upload's temp on the server) and exits
     * with 130, as shells report an interrupted command.
     */
    private void interrupted() {
        TransferView view = active;
        if (view != null) {
            view.abort();
        }
        console.out().flush();
        console.err().println(command + ": interrupted" + (view != null ? ": partial kept, run again to resume" : ""));
        console.err().flush();
        Runtime.getRuntime().halt(EXIT_INTERRUPTED);
    }

    /** The status of a command stopped by Ctrl-C: 128 + SIGINT, as a shell reports it. */
    static final int EXIT_INTERRUPTED = 130;

    /** The totals line after several files (on a terminal, or with --verbose), and the exit status. */
    private int finish() {
        if (files + skipped + failed > 1 && console.summaries()) {
            console.out().println(files + (files == 1 ? " file, " : " files, ") + Units.formatSize(bytes) + " in "
                    + Units.formatElapsed(System.nanoTime() - t0)
                    + (skipped > 0 ? ", " + skipped + " skipped (they exist)" : "")
                    + (failed > 0 ? ", " + failed + " failed" : ""));
        }
        console.out().flush();
        return status();
    }

    /**
     * 0 when everything worked; with {@code -r}, {@value #EXIT_PARTIAL} (rsync's "partial
     * transfer") when some files failed and others arrived or were already there; else 1.
     */
    private int status() {
        if (failed == 0) {
            return Cli.EXIT_OK;
        }
        return recursive && files + skipped > 0 ? EXIT_PARTIAL : Cli.EXIT_FAILURE;
    }

    /** rsync's exit status for a partial transfer: some files of a tree failed, the others were copied. */
    static final int EXIT_PARTIAL = 23;
}

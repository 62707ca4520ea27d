package ferry.cli.transfer;

import ferry.cli.command.ErrorMessages;
import ferry.cli.args.Units;
import ferry.cli.remote.RemotePaths;
import ferry.cli.transfer.FileTransfers.RemoteFile;
import ferry.cli.transfer.FileTransfers.Side;
import ferry.client.ConnectionSource;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.client.ResilientTransfer;
import ferry.client.RetriesExhaustedException;
import ferry.client.RetryPolicy;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The file-management steps between transfers (STAT, LIST, MKDIR), each retried after a lost
 * connection with the transfers' own policy, and the {@link ResilientTransfer}s themselves.
 * Failures are reported to the {@link TransferReport}; the methods answer null or false then.
 *
 * <p>Thread safety: none; one command's thread.
 */
public final class RemoteSteps {
    /** A step on one side's connection. */
    @FunctionalInterface
    public interface Step<T> {
        T run(FileClient fc) throws IOException;
    }

    private final TransferReport report;
    private final FileClient.Options options;
    private final RetryPolicy policy;
    private final ResilientTransfer.Sleeper sleeper;
    private final Random random = new Random();
    /** Connections that worked at least once: only those are retried when lost. */
    private final Map<ConnectionSource, Boolean> reached = new IdentityHashMap<>();
    /** Whether the last {@link #statOrNull} failed for another reason than not_found (and reported it). */
    private boolean failedLast;

    public RemoteSteps(TransferReport report, FileClient.Options options, RetryPolicy policy,
                ResilientTransfer.Sleeper sleeper) {
        this.report = report;
        this.options = options;
        this.policy = policy;
        this.sleeper = sleeper;
    }

    public FileClient.Options options() {
        return options;
    }

    public ResilientTransfer transfer(Side side) {
        return new ResilientTransfer(side.conn(), options, policy, sleeper, random);
    }

    /**
     * Runs {@code step}, and after a lost connection reconnects and runs it again, as transfers
     * do (same policy): a tree walk survives a drop between two files. Only once the side was
     * reached at all: a server that is down from the start fails at once, as scp does. The steps
     * may run twice: STAT and LIST read, and a MKDIR whose answer was lost finds its folder.
     */
    public <T> T step(Side side, Step<T> step) throws IOException {
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
                waitToReconnect(side, e, failures);
            }
        }
    }

    private void waitToReconnect(Side side, IOException e, int failures) throws InterruptedIOException {
        long wait = policy.waitMillis(failures, random);
        report.console().out().flush();
        report.console().err().println(report.command() + ": connection to " + side.host() + " lost ("
                + ErrorMessages.describe(e) + "); reconnecting in " + Units.formatElapsed(wait * 1_000_000L)
                + " (attempt " + failures + " of " + policy.maxAttempts() + ")");
        report.console().err().flush();
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to reconnect");
        }
    }

    /**
     * Whether the upload or copy destination is a folder the sources go into (true), a name to
     * create or replace (false), or unusable (null, reported).
     */
    Boolean targetIsFolder(Side target, String targetPath, int sources) throws WalkAborted {
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
            report.error(null, (info == null ? "no such folder: " : "not a folder: ") + t.shown()
                    + (sources > 1 ? " (several sources need an existing folder)" : ""));
            return null;
        }
        return false;
    }

    /** Connects to {@code side} (HELLO, login) unless it was reached already; false when that failed (reported). */
    boolean reach(Side side) throws WalkAborted {
        try {
            step(side, fc -> null);
            return true;
        } catch (IOException e) {
            report.fail(side.host(), null, e);
            return false;
        }
    }

    /** Creates the folder {@code remote} (an existing folder is fine); false when that failed (reported). */
    boolean mkdir(RemoteFile remote) throws WalkAborted {
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
                report.fail(remote.side().host(), null, e);
                return false;
            }
        } catch (IOException e) {
            report.fail(remote.side().host(), null, e);
            return false;
        }
        FileInfo info = statOrNull(remote);
        if (info != null && !info.isDir()) {
            report.error(null, "not a folder: " + remote.shown());
            return false;
        }
        return info != null;
    }

    /** STAT, or null when there is no such file ({@link #failedLast} false) or it failed otherwise (reported; true). */
    public FileInfo statOrNull(RemoteFile f) throws WalkAborted {
        failedLast = false;
        try {
            return step(f.side(), fc -> fc.stat(f.path()));
        } catch (RemoteException e) {
            if (ErrorCode.NOT_FOUND.equals(e.code())) {
                return null;
            }
            failedLast = true;
            report.fail(f.side().host(), null, e);
            return null;
        } catch (IOException e) {
            failedLast = true;
            report.fail(f.side().host(), null, e);
            return null;
        }
    }

    /** Whether the last {@link #statOrNull} failed (and was reported) rather than found nothing. */
    public boolean failedLast() {
        return failedLast;
    }

    /** STAT, or null when it failed (reported, not_found included). */
    FileInfo stat(RemoteFile f) throws WalkAborted {
        try {
            return step(f.side(), fc -> fc.stat(f.path()));
        } catch (IOException e) {
            report.fail(f.side().host(), null, e);
            return null;
        }
    }

    /** LIST, or null when it failed (reported). */
    List<FileInfo> list(RemoteFile dir) throws WalkAborted {
        try {
            return step(dir.side(), fc -> fc.list(dir.path()));
        } catch (IOException e) {
            report.fail(dir.side().host(), null, e);
            return null;
        }
    }

    /** Whether a listed entry's name can be used (no "..", "/", control characters); reported if not. */
    public boolean safeName(RemoteFile dir, FileInfo e) {
        if (RemotePaths.isSafeName(e.name())) {
            return true;
        }
        report.error(null, dir.shown() + " lists an entry named '" + RemotePaths.displayName(e.name())
                + "', which is not a file name: skipped");
        return false;
    }
}

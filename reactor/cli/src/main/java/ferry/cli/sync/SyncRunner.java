package ferry.cli.sync;

import ferry.cli.command.Console;
import ferry.cli.args.Units;
import ferry.cli.remote.RemotePaths;
import ferry.cli.transfer.TransferReport;
import ferry.cli.transfer.TransferView;
import ferry.cli.transfer.WalkAborted;
import ferry.client.ResilientTransfer;
import java.io.IOException;

/**
 * Runs one sync: lists both sides, plans ({@link SyncPlanner}), and carries the plan out,
 * printing one line per change ({@code sent  a/b.txt (new)}, {@code deleted  old/}) and a
 * summary, or with {@code dryRun} only what it would change. A failure is one error line and the
 * sync goes on; the exit status is 0, 1, or 23 when some changes failed and others were made.
 *
 * <p>Deletion is refused when the source could not be read completely: a folder that failed to
 * list would otherwise look empty and its copy would be deleted (rsync's "IO error, skipping
 * deletion").
 */
final class SyncRunner {
    private final SyncDirection direction;
    private final SyncPlanner planner;
    private final TransferReport report;
    private final Excludes excludes;
    private final boolean delete;
    private final boolean dryRun;
    private final long t0 = System.nanoTime();
    private int created;
    private int deleted;
    private int planned;
    private long plannedBytes;

    SyncRunner(SyncDirection direction, SyncPlanner planner, TransferReport report, Excludes excludes, boolean delete,
               boolean dryRun) {
        this.direction = direction;
        this.planner = planner;
        this.report = report;
        this.excludes = excludes;
        this.delete = delete;
        this.dryRun = dryRun;
    }

    /** Syncs; returns the exit status. */
    int run() {
        return report.interruptible(() -> {
            try {
                Tree source = direction.scanSource(excludes);
                Tree dest = source == null ? null : direction.scanDest(excludes, dryRun);
                if (dest != null) {
                    carryOut(planner.plan(source, dest), source.complete());
                }
            } catch (WalkAborted a) {
                // reported where it happened
            }
            summary();
            return report.status();
        });
    }

    private void carryOut(SyncPlan plan, boolean sourceComplete) throws WalkAborted {
        for (String c : plan.conflicts()) {
            report.error(null, c);
        }
        for (TreeEntry e : plan.skipped()) {
            report.note(shown(e) + ": skipped, not a regular file or folder");
        }
        for (TreeEntry e : plan.replaced()) {
            delete(e);
        }
        for (TreeEntry e : plan.mkdirs()) {
            mkdir(e);
        }
        for (SyncPlan.Send s : plan.sends()) {
            send(s.source(), s.isNew() ? "new" : "changed");
        }
        for (TreeEntry e : plan.compares()) {
            compare(e);
        }
        report.unchanged(plan.unchanged());
        if (!plan.deletes().isEmpty() && !sourceComplete) {
            report.error(null, "not deleting anything: " + direction.sourceShown() + " could not be read completely");
            return;
        }
        for (TreeEntry e : plan.deletes()) {
            delete(e);
        }
    }

    private void mkdir(TreeEntry e) throws WalkAborted {
        if (!dryRun) {
            try {
                direction.mkdir(e);
            } catch (IOException x) {
                report.fail(direction.destShown(), shown(e), x);
                return;
            }
        }
        created++;
        change("created", shown(e) + "/");
    }

    private void send(TreeEntry e, String why) throws WalkAborted {
        if (dryRun) {
            planned++;
            plannedBytes += e.size();
            change("sent", shown(e) + " (" + why + ")");
            return;
        }
        TransferView view = report.start(shown(e), e.size());
        try {
            ResilientTransfer.Result r = direction.send(e, view);
            report.done(view, r);
            change("sent", shown(e) + " (" + why + ")");
        } catch (IOException x) {
            report.abort(view);
            report.fail(null, shown(e), x);
        }
    }

    private void compare(TreeEntry e) throws WalkAborted {
        boolean same;
        try {
            same = direction.sameDigest(e);
        } catch (IOException x) {
            report.fail(null, shown(e), x);
            return;
        }
        if (same) {
            report.unchanged(shown(e));
        } else {
            send(e, "changed");
        }
    }

    private void delete(TreeEntry e) throws WalkAborted {
        String what = shown(e) + (e.isDir() ? "/" : "");
        if (!dryRun) {
            try {
                direction.delete(e);
            } catch (IOException x) {
                report.fail(direction.destShown(), what, x);
                return;
            }
        }
        deleted++;
        change("deleted", what);
    }

    /** One line per change on stdout (none with --quiet), its verb in the conditional for a dry run. */
    private void change(String verb, String what) {
        Console c = report.console();
        if (!c.quiet()) {
            c.out().println(String.format("%-16s %s", dryRun ? "would be " + verb : verb, what));
        }
    }

    /** {@code 3 files sent (12.0 KiB), 9997 skipped, unchanged, 1 deleted, in 1.2 s}. */
    private void summary() {
        Console c = report.console();
        if (!c.quiet()) {
            int sent = dryRun ? planned : report.filesSent();
            long bytes = dryRun ? plannedBytes : report.bytesSent();
            c.out().println((dryRun ? "dry run, nothing changed: " : "") + sent + (sent == 1 ? " file" : " files")
                    + (dryRun ? " to send" : " sent") + " (" + Units.formatSize(bytes) + "), "
                    + report.unchangedCount() + " skipped, unchanged, "
                    + (created > 0 ? created + (created == 1 ? " folder" : " folders") + " created, " : "")
                    + (deleted > 0 ? deleted + (dryRun ? " to delete, " : " deleted, ") : "")
                    + (report.failures() > 0 ? report.failures() + " failed, " : "")
                    + "in " + Units.formatElapsed(System.nanoTime() - t0));
        }
        c.out().flush();
    }

    private static String shown(TreeEntry e) {
        StringBuilder sb = new StringBuilder();
        for (String name : e.path().split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(RemotePaths.displayName(name));
        }
        return sb.toString();
    }
}

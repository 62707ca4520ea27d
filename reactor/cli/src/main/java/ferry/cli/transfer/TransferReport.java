package ferry.cli.transfer;

import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.Units;
import ferry.client.DigestMismatchException;
import ferry.client.RemoteException;
import ferry.client.ResilientTransfer;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * What the user sees of one run of transfers: one error line per failure ({@code ferry get:
 * 127.0.0.1:7373: no such file or folder: x}), detail lines under {@code --verbose}, the totals
 * line, the exit status, and the line Ctrl-C prints.
 *
 * <p>Thread safety: one command's thread, except {@link #interrupted()} on the shutdown hook's.
 */
public final class TransferReport {
    /** rsync's exit status for a partial transfer: some files of a tree failed, the others were copied. */
    public static final int EXIT_PARTIAL = 23;
    /** The status of a command stopped by Ctrl-C: 128 + SIGINT, as a shell reports it. */
    static final int EXIT_INTERRUPTED = 130;

    private final Console console;
    private final String command;
    private final boolean partialStatus;
    private final long t0 = System.nanoTime();
    private Consumer<String> errors;
    private int files;
    private int existing;
    private int unchanged;
    private int failed;
    private long bytes;
    /** The file being transferred, for {@link #interrupted()} on Ctrl-C; null between files. */
    private volatile TransferView active;

    /**
     * @param command       {@code ferry get} (or the shell's {@code get}), starting each error line
     * @param partialStatus whether a run where some files failed and others arrived exits with
     *                      {@value #EXIT_PARTIAL} ({@code -r}, {@code sync}) rather than 1
     */
    public TransferReport(Console console, String command, boolean partialStatus) {
        this.console = console;
        this.command = command;
        this.partialStatus = partialStatus;
        this.errors = message -> {
            console.out().flush();
            console.err().println(command + ": " + message);
            console.err().flush();
        };
    }

    public Console console() {
        return console;
    }

    public String command() {
        return command;
    }

    /** Where error lines go instead of {@code COMMAND: message} on stderr (the shell numbers them). */
    void reportingTo(Consumer<String> sink) {
        this.errors = sink;
    }

    /** A progress bar for the file about to move; Ctrl-C ends its line. */
    public TransferView start(String label, long size) {
        TransferView view = new TransferView(console, command, label, size);
        active = view;
        return view;
    }

    /** The file of {@link #start} arrived. */
    public void done(TransferView view, ResilientTransfer.Result r) {
        view.finish(r);
        active = null;
        files++;
        bytes += r.fileSize();
    }

    /** The file of {@link #start} did not arrive; the caller reports why. */
    public void abort(TransferView view) {
        active = null;
        view.abort();
    }

    /** A file left alone because it exists ({@code --no-clobber}). */
    void existing(String label) {
        existing++;
        note(label + ": exists, skipped (--no-clobber)");
    }

    /** A file left alone because the destination has it already (same size and time, or digest). */
    public void unchanged(String label) {
        unchanged++;
        note(label + ": unchanged, skipped");
    }

    /** {@code count} files the destination has already, counted without a line each. */
    public void unchanged(int count) {
        unchanged += count;
    }

    public int filesSent() {
        return files;
    }

    /** Bytes of the files that arrived. */
    public long bytesSent() {
        return bytes;
    }

    public int unchangedCount() {
        return unchanged;
    }

    public int failures() {
        return failed;
    }

    /** A detail line on stderr, shown with --verbose. */
    public void note(String line) {
        console.detail(command + ": " + line);
    }

    /** One error line on stderr; the walk goes on. */
    public void error(String where, String message) {
        failed++;
        errors.accept((where == null ? "" : where + ": ") + ErrorMessages.oneLine(message));
    }

    /**
     * Reports {@code e} (naming the server {@code host} for a refusal, else {@code label}) and
     * decides: a refusal, a local file problem or a digest mismatch ends only this file; a
     * connection lost for good ends the walk.
     */
    public void fail(String host, String label, IOException e) throws WalkAborted {
        String where = e instanceof RemoteException && host != null ? host : label;
        error(where, e instanceof RemoteException r ? ErrorMessages.remote(r) : ErrorMessages.describe(e));
        boolean thisFileOnly = e instanceof RemoteException || e instanceof FileSystemException
                || e instanceof DigestMismatchException;
        if (!thisFileOnly) {
            throw new WalkAborted(); // lost for good (retries used up or off), or a refused login on reconnect
        }
    }

    /** Runs {@code body} with {@link #interrupted} as the shutdown hook for Ctrl-C. */
    public int interruptible(IntSupplier body) {
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

    /** The totals line after several files (on a terminal, or with --verbose), and the exit status. */
    int finish() {
        if (files + existing + unchanged + failed > 1 && console.summaries()) {
            console.out().println(files + (files == 1 ? " file, " : " files, ") + Units.formatSize(bytes) + " in "
                    + Units.formatElapsed(System.nanoTime() - t0)
                    + (unchanged > 0 ? ", " + unchanged + " skipped, unchanged" : "")
                    + (existing > 0 ? ", " + existing + " skipped (they exist)" : "")
                    + (failed > 0 ? ", " + failed + " failed" : ""));
        }
        console.out().flush();
        return status();
    }

    /**
     * 0 when everything worked; for a tree ({@code -r}, sync), {@value #EXIT_PARTIAL} (rsync's
     * "partial transfer") when some files failed and others arrived or were already there; else 1.
     */
    public int status() {
        if (failed == 0) {
            return Command.EXIT_OK;
        }
        return partialStatus && files + existing + unchanged > 0 ? EXIT_PARTIAL : Command.EXIT_FAILURE;
    }
}

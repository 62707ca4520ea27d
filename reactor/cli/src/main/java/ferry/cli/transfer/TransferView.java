package ferry.cli.transfer;

import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.Units;
import ferry.client.ResilientTransfer;
import java.io.PrintStream;

/**
 * What a person sees of one file's transfer: the {@link ProgressBar} on a terminal (hashing
 * first, for an upload), what happens when the connection is lost, and the summary line.
 *
 * <p>Lost connections: on a terminal with a bar, the bar's line says
 * {@code video.mp4  reconnecting in 2.0 s (attempt 1/8): connection reset} until data flows
 * again. Without a bar (stdout not a terminal, {@code --no-progress}, {@code --quiet}) each retry
 * is one line on stderr:
 * {@code ferry get: video.mp4: connection lost at 1.2 GiB of 2.9 GiB (connection reset); reconnecting in 2.0 s (attempt 1 of 8)}.
 *
 * <p>Thread safety: none; the transfer's thread.
 */
public final class TransferView implements ResilientTransfer.Listener {
    private final Console console;
    private final String command;
    private final String label;
    private final long knownTotal;
    private ProgressBar bar;
    private ProgressBar hashing;

    /**
     * @param command    {@code ferry get}, for stderr lines
     * @param label      the file as the person knows it ({@code video.mp4}, {@code photos/2024/a.jpg})
     * @param knownTotal the file's size if known before the transfer starts, else -1
     */
    TransferView(Console console, String command, String label, long knownTotal) {
        this.console = console;
        this.command = command;
        this.label = label;
        this.knownTotal = knownTotal;
    }

    @Override
    public void onHashing(long done, long total) {
        if (hashing == null) {
            hashing = ProgressBar.of(console, label + " (hashing)", total);
            hashing.start(0);
        }
        hashing.update(done);
    }

    @Override
    public void onStart(long offset, long total) {
        endHashing();
        if (bar == null) {
            bar = ProgressBar.of(console, label, total >= 0 ? total : knownTotal);
            bar.start(offset);
        }
    }

    @Override
    public void onProgress(long done, long total, double rate) {
        if (bar == null) {
            onStart(0, total);
        }
        bar.update(done);
    }

    @Override
    public void onRetry(ResilientTransfer.Retry r) {
        endHashing();
        String reason = ErrorMessages.describe(r.cause());
        String wait = Units.formatElapsed(r.waitMillis() * 1_000_000L);
        if (bar != null && console.progressBars()) {
            bar.reconnecting("reconnecting in " + wait + " (attempt " + r.attempt() + "/" + r.maxAttempts() + "): " + reason);
            return;
        }
        long total = r.totalBytes() >= 0 ? r.totalBytes() : knownTotal;
        PrintStream err = console.err();
        console.out().flush();
        err.println(command + ": " + label + ": connection lost at " + Units.formatSize(r.doneBytes())
                + (total >= 0 ? " of " + Units.formatSize(total) : "") + " (" + reason + "); reconnecting in " + wait
                + " (attempt " + r.attempt() + " of " + r.maxAttempts() + ")");
        err.flush();
    }

    /** The transfer completed: the summary line (where the console's policy prints one). */
    void finish(ResilientTransfer.Result r) {
        endHashing();
        if (bar == null) {
            bar = ProgressBar.of(console, label, r.fileSize());
            bar.start(r.resumedFrom());
        }
        bar.finish(r.fileSize(), r.verified() ? r.algorithm() + " verified" : "not verified", r.resumes());
    }

    /** The transfer failed: end the bar's line so the error starts on a clean one. */
    void abort() {
        if (hashing != null) {
            hashing.dismiss();
        }
        if (bar != null) {
            bar.abort();
        }
    }

    private void endHashing() {
        if (hashing != null) {
            hashing.dismiss();
            hashing = null;
        }
    }
}

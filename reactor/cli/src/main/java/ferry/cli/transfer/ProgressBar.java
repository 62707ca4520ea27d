package ferry.cli.transfer;

import ferry.cli.command.Console;
import ferry.cli.args.Units;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress display for a transfer, redrawn in place with {@code \r}:
 *
 * <pre>
 * video.mp4   42% [=============>                   ] 1.2 GiB / 2.9 GiB  105.3 MiB/s  ETA 0:17
 * </pre>
 *
 * followed, when the transfer ends, by a summary line:
 *
 * <pre>
 * video.mp4: 2.9 GiB in 27.8 s (106.8 MiB/s), sha-256 verified
 * </pre>
 *
 * <p>Policy (decided by {@link Console}): the bar is drawn only when stdout is a terminal and
 * neither {@code --no-progress} nor {@code --quiet} was given — when stdout is a pipe or a file
 * NOTHING of it is written, so scripts and logs never see {@code \r} garbage. The summary is
 * printed on a terminal unless {@code --quiet}, and elsewhere only with {@code --verbose}.
 * The line fits the terminal's width ({@code COLUMNS}): the bar shrinks first, then disappears,
 * then the label is shortened.
 *
 * <p>Redraws are throttled to one per {@value #REDRAW_INTERVAL_MILLIS} ms, so calling
 * {@link #update} for every chunk costs almost nothing. The displayed rate is an exponential
 * moving average over about {@value #RATE_SMOOTHING_SECONDS} s (steady, yet it follows a change in
 * speed); the summary's rate is the plain average over the whole transfer.
 *
 * <p>Transfers feed it from their progress callbacks ({@link TransferView}):
 * {@code start(offset)}, {@code update(done)} per chunk, {@code reconnecting(why)} while a lost
 * connection is retried (the line then says so until the next update), then
 * {@code finish(done, "sha-256 verified", resumes)} or {@code abort()}.
 *
 * <p>Thread safety: none; one transfer thread drives it.
 */
public final class ProgressBar {
    static final long REDRAW_INTERVAL_MILLIS = 100;
    static final double RATE_SMOOTHING_SECONDS = 3.0;
    /** A bar narrower than this is dropped rather than drawn uselessly thin. */
    static final int MIN_BAR_WIDTH = 10;
    /** The label is never shortened below this many characters. */
    static final int MIN_LABEL = 8;

    private final PrintStream out;
    private final boolean draw;
    private final boolean summary;
    private final int columns;
    private final LongSupplier nanoClock;
    private final String label;
    private final long total;

    private long startNanos;
    private long startBytes;
    private long lastDrawNanos;
    private long sampleNanos;
    private long sampleBytes;
    private double rate = Double.NaN;
    private volatile int drawnLength; // volatile: read by the Ctrl-C hook (FileTransfers) too
    private boolean started;
    private volatile boolean done;
    private boolean stale; // the line shows something else (reconnecting): redraw at the next update

    /**
     * @param total bytes expected, or -1 when unknown (no percent, bar or ETA then)
     */
    public ProgressBar(PrintStream out, boolean draw, boolean summary, int columns, LongSupplier nanoClock,
                String label, long total) {
        this.out = out;
        this.draw = draw;
        this.summary = summary;
        this.columns = columns;
        this.nanoClock = nanoClock;
        this.label = label;
        this.total = total;
    }

    /** A bar following the console's policy, on stdout. */
    static ProgressBar of(Console console, String label, long total) {
        return new ProgressBar(console.out(), console.progressBars(), console.summaries(), console.columns(),
                System::nanoTime, label, total);
    }

    /** Starts timing; {@code alreadyDone} bytes were there before (a resumed transfer). */
    public void start(long alreadyDone) {
        startNanos = nanoClock.getAsLong();
        startBytes = alreadyDone;
        sampleNanos = startNanos;
        sampleBytes = alreadyDone;
        lastDrawNanos = startNanos;
        started = true;
        if (draw) {
            redraw(alreadyDone);
        }
    }

    /** Bytes done so far (including {@code alreadyDone}); redraws at most every 100 ms. */
    public void update(long doneBytes) {
        if (!started) {
            start(0);
        }
        long now = nanoClock.getAsLong();
        if (!stale && now - lastDrawNanos < REDRAW_INTERVAL_MILLIS * 1_000_000L && doneBytes != total) {
            return;
        }
        stale = false;
        sample(now, doneBytes);
        lastDrawNanos = now;
        if (draw) {
            redraw(doneBytes);
        }
    }

    /**
     * The connection was lost and is being re-established: the line says {@code why} (e.g.
     * {@code reconnecting in 2.0 s (attempt 1/8): connection reset}) until the next update.
     */
    void reconnecting(String why) {
        if (done || !draw) {
            return;
        }
        if (!started) {
            start(0);
        }
        String line = fitLine(label + "  " + why, columns);
        StringBuilder sb = new StringBuilder().append('\r').append(line);
        for (int i = line.length(); i < drawnLength; i++) {
            sb.append(' ');
        }
        out.print(sb);
        out.flush();
        drawnLength = line.length();
        stale = true;
    }

    /** Clears the line without a summary (a phase that is over, such as hashing before an upload). */
    void dismiss() {
        if (done) {
            return;
        }
        done = true;
        clear();
        out.flush();
    }

    /** {@link #finish(long, String, int)} without resumes. */
    public void finish(long doneBytes, String verification) {
        finish(doneBytes, verification, 0);
    }

    /**
     * The transfer completed: clears the bar and prints the summary (when the policy allows).
     *
     * @param verification what was checked, e.g. {@code "sha-256 verified"}, or null
     * @param resumes      times it resumed on a new connection after losing one
     */
    public void finish(long doneBytes, String verification, int resumes) {
        if (done) {
            return;
        }
        done = true;
        if (!started) {
            start(0);
        }
        long elapsed = nanoClock.getAsLong() - startNanos;
        clear();
        if (summary) {
            out.println(summaryLine(label, doneBytes - startBytes, startBytes, elapsed, verification, resumes));
        }
        out.flush();
    }

    /** The transfer failed: ends the bar's line (keeping how far it got) so the error starts clean. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        if (drawnLength > 0) {
            out.println();
            out.flush();
        }
    }

    /** Whether this bar writes anything at all (the bar or the summary). */
    boolean visible() {
        return draw || summary;
    }

    private void sample(long now, long doneBytes) {
        long dt = now - sampleNanos;
        if (dt <= 0) {
            return;
        }
        double instant = (doneBytes - sampleBytes) * 1e9 / dt;
        if (Double.isNaN(rate)) {
            rate = instant;
        } else {
            double alpha = 1 - Math.exp(-dt / (RATE_SMOOTHING_SECONDS * 1e9));
            rate += alpha * (instant - rate);
        }
        sampleNanos = now;
        sampleBytes = doneBytes;
    }

    private void redraw(long doneBytes) {
        String line = render(label, doneBytes, total, rate, columns);
        StringBuilder sb = new StringBuilder(line.length() + drawnLength + 1).append('\r').append(line);
        for (int i = line.length(); i < drawnLength; i++) {
            sb.append(' '); // wipe what a longer previous line left behind
        }
        out.print(sb);
        out.flush();
        drawnLength = line.length();
    }

    private void clear() {
        if (drawnLength > 0) {
            out.print("\r" + " ".repeat(drawnLength) + "\r");
            drawnLength = 0;
        }
    }

    // ---- formatting (pure, for tests) ----------------------------------------------------------

    /**
     * The progress line for a terminal {@code columns} wide (at most {@code columns - 1}
     * characters, so the cursor never wraps).
     *
     * @param rate bytes per second, NaN when not known yet
     */
    static String render(String label, long done, long total, double rate, int columns) {
        int width = Math.max(Console.MIN_COLUMNS, columns) - 1;
        String rateText = Units.formatRate(rate);
        if (total < 0) {
            return fit(label, "  " + Units.formatSize(done) + "  " + rateText, width);
        }
        int pct = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        String stats = " " + Units.formatSize(done) + " / " + Units.formatSize(total) + "  " + rateText
                + "  ETA " + (done >= total ? "0:00" : Units.formatEta(eta));
        String pctText = String.format(Locale.ROOT, "  %3d%% ", pct);
        int barWidth = width - label.length() - pctText.length() - stats.length();
        if (barWidth >= MIN_BAR_WIDTH) {
            return label + pctText + bar(done, total, barWidth) + stats;
        }
        return fit(label, pctText.stripTrailing() + stats, width);
    }

    /** {@code label + rest}, shortening the label (then cutting the end) to fit {@code width}. */
    private static String fit(String label, String rest, int width) {
        if (label.length() + rest.length() <= width) {
            return label + rest;
        }
        int room = Math.max(MIN_LABEL, width - rest.length());
        String l = label.length() <= room ? label : "..." + label.substring(label.length() - (room - 3));
        String line = l + rest;
        return line.length() <= width ? line : line.substring(0, width);
    }

    /** {@code [=====>     ]}, {@code width} characters including the brackets. */
    static String bar(long done, long total, int width) {
        int inner = width - 2;
        int filled = total <= 0 ? inner : (int) Math.min(inner, (double) done / total * inner);
        StringBuilder sb = new StringBuilder(width).append('[');
        for (int i = 0; i < inner; i++) {
            sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return sb.append(']').toString();
    }

    /** {@link #summaryLine(String, long, long, long, String, int)} without resumes. */
    static String summaryLine(String label, long movedBytes, long resumedAt, long elapsedNanos, String verification) {
        return summaryLine(label, movedBytes, resumedAt, elapsedNanos, verification, 0);
    }

    /**
     * {@code label: 2.9 GiB in 27.8 s (106.8 MiB/s), resumed at 1.0 GiB, sha-256 verified, 2 resumes
     * after lost connections}.
     */
    static String summaryLine(String label, long movedBytes, long resumedAt, long elapsedNanos, String verification,
                              int resumes) {
        StringBuilder sb = new StringBuilder(label).append(": ").append(Units.formatSize(movedBytes + resumedAt))
                .append(" in ").append(Units.formatElapsed(elapsedNanos));
        if (elapsedNanos > 0) {
            sb.append(" (").append(Units.formatRate(movedBytes * 1e9 / elapsedNanos)).append(')');
        }
        if (resumedAt > 0) {
            sb.append(", resumed at ").append(Units.formatSize(resumedAt));
        }
        if (verification != null) {
            sb.append(", ").append(verification);
        }
        if (resumes > 0) {
            sb.append(", ").append(resumes).append(resumes == 1 ? " resume" : " resumes").append(" after lost connections");
        }
        return sb.toString();
    }

    /** {@code line} cut to fit a terminal {@code columns} wide. */
    static String fitLine(String line, int columns) {
        int width = Math.max(Console.MIN_COLUMNS, columns) - 1;
        return line.length() <= width ? line : line.substring(0, width);
    }
}

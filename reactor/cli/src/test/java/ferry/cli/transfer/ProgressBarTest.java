package ferry.cli.transfer;

import ferry.cli.command.Console;
import ferry.cli.args.Units;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

public class ProgressBarTest {
    private static final long MS = 1_000_000L;
    private static final long TOTAL = 3_113_851_290L; // 2.9 GiB
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private ProgressBar bar(boolean draw, boolean summary, int columns) {
        return new ProgressBar(out, draw, summary, columns, clock::get, "video.mp4", TOTAL);
    }

    @Test
    void lineShowsPercentBarBytesRateAndEta() {
        double rate = 105.3 * Units.MIB;
        String line = ProgressBar.render("video.mp4", TOTAL * 42 / 100 + 100, TOTAL, rate, 80);
        assertTrue(line.startsWith("video.mp4   42% ["), line);
        assertTrue(line.contains("=>"), line);
        assertTrue(line.endsWith("] 1.2 GiB / 2.9 GiB  105.3 MiB/s  ETA 0:17"), line);
        assertEquals(79, line.length(), "fills the width but never the last column");
    }

    @Test
    void lineFitsNarrowTerminalsByDroppingTheBarThenShorteningTheLabel() {
        String wide = ProgressBar.render("video.mp4", 1 << 30, TOTAL, 1e8, 200);
        assertEquals(199, wide.length());
        String narrow = ProgressBar.render("video.mp4", 1 << 30, TOTAL, 1e8, 50);
        assertFalse(narrow.contains("["), "no room for a bar: " + narrow);
        assertTrue(narrow.length() <= 49, narrow);
        assertTrue(narrow.contains("34%"), narrow);
        String longName = ProgressBar.render("a-very-long-file-name-from-a-camera-0001.mp4", 1 << 30, TOTAL, 1e8, 60);
        assertTrue(longName.length() <= 59, longName);
        assertTrue(longName.startsWith("..."), longName);
        String tiny = ProgressBar.render("video.mp4", 1 << 30, TOTAL, 1e8, 5);
        assertTrue(tiny.length() <= Console.MIN_COLUMNS - 1, tiny);
    }

    @Test
    void unknownTotalAndUnknownRate() {
        assertEquals("stdin  1.0 MiB  -- B/s", ProgressBar.render("stdin", 1 << 20, -1, Double.NaN, 80));
        assertTrue(ProgressBar.render("x", 0, 100, Double.NaN, 80).endsWith("ETA --:--"));
        assertTrue(ProgressBar.render("x", 0, 0, Double.NaN, 80).contains("100%"), "an empty file is done");
    }

    @Test
    void barDrawing() {
        assertEquals("[>         ]", ProgressBar.bar(0, 100, 12));
        assertEquals("[=====>    ]", ProgressBar.bar(50, 100, 12));
        assertEquals("[==========]", ProgressBar.bar(100, 100, 12));
    }

    @Test
    void summaryLine() {
        assertEquals("video.mp4: 2.9 GiB in 27.8 s (106.8 MiB/s), sha-256 verified",
                ProgressBar.summaryLine("video.mp4", TOTAL, 0, 27_800 * MS, "sha-256 verified"));
        assertEquals("a: 2.0 MiB in 1.0 s (1.0 MiB/s), resumed at 1.0 MiB",
                ProgressBar.summaryLine("a", 1 << 20, 1 << 20, 1000 * MS, null));
        assertEquals("a: 0 B in 0 ms", ProgressBar.summaryLine("a", 0, 0, 0, null));
    }

    @Test
    void printsNothingAtAllWhenNotATerminal() {
        ProgressBar b = bar(false, false, 80);
        b.start(0);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(50 * MS);
            b.update(TOTAL * i / 100);
        }
        b.finish(TOTAL, "sha-256 verified");
        b.abort();
        assertEquals("", output());
        assertFalse(b.visible());
    }

    @Test
    void onATerminalRedrawsOneLineThrottledThenSummarizes() {
        ProgressBar b = bar(true, true, 80);
        b.start(0);
        int before = count(output(), '\r');
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(10 * MS); // 100 updates over 1 s: about 10 redraws, not 100
            b.update(TOTAL / 2 * i / 100);
        }
        int redraws = count(output(), '\r') - before;
        assertTrue(redraws >= 9 && redraws <= 11, "redraws: " + redraws);
        assertFalse(output().contains("\n"), "one line, redrawn in place");
        assertTrue(output().contains("50% ["), output());
        clock.addAndGet(1000 * MS);
        b.finish(TOTAL, "sha-256 verified");
        String last = output().substring(output().lastIndexOf('\r') + 1);
        assertEquals("video.mp4: 2.9 GiB in 2.0 s (1.5 GiB/s), sha-256 verified\n", last);
    }

    @Test
    void rateFollowsTheRecentSpeed() {
        ProgressBar b = bar(true, false, 120);
        b.start(0);
        long done = 0;
        for (int i = 0; i < 100; i++) { // 10 s at 100 MiB/s
            clock.addAndGet(100 * MS);
            done += 10 * Units.MIB;
            b.update(done);
        }
        String line = output().substring(output().lastIndexOf('\r') + 1);
        assertTrue(line.contains("100.0 MiB/s"), line);
    }

    @Test
    void abortKeepsTheLastStateOnItsOwnLine() {
        ProgressBar b = bar(true, true, 80);
        b.start(0);
        clock.addAndGet(200 * MS);
        b.update(TOTAL / 4 + 1000);
        b.abort();
        assertTrue(output().endsWith("\n"));
        assertTrue(output().contains("25%"));
    }

    @Test
    void consolePolicy() {
        assertFalse(console(Map.of()).progressBars(), "no launcher hint: not a terminal");
        assertFalse(console(Map.of("FERRY_STDOUT_TTY", "0")).progressBars());
        assertFalse(console(Map.of("FERRY_STDOUT_TTY", "0")).summaries());
        Console tty = console(Map.of("FERRY_STDOUT_TTY", "1", "COLUMNS", "132"));
        assertTrue(tty.progressBars());
        assertTrue(tty.summaries());
        assertEquals(132, tty.columns());
        tty.setProgressAllowed(false);
        assertFalse(tty.progressBars(), "--no-progress");
        assertTrue(tty.summaries(), "--no-progress keeps the summary");
        tty.setVerbosity(Console.Verbosity.QUIET);
        assertFalse(tty.summaries());
        Console pipeVerbose = console(Map.of("FERRY_STDOUT_TTY", "0"));
        pipeVerbose.setVerbosity(Console.Verbosity.VERBOSE);
        assertFalse(pipeVerbose.progressBars());
        assertTrue(pipeVerbose.summaries(), "--verbose logs a summary to a pipe");
        assertEquals(80, console(Map.of("COLUMNS", "junk")).columns());
        assertEquals(80, console(Map.of("COLUMNS", "0")).columns(), "a terminal that reports 0 columns: not 19");
        assertEquals(Console.MIN_COLUMNS, console(Map.of("COLUMNS", "5")).columns());

        ProgressBar b = ProgressBar.of(console(Map.of("FERRY_STDOUT_TTY", "0")), "x", 100);
        b.start(0);
        b.update(50);
        b.finish(100, null);
        assertEquals("", output());
    }

    private Console console(Map<String, String> env) {
        return new Console(out, out, System.in, env);
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }

    @Test
    void reconnectingShowsOnTheLineUntilDataFlowsAgainAndTheSummaryCountsResumes() {
        ProgressBar b = bar(true, true, 100);
        b.start(0);
        clock.addAndGet(200 * MS);
        b.update(TOTAL / 4);
        b.reconnecting("reconnecting in 2.0 s (attempt 1/8): connection reset");
        String afterCut = output();
        assertTrue(afterCut.endsWith("\rvideo.mp4  reconnecting in 2.0 s (attempt 1/8): connection reset"
                + " ".repeat(afterCut.length() - afterCut.lastIndexOf('\r') - 1
                - "video.mp4  reconnecting in 2.0 s (attempt 1/8): connection reset".length())), afterCut);
        clock.addAndGet(MS); // well within the redraw throttle: the stale line is replaced anyway
        b.update(TOTAL / 4 + 1);
        String resumed = output().substring(afterCut.length());
        assertTrue(resumed.startsWith("\rvideo.mp4   25% ["), resumed);
        clock.addAndGet(1000 * MS);
        b.finish(TOTAL, "sha-256 verified", 2);
        assertTrue(output().endsWith(", sha-256 verified, 2 resumes after lost connections\n"), output());
        assertEquals("x: 1.0 KiB in 1.0 s (1.0 KiB/s), not verified, 1 resume after lost connections",
                ProgressBar.summaryLine("x", 1024, 0, 1_000_000_000L, "not verified", 1));
    }

    @Test
    void withoutATerminalAReconnectDrawsNothing() {
        ProgressBar b = bar(false, false, 80);
        b.start(0);
        b.reconnecting("reconnecting in 1 s");
        b.dismiss();
        assertEquals("", output());
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The periodic temp sweep is timed by the server's loop and clock ({@code ServerContext.schedule}),
 * not a thread of its own: moving the server's fake clock by the interval makes it sweep, once
 * per interval.
 */
class TempSweepScheduleTest {
    private static final long SWEEP_EVERY_MILLIS = 60_000;
    private static final long WAIT_MILLIS = 10_000;

    @TempDir
    Path root;

    /** A temp last written in 1970: stale by any age limit. */
    private Path staleTemp(String name) throws Exception {
        Path t = Files.createDirectories(root.resolve("up")).resolve(UploadTemps.PREFIX + name);
        Files.write(t, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(t, FileTime.fromMillis(1_000));
        return t;
    }

    /**
     * Polls until {@code p} is gone (the loop wakes at least once a second to look at its clock),
     * moving the server's clock by {@code stepMillis} each time.
     */
    private static boolean goneWithin(Path p, long millis, FakeClock clock, long stepMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (Files.exists(p)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            clock.advance(Duration.ofMillis(stepMillis));
            Thread.sleep(10); // polling a file the server removes; no timing is asserted
        }
        return true;
    }

    @Test
    void theSweepRunsWhenTheServersClockHasMovedByTheInterval() throws Exception {
        FakeClock clock = new FakeClock();
        Path first = staleTemp("first");
        try (FileTestServer s = FileTestServer.start(root, sb -> sb.clock(clock),
                fb -> fb.tempSweepIntervalMillis(SWEEP_EVERY_MILLIS))) {
            assertTrue(Files.exists(first), "nothing sweeps before the interval");
            clock.advance(Duration.ofMillis(SWEEP_EVERY_MILLIS));
            assertTrue(goneWithin(first, WAIT_MILLIS, clock, 0), "swept once the server's clock passed the interval");

            // The next sweep is timed from the end of this one, which the test cannot see: move
            // the clock an interval at a time until it has come.
            Path second = staleTemp("second");
            assertTrue(goneWithin(second, WAIT_MILLIS, clock, SWEEP_EVERY_MILLIS), "and again, periodically");
            assertEquals(0, s.service.sweepTempsNow());
        }
    }
}

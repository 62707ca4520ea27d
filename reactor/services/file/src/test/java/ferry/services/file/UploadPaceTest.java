package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The accounting behind the minimum upload rate and the takeover of stalled uploads, on a fake
 * clock: only time in which the server was reading counts, whether the pause came at the start
 * (opening) or in the middle (a disk behind, buffers full), and the rate is judged per window.
 */
class UploadPaceTest {
    private static final long MIN_RATE = 1000;
    private static final Duration WINDOW = Duration.ofSeconds(60);

    private final FakeClock clock = new FakeClock();
    private final UploadPace pace = new UploadPace(clock, MIN_RATE, WINDOW.toMillis());

    private boolean tooSlowNow() {
        return pace.tooSlow(clock.nanoTime());
    }

    @Test
    void aWindowWithFewerBytesThanTheMinimumIsTooSlowAndOneWithEnoughIsNot() {
        pace.received(MIN_RATE * WINDOW.toSeconds()); // exactly the minimum
        clock.advance(WINDOW);
        assertFalse(tooSlowNow());
        pace.received(MIN_RATE * WINDOW.toSeconds() + MIN_RATE * WINDOW.toSeconds() - 1); // one byte short
        clock.advance(WINDOW);
        assertTrue(tooSlowNow());
        assertEquals(MIN_RATE * WINDOW.toSeconds() - 1, pace.lastWindowBytes());
        assertEquals(WINDOW.toMillis(), pace.lastWindowReadingMillis());
    }

    @Test
    void nothingIsJudgedBeforeAWindowOfReadingTimeAndTheNextCheckComesAtItsEnd() {
        clock.advance(WINDOW.minusSeconds(10));
        assertFalse(tooSlowNow(), "no bytes, but not a whole window yet");
        assertEquals(TimeUnit.SECONDS.toNanos(10), pace.nextCheckDelayNanos(clock.nanoTime()));
        clock.advance(Duration.ofSeconds(9));
        assertEquals(WINDOW.toNanos() / 16, pace.nextCheckDelayNanos(clock.nanoTime()),
                "checks come no faster than a sixteenth of a window");
    }

    /** A disk behind: the server stops reading mid-window; that time counts neither way. */
    @Test
    void aPauseInTheMiddleOfAWindowIsNotReadingTime() {
        clock.advance(Duration.ofSeconds(30));
        pace.paused();
        clock.advance(Duration.ofMinutes(10));
        assertFalse(tooSlowNow(), "30 s of reading so far");
        assertEquals(0, pace.stalledNanos(), "a paused upload is not stalled");
        assertEquals(TimeUnit.SECONDS.toNanos(30), pace.nextCheckDelayNanos(clock.nanoTime()),
                "the reading time left in the window: the pause does not use it up");
        pace.resumed();
        assertEquals(0, pace.stalledNanos(), "a stall counts from the resume");
        clock.advance(Duration.ofSeconds(29));
        assertFalse(tooSlowNow(), "59 s of reading");
        assertEquals(TimeUnit.SECONDS.toNanos(29), pace.stalledNanos());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(tooSlowNow(), "60 s of reading without a byte");
        assertEquals(WINDOW.toMillis(), pace.lastWindowReadingMillis(), "the 10 minutes paused are not in it");
    }

    @Test
    void aPauseAcrossAWindowsEndBelongsToNeitherWindow() {
        pace.received(MIN_RATE * WINDOW.toSeconds());
        clock.advance(WINDOW.minusSeconds(1));
        pace.paused();
        clock.advance(Duration.ofSeconds(30));
        assertFalse(tooSlowNow(), "59 s of reading");
        clock.advance(Duration.ofSeconds(30));
        pace.resumed();
        clock.advance(Duration.ofSeconds(1));
        assertFalse(tooSlowNow(), "the first window: 60 s of reading, enough bytes");
        pace.paused();
        clock.advance(Duration.ofHours(1));
        pace.resumed();
        clock.advance(WINDOW.minusSeconds(1));
        assertFalse(tooSlowNow(), "the second window has 59 s of reading: the hour paused is not in it");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(tooSlowNow());
    }

    @Test
    void bytesEndAStall() {
        clock.advance(Duration.ofSeconds(40));
        assertEquals(TimeUnit.SECONDS.toNanos(40), pace.stalledNanos());
        pace.received(1);
        assertEquals(0, pace.stalledNanos());
    }

    @Test
    void noMinimumNeverJudges() {
        UploadPace off = new UploadPace(clock, 0, WINDOW.toMillis());
        assertFalse(off.enforced());
        clock.advance(Duration.ofDays(1));
        assertFalse(off.tooSlow(clock.nanoTime()));
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    final FakeClock clock = new FakeClock();

    @Test
    void startsFullFillsAtTheRateAndStopsAtTheBurst() {
        TokenBucket b = new TokenBucket(1000, 500, clock);
        assertEquals(500, b.available());
        b.take(500);
        assertEquals(0, b.available());
        clock.advanceMillis(100);
        assertEquals(100, b.available());
        clock.advanceMillis(10_000);
        assertEquals(500, b.available(), "never more than the burst");
    }

    @Test
    void debtIsPaidBackBeforeAnythingMoreMoves() {
        TokenBucket b = new TokenBucket(1000, 500, clock);
        b.take(2500); // a write moved more than allowed
        assertEquals(0, b.available());
        assertEquals(2_001_000_000L, b.nanosUntil(1), "2000 bytes of debt, then 1 byte, at 1000/s");
        clock.advanceMillis(2000);
        assertEquals(0, b.available());
        clock.advanceMillis(1);
        assertEquals(1, b.available());
    }

    @Test
    void slowRatesKeepTheFractionsOfABye() {
        TokenBucket b = new TokenBucket(3, 10, clock); // 3 bytes per second: a byte every 333.3 ms
        b.take(10);
        long moved = 0;
        for (int i = 0; i < 3000; i++) { // 30 s in 10 ms steps
            clock.advanceMillis(10);
            long a = b.available();
            b.take(a);
            moved += a;
        }
        assertEquals(90, moved);
    }

    @Test
    void nanosUntilSaysWhenTheBytesAreThere() {
        TokenBucket b = new TokenBucket(1_000_000, 100_000, clock);
        b.take(100_000);
        long wait = b.nanosUntil(50_000);
        assertEquals(50_000_000L, wait);
        clock.advanceMillis(49);
        assertTrue(b.available() < 50_000);
        clock.advanceMillis(1);
        assertEquals(50_000, b.available());
        assertEquals(0, b.nanosUntil(50_000));
        assertTrue(b.nanosUntil(10_000_000) > 0, "asking for more than the burst waits for a full bucket");
        assertEquals(50_000_000L, b.nanosUntil(10_000_000));
    }

    @Test
    void aSimulatedTransferStaysWithinOnePercentOfTheRate() {
        long rate = 10L << 20;
        TokenBucket b = new TokenBucket(rate, rate / 10, clock);
        b.take(rate / 10);
        long moved = 0;
        for (int i = 0; i < 1000; i++) { // 10 simulated seconds, writes of up to 64 KiB that overshoot
            clock.advanceMillis(10);
            while (b.available() > 0) {
                long n = 65536;
                b.take(n);
                moved += n;
            }
        }
        double perSecond = moved / 10.0;
        assertEquals(rate, perSecond, rate * 0.01);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, clock));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, clock));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, TokenBucket.MAX_BURST_BYTES + 1, clock));
    }
}

package ferry.reactor.auth;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    final FakeClock clock = new FakeClock();
    final LoginThrottle t = new LoginThrottle(3, 250 * MS, 16_000 * MS, 15 * 60_000 * MS, 1000);

    private long failDelayMillis(String user, String addr) {
        long now = clock.nanoTime();
        return (t.attempt(user, addr, now, false).answerAtNanos() - now) / MS;
    }

    @Test
    void delaysStartAfterTheFreeFailuresDoubleAndCap() {
        long[] expected = {0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 16_000, 16_000};
        for (int i = 0; i < expected.length; i++) {
            long d = failDelayMillis("alice", "10.0.0.1");
            assertEquals(expected[i], d, "failure " + (i + 1));
            clock.advanceMillis(d); // the client waits for each answer before trying again
        }
        assertEquals(16_000 * MS, t.delayAfter(1000), "no overflow for huge counts");
    }

    @Test
    void successResetsUserAndAddress() {
        for (int i = 0; i < 5; i++) {
            clock.advanceMillis(failDelayMillis("alice", "10.0.0.1"));
        }
        assertEquals(5, t.userFailures("alice", clock.nanoTime()));
        LoginThrottle.Verdict ok = t.attempt("alice", "10.0.0.1", clock.nanoTime(), true);
        assertEquals(0, ok.delayNanos());
        assertEquals(0, t.userFailures("alice", clock.nanoTime()));
        assertEquals(0, t.addressFailures("10.0.0.1", clock.nanoTime()));
        assertEquals(0, failDelayMillis("alice", "10.0.0.1"));
    }

    @Test
    void anAttemptBeforeTheSlotWaitsForItEvenWhenItSucceeds() {
        for (int i = 0; i < 3; i++) {
            failDelayMillis("alice", "10.0.0.1");
        }
        assertEquals(250, failDelayMillis("alice", "10.0.0.1")); // next allowed in 250 ms
        // A parallel attempt right now (say, on another connection) with the right password:
        long now = clock.nanoTime();
        LoginThrottle.Verdict v = t.attempt("alice", "10.0.0.2", now, true);
        assertEquals(250 * MS, v.delayNanos(), "a quick success would tell a parallel guesser which guess was right");
    }

    @Test
    void theUserCountsAcrossAddressesAndTheAddressAcrossUsers() {
        for (int i = 0; i < 3; i++) {
            failDelayMillis("alice", "10.0.0." + i);
        }
        assertEquals(250, failDelayMillis("alice", "10.0.0.9"), "fourth failure for alice from a fresh address");
        clock.advanceMillis(250);
        for (int i = 0; i < 3; i++) {
            failDelayMillis("user" + i, "192.168.1.1");
        }
        assertEquals(250, failDelayMillis("someone-else", "192.168.1.1"), "fourth failure from one address, new user");
    }

    @Test
    void manyAddressesCannotLockAUserOutForLongerThanTheCap() {
        for (int i = 0; i < 200; i++) {
            failDelayMillis("alice", "10.0." + (i / 250) + "." + (i % 250));
        }
        long now = clock.nanoTime();
        LoginThrottle.Verdict v = t.attempt("alice", "172.16.0.1", now, true);
        assertTrue(v.delayNanos() <= 16_000 * MS, "waited " + v.delayNanos() / MS + " ms");
    }

    @Test
    void oneAddressGuessingInParallelQueuesItself() {
        long total = 0;
        for (int i = 0; i < 10; i++) {
            total = Math.max(total, failDelayMillis("user" + i, "10.9.9.9")); // all at the same instant
        }
        assertEquals(250 + 500 + 1000 + 2000 + 4000 + 8000 + 16_000, total);
    }

    @Test
    void failuresAreForgottenAfterAQuietPeriod() {
        for (int i = 0; i < 6; i++) {
            clock.advanceMillis(failDelayMillis("alice", "10.0.0.1"));
        }
        clock.advanceMillis(15 * 60_000 + 1);
        assertEquals(0, t.userFailures("alice", clock.nanoTime()));
        assertEquals(0, failDelayMillis("alice", "10.0.0.1"));
    }

    @Test
    void memoryIsBounded() {
        LoginThrottle small = new LoginThrottle(3, 250 * MS, 16_000 * MS, 60_000 * MS, 10);
        for (int i = 0; i < 100; i++) {
            small.attempt("u" + i, "10.0.0." + i, clock.nanoTime(), false);
        }
        assertEquals(10, small.tracked());
    }
}

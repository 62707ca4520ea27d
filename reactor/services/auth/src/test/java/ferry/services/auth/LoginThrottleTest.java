package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FakeClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    final FakeClock clock = new FakeClock();
    final LoginThrottle t = new LoginThrottle(3, 250 * MS, 16_000 * MS, 15 * 60_000 * MS, 1000);

    /** An attempt now: how long its answer is held (it must be admitted). */
    private long holdMillis(String user, String addr) {
        LoginThrottle.Verdict v = t.attempt(user, addr, clock.nanoTime());
        assertTrue(v.admitted(), "refused: " + v);
        assertEquals(v.answerAtNanos() - clock.nanoTime(), v.holdNanos());
        return v.holdNanos() / MS;
    }

    @Test
    void delaysStartAfterTheFreeFailuresDoubleAndCap() {
        long[] expected = {0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 16_000, 16_000};
        for (int i = 0; i < expected.length; i++) {
            long d = holdMillis("alice", "10.0.0.1");
            assertEquals(expected[i], d, "failure " + (i + 1));
            clock.advanceMillis(d); // the client waits for each answer before trying again
        }
        assertEquals(16_000 * MS, t.delayAfter(1000), "no overflow for huge counts");
    }

    @Test
    void aSuccessResetsItsUserWhenItsAnswerLeavesButNeverTheAddress() {
        for (int i = 0; i < 5; i++) {
            clock.advanceMillis(holdMillis("alice", "10.0.0.1"));
        }
        assertEquals(5, t.userFailures("alice", clock.nanoTime()));
        // The sixth attempt is right: it is counted like a failure and held like one...
        assertEquals(1000, holdMillis("alice", "10.0.0.1"));
        assertEquals(6, t.userFailures("alice", clock.nanoTime()), "nothing is cleared while the answer is held");
        assertEquals(6, t.addressFailures("10.0.0.1", clock.nanoTime()));
        clock.advanceMillis(1000);
        // ...and when its AUTH_OK leaves, the user starts afresh; the address only loses that attempt.
        t.succeeded("alice", "10.0.0.1", clock.nanoTime());
        assertEquals(0, t.userFailures("alice", clock.nanoTime()));
        assertEquals(5, t.addressFailures("10.0.0.1", clock.nanoTime()), "a success never clears the address");
        assertEquals(1000, holdMillis("mallory", "10.0.0.1"), "the address's next failure costs what its sixth did");
    }

    @Test
    void aSuccessOnlyForgetsItsOwnUser() {
        for (int i = 0; i < 5; i++) {
            clock.advanceMillis(holdMillis("alice", "10.0.0." + i));
            clock.advanceMillis(holdMillis("bob", "10.0.1." + i));
        }
        clock.advanceMillis(holdMillis("bob", "10.0.2.1"));
        t.succeeded("bob", "10.0.2.1", clock.nanoTime());
        assertEquals(5, t.userFailures("alice", clock.nanoTime()), "bob's success is not alice's");
        assertEquals(0, t.userFailures("bob", clock.nanoTime()));
        assertEquals(1, t.addressFailures("10.0.0.1", clock.nanoTime()));
    }

    @Test
    void rightAndWrongAttemptsWaitTheSameAndABacklogIsNotSkipped() {
        for (int i = 0; i < 3; i++) {
            holdMillis("alice", "10.0.0.1");
        }
        assertEquals(250, holdMillis("alice", "10.0.0.1")); // answered in 250 ms
        // A parallel attempt right now from another address (its proof not judged yet, so right or
        // wrong alike) waits behind it and pays the user's fifth failure on top.
        assertEquals(750, holdMillis("alice", "10.0.0.2"));
    }

    @Test
    void theUserCountsAcrossAddressesAndTheAddressAcrossUsers() {
        for (int i = 0; i < 3; i++) {
            holdMillis("alice", "10.0.0." + i);
        }
        assertEquals(250, holdMillis("alice", "10.0.0.9"), "fourth failure for alice from a fresh address");
        clock.advanceMillis(250);
        for (int i = 0; i < 3; i++) {
            holdMillis("user" + i, "192.168.1.1");
        }
        assertEquals(250, holdMillis("someone-else", "192.168.1.1"), "fourth failure from one address, new user");
    }

    @Test
    void manyAddressesCannotLockAUserOutForLongerThanTheCap() {
        for (int i = 0; i < 200; i++) {
            holdMillis("alice", "10.0." + (i / 250) + "." + (i % 250)); // all admitted: a user's wait is capped
        }
        assertEquals(16_000, holdMillis("alice", "172.16.0.1"), "her own login from her own address");
    }

    @Test
    void oneAddressGuessingInParallelQueuesItselfUpToTheCapThenIsRefused() {
        long last = 0;
        int admitted = 0;
        for (int i = 0; i < 10; i++) { // all at the same instant
            LoginThrottle.Verdict v = t.attempt("user" + i, "10.9.9.9", clock.nanoTime());
            if (v.admitted()) {
                admitted++;
                assertTrue(v.holdNanos() <= 16_000 * MS);
                last = v.holdNanos() / MS;
            } else {
                assertEquals(admitted, v.addressFailures(), "a refused attempt is not counted");
                assertEquals(15_750, v.retryAfterNanos() / MS, "until the queue has room for the next");
            }
        }
        // 0, 0, 0, 250, 750, 1750, 3750, 7750, 15750: the tenth (16 s more) would wait 31.75 s.
        assertEquals(9, admitted);
        assertEquals(15_750, last);
        assertEquals(9, t.addressFailures("10.9.9.9", clock.nanoTime()));
        clock.advanceMillis(15_749);
        assertFalse(t.attempt("late", "10.9.9.9", clock.nanoTime()).admitted(), "not a millisecond early");
        clock.advanceMillis(1);
        assertEquals(16_000, holdMillis("late", "10.9.9.9"), "then one answer per 16 s");
        assertFalse(t.attempt("again", "10.9.9.9", clock.nanoTime()).admitted());
    }

    @Test
    void noAnswerIsHeldLongerThanTheCap() {
        long worst = 0;
        for (int i = 0; i < 2000; i++) {
            LoginThrottle.Verdict v = t.attempt(i % 3 == 0 ? "alice" : "u" + i, "10.0." + (i % 7) + ".1", clock.nanoTime());
            if (v.admitted()) {
                worst = Math.max(worst, v.holdNanos());
            }
            clock.advanceMillis(i % 5 * 100);
        }
        assertEquals(16_000 * MS, worst);
    }

    @Test
    void failuresAreForgottenAfterAQuietPeriod() {
        for (int i = 0; i < 6; i++) {
            clock.advanceMillis(holdMillis("alice", "10.0.0.1"));
        }
        clock.advanceMillis(15 * 60_000 + 1);
        assertEquals(0, t.userFailures("alice", clock.nanoTime()));
        assertEquals(0, holdMillis("alice", "10.0.0.1"));
    }

    @Test
    void memoryIsBounded() {
        LoginThrottle small = new LoginThrottle(3, 250 * MS, 16_000 * MS, 60_000 * MS, 10);
        for (int i = 0; i < 100; i++) {
            small.attempt("u" + i, "10.0.0." + i, clock.nanoTime());
        }
        assertEquals(10, small.tracked());
    }

    @Test
    void theHoldLimitFollowsTheHandshakeTimeout() {
        AuthSettings d = AuthSettings.defaults();
        assertEquals(16_000, d.holdLimitMillis(30_000), "the defaults hold at most 16 s, under the 30 s login timeout");
        assertEquals(7_500, d.holdLimitMillis(10_000), "a shorter login timeout caps the holds at three quarters of it");
        LoginThrottle capped = d.newThrottle(d.holdLimitMillis(10_000));
        assertEquals(7_500 * MS, capped.maxDelayNanos());
        assertEquals(7_500 * MS, capped.delayAfter(100));
    }
}

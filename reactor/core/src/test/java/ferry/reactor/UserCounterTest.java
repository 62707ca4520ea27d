package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UserCounterTest {
    @Test
    void takesUpToTheLimitAndForgetsUsersAtZero() {
        UserCounter c = new UserCounter();
        assertTrue(c.tryAcquire("alice", 2));
        assertTrue(c.tryAcquire("alice", 2));
        assertFalse(c.tryAcquire("alice", 2));
        assertEquals(2, c.count("alice"));
        assertTrue(c.tryAcquire("bob", 2), "per user");
        c.release("alice");
        assertTrue(c.tryAcquire("alice", 2));
        c.release("alice");
        c.release("alice");
        c.release("bob");
        assertEquals(0, c.users());
        c.release("carol"); // never held: no negative counts
        assertEquals(0, c.count("carol"));
        assertEquals(0, c.users());
    }

    @Test
    void zeroMeansNoLimit() {
        UserCounter c = new UserCounter();
        for (int i = 0; i < 1000; i++) {
            assertTrue(c.tryAcquire("alice", 0));
        }
        assertEquals(1000, c.count("alice"));
    }

    @Test
    void racingThreadsNeverPassTheLimit() throws Exception {
        UserCounter c = new UserCounter();
        int threads = 8;
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (c.tryAcquire("alice", 5)) {
                        taken.incrementAndGet();
                    }
                }
            });
            ts[t].start();
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(5, taken.get());
        assertEquals(5, c.count("alice"));
    }

    @Test
    void userLimitsFallBackToTheServersDefault() {
        assertEquals(7, UserLimits.effective(UserLimits.SERVER_DEFAULT, 7));
        assertEquals(0, UserLimits.effective(0, 7));
        assertEquals(2, UserLimits.effective(2, 7));
        assertThrows(IllegalArgumentException.class, () -> new UserLimits(-2, 0, 0));
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quota ledger on its own: reservations racing from many threads, and a forgotten home recounted. */
class HomeQuotasTest {
    private static final int THREADS = 16;
    private static final int UPLOADS = 200;
    private static final long FILE_BYTES = 1000;
    private static final long QUOTA_BYTES = 37 * FILE_BYTES + 999;

    @TempDir
    Path home;

    @Test
    void racingReservationsNeverTogetherPassTheQuota() throws Exception {
        HomeQuotas q = new HomeQuotas(new HomeQuotas.Limits(QUOTA_BYTES, 0), 0, Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HomeQuotas.Reservation>> all = new ArrayList<>();
        try {
            for (int i = 0; i < UPLOADS; i++) {
                String name = "f" + i;
                all.add(pool.submit(() -> {
                    go.await();
                    try {
                        return q.reserve(home, new HomeQuotas.Limits(QUOTA_BYTES, 0), name, FILE_BYTES, -1, 0);
                    } catch (OpException e) {
                        assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
                        return null;
                    }
                }));
            }
            go.countDown();
            List<HomeQuotas.Reservation> granted = new ArrayList<>();
            for (Future<HomeQuotas.Reservation> f : all) {
                HomeQuotas.Reservation r = f.get();
                if (r != null) {
                    granted.add(r);
                }
            }
            assertEquals(37, granted.size(), "exactly as many as fit, whatever the interleaving");
            for (HomeQuotas.Reservation r : granted) {
                r.committed(FILE_BYTES, -1);
                r.committed(FILE_BYTES, -1); // settling twice counts once
            }
            assertArrayEquals(new long[] {37 * FILE_BYTES, 37}, q.usage(home));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aForgottenHomeIsCountedAgainAtItsNextUse() throws Exception {
        HomeQuotas q = new HomeQuotas(new HomeQuotas.Limits(QUOTA_BYTES, 0), 0, Clock.systemUTC());
        Files.write(home.resolve("a"), new byte[100]);
        Files.write(home.resolve(UploadTemps.PREFIX + "0123"), new byte[50]);
        assertArrayEquals(new long[] {150, 1}, q.usage(home), "a temp counts its bytes, not as a file");
        Files.write(home.resolve("b"), new byte[10]); // not seen: made behind the ledger's back
        assertArrayEquals(new long[] {150, 1}, q.usage(home));
        q.forget(home); // as after a recursive DELETE that failed midway
        assertArrayEquals(new long[] {160, 2}, q.usage(home));
    }
}

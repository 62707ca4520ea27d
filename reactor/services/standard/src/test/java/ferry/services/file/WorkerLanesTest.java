package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.AuthService;
import ferry.services.auth.UserStore;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 D4/D5: hashing 16 x 1 GiB files made other users' logins time out and their STATs take
 * 36 s, because all blocking work shared one pool. Here one client's HASHes hold every bulk worker
 * (their reads block until the test lets them go) and fill the bulk queue; another client's STAT,
 * LIST, GET open and login step must still be answered, which they are only if they run on other
 * lanes. No timing: the flood is held for as long as the other requests take.
 */
class WorkerLanesTest {
    static final int BULK_THREADS = 2;
    static final int QUEUE = 4;

    @TempDir
    Path tmp;

    @Test
    void aHashingFloodLeavesOtherUsersStatListAndLoginAlone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Semaphore readsStarted = new Semaphore(0);
        Path root = Files.createDirectories(tmp.resolve("root"));
        // Reads of the "slow*" files block until released: a disk that takes forever to hash them.
        FileOpener slowDisk = (path, options) -> {
            FileChannel real = FileChannel.open(path, options);
            if (!path.getFileName().toString().startsWith("slow") || options.contains(StandardOpenOption.WRITE)) {
                return real;
            }
            readsStarted.release();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real;
        };
        int flood = BULK_THREADS + QUEUE + 2;
        for (int i = 0; i < flood; i++) {
            Files.write(root.resolve("slow" + i), ("slow " + i).getBytes());
        }
        Files.write(root.resolve("plain"), "plain".getBytes());
        ServerConfig config = ServerConfig.builder().port(0).workerThreads(2).bulkWorkerThreads(BULK_THREADS)
                .loginWorkerThreads(1).workerQueue(QUEUE).anonymousRights(EnumSet.of(Right.READ)).build();
        FerryServer server = new FerryServer(config);
        server.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).opener(slowDisk).build()));
        server.install(new AuthService(UserStore.inConfigDir(tmp.resolve("config"))));
        server.start();
        try (FerryClient hasher = FerryClient.connect("127.0.0.1", server.port());
             FerryClient other = FerryClient.connect("127.0.0.1", server.port())) {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < flood; i++) {
                long id = hasher.nextId();
                ids.add(id);
                hasher.send(Header.op("HASH").put(Header.ID, id).put("path", "slow" + i));
            }
            assertTrue(readsStarted.tryAcquire(BULK_THREADS, 30, TimeUnit.SECONDS), "every bulk worker is hashing");

            FileClient files = new FileClient(other);
            assertEquals("plain", files.stat("plain").name(), "STAT while the bulk lane is full");
            assertEquals(1 + flood, files.list("").size(), "LIST while the bulk lane is full");
            Header get = other.call(Header.op("GET").put("path", "plain"));
            assertEquals("FILE", get.op(), "a GET opens on the metadata lane");
            other.skipBody();
            Header serverFirst = other.call(Header.op("AUTH_START").put("mechanism", "SCRAM-SHA-256")
                    .put("scram", "n,,n=nobody,r=abcdefghijklmnop"));
            assertEquals("AUTH_CONTINUE", serverFirst.op(), "a login step while the bulk lane is full: " + serverFirst);

            release.countDown();
            int busy = 0;
            for (long id : ids) {
                try {
                    hasher.expect(hasher.readHeader(), "HASH", id);
                } catch (RemoteException e) {
                    assertEquals("busy", e.code(), e.getMessage());
                    busy++;
                }
            }
            assertTrue(busy >= 1, "the flood overflowed its own lane's queue and only that: " + busy);
        } finally {
            release.countDown();
            server.stop(2, TimeUnit.SECONDS);
        }
    }
}

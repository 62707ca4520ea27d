package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's homework, literally: a 3 GiB "video" passed between several computers with a login,
 * through the real {@code ferry} command in each container. ferry-a makes the file; it goes
 * A → B with {@code ferry put}; three machines (C, A and D) download it from B at the same time
 * with {@code ferry get}, C's download being the B → C hop; and it goes B → C again with a
 * {@code ferry cp} run on A (server to server, through A, nothing stored on A). After every hop
 * the receiving host computes the SHA-256 itself and it must be the one A printed when it made
 * the file.
 *
 * <p>Both servers listen on 0.0.0.0 and have users, so they require login, and the rights are
 * per server: alice may read and write on B and C; bob exists only on C and may only read there.
 *
 * <p>The hops run in order and share the one file (made once: 3 GiB costs seconds of CPU to
 * make and to hash); a later hop needs the earlier ones and says so if they failed.
 */
@MultiHost
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BigFileAcrossHostsIT {
    private static final String ALICE_PASSWORD = "alice-secret-1";
    private static final String BOB_PASSWORD = "bob-secret-22";

    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.builder()
            .client("ferry-a")
            .server("ferry-b").user("ferry-b", "alice", "read,write", ALICE_PASSWORD)
            .server("ferry-c").user("ferry-c", "alice", "read,write", ALICE_PASSWORD)
            .user("ferry-c", "bob", "read", BOB_PASSWORD)
            .client("ferry-d")
            .build();

    static final long VIDEO_BYTES = 3L * 1024 * 1024 * 1024;
    static final String VIDEO = "/data/video.mp4";
    /** Each of the simultaneous downloads has this much before any may finish: they overlap. */
    static final long CONCURRENT_BYTES = 64L * 1024 * 1024;
    static final Duration HOP_TIMEOUT = Duration.ofMinutes(3);
    static final Map<String, String> ALICE = Map.of("FERRY_PASSWORD", ALICE_PASSWORD);
    static final Map<String, String> BOB = Map.of("FERRY_PASSWORD", BOB_PASSWORD);

    private static String videoDigest;
    private static boolean onB;

    private final FerryHost a = HOSTS.get("ferry-a");
    private final FerryHost b = HOSTS.get("ferry-b");
    private final FerryHost c = HOSTS.get("ferry-c");
    private final FerryHost d = HOSTS.get("ferry-d");

    @BeforeAll
    static void makeVideo() throws Exception {
        videoDigest = HOSTS.get("ferry-a").createRandomFile(VIDEO, VIDEO_BYTES, 3);
    }

    @Test
    @Order(1)
    void serversWithUsersOnEveryAddressRequireLogin() throws Exception {
        b.awaitLog("access: login required \\(1 users?\\)", 1, Duration.ofSeconds(10));
        c.awaitLog("access: login required \\(2 users\\)", 1, Duration.ofSeconds(10));
        ExecResult anonymous = a.ferry(Map.of(), HOP_TIMEOUT, "ls", "ferry-b:");
        assertEquals(1, anonymous.exitCode(), anonymous::toString);
        assertOneLine(anonymous, "ferry ls: ferry-b:7373 requires login: no credentials");
        ExecResult alice = a.ferry(ALICE, HOP_TIMEOUT, "ls", "alice@ferry-b:");
        assertEquals(0, alice.exitCode(), alice::toString);
    }

    @Test
    @Order(2)
    void putFromAToB() throws Exception {
        ExecResult r = a.ferry(ALICE, HOP_TIMEOUT, "put", "--verbose", VIDEO, "alice@ferry-b:/video.mp4");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("video.mp4: 3.0 GiB in "), r::toString);
        assertTrue(r.stdout().contains("sha-256 verified"), r::toString);
        assertEquals(videoDigest, b.sha256(VIDEO), "ferry-b holds the bytes ferry-a made");
        assertEquals(List.of(), b.transferLeftovers(FerryHost.DATA));
        onB = true;
    }

    /**
     * Three machines download the video from ferry-b at the same time; ferry-c's copy is the
     * B → C hop by {@code ferry get}, ferry-a's brings it back where it was made.
     */
    @Test
    @Order(3)
    void threeMachinesGetItFromBAtOnce() throws Exception {
        assertTrue(onB, "needs the put to ferry-b");
        String local = "/data/download.mp4";
        List<FerryHost> clients = List.of(c, a, d);
        List<BackgroundExec> gets = new ArrayList<>();
        try {
            for (FerryHost h : clients) {
                gets.add(h.startFerry(ALICE, "get", "--verbose", "alice@ferry-b:/video.mp4", local));
            }
            // All three are under way at once: each partial grew while none had finished.
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).awaitSize(local + ".ferry-partial", CONCURRENT_BYTES, HOP_TIMEOUT, gets.get(i));
            }
            for (BackgroundExec g : gets) {
                assertFalse(g.isDone(), () -> g + " finished before the others got going: " + g.snapshot());
            }
            for (BackgroundExec g : gets) {
                ExecResult r = g.waitFor(HOP_TIMEOUT);
                assertEquals(0, r.exitCode(), () -> g + ": " + r);
                assertTrue(r.stdout().startsWith("video.mp4: 3.0 GiB in "), r::toString);
                assertTrue(r.stdout().contains("sha-256 verified"), r::toString);
            }
        } finally {
            gets.forEach(BackgroundExec::close);
        }
        // Each machine hashes its own copy, in parallel as separate machines would.
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            List<Future<String>> digests = new ArrayList<>();
            for (FerryHost h : clients) {
                digests.add(pool.submit(() -> h.sha256(local)));
            }
            for (int i = 0; i < clients.size(); i++) {
                assertEquals(videoDigest, digests.get(i).get(), clients.get(i).name() + " downloaded the bytes ferry-a made");
            }
        } finally {
            pool.shutdownNow();
        }
        for (FerryHost h : clients) {
            assertEquals(List.of(), h.transferLeftovers(FerryHost.DATA), h.name());
            h.execOk("rm", local); // verified; the disk is shared
        }
    }

    @Test
    @Order(4)
    void copyFromBToCRunOnA() throws Exception {
        assertTrue(onB, "needs the put to ferry-b");
        long before = a.receivedBytes();
        ExecResult r = a.ferry(ALICE, HOP_TIMEOUT, "cp", "--verbose", "alice@ferry-b:/video.mp4", "alice@ferry-c:/video.mp4");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("video.mp4: 3.0 GiB in "), r::toString);
        assertTrue(r.stdout().contains("sha-256 verified"), r::toString);
        long through = a.receivedBytes() - before;
        assertTrue(through >= VIDEO_BYTES, () -> "the bytes went through ferry-a: " + through);
        assertEquals(videoDigest, c.sha256(VIDEO), "ferry-c holds the bytes ferry-a made, copied from ferry-b");
        assertEquals(List.of(), c.transferLeftovers(FerryHost.DATA));
        assertEquals(VIDEO, a.execOk("find", FerryHost.DATA, "-type", "f").line(), "cp stored nothing on ferry-a");
    }

    @Test
    @Order(5)
    void rightsAndPasswordsAreEnforcedPerServer() throws Exception {
        String small = "/data/small.bin";
        String digest = c.createRandomFile(small, 1024 * 1024, 9);

        ExecResult read = d.ferry(BOB, HOP_TIMEOUT, "get", "bob@ferry-c:/small.bin", small);
        assertEquals(0, read.exitCode(), () -> "bob may read on ferry-c: " + read);
        assertEquals(digest, d.sha256(small));

        ExecResult write = d.ferry(BOB, HOP_TIMEOUT, "put", small, "bob@ferry-c:/by-bob.bin");
        assertEquals(1, write.exitCode(), write::toString);
        assertOneLine(write, "ferry put: ferry-c:7373: permission denied: user bob lacks the write right");
        assertEquals(-1, c.engineFileSize("/data/by-bob.bin"), "nothing of bob's upload on ferry-c");
        assertEquals(List.of(), c.transferLeftovers(FerryHost.DATA));

        // bob is a user of ferry-c only: ferry-b does not know him (the same answer as a wrong password).
        ExecResult elsewhere = d.ferry(BOB, HOP_TIMEOUT, "ls", "bob@ferry-b:");
        assertEquals(1, elsewhere.exitCode(), elsewhere::toString);
        assertOneLine(elsewhere, "ferry ls: login failed for bob: wrong user name or password");

        ExecResult wrong = d.ferry(Map.of("FERRY_PASSWORD", "not-" + ALICE_PASSWORD), HOP_TIMEOUT,
                "get", "alice@ferry-c:/small.bin", "/data/wrong.bin");
        assertEquals(1, wrong.exitCode(), wrong::toString);
        assertOneLine(wrong, "ferry get: login failed for alice: wrong user name or password");
        assertEquals(-1, d.engineFileSize("/data/wrong.bin"));
        assertEquals(List.of(), d.transferLeftovers(FerryHost.DATA));
    }

    /** The command failed with exactly one line on stderr, starting with {@code start}, and printed nothing else. */
    private static void assertOneLine(ExecResult r, String start) {
        String err = r.stderr().strip();
        assertFalse(err.contains("\n"), () -> "one line on stderr: " + r);
        assertTrue(err.startsWith(start), () -> "stderr starts with '" + start + "': " + r);
        assertEquals("", r.stdout(), r::toString);
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import ferry.reactor.UserLimits;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When a running upload may be taken over: only by its own user asking for the very same upload
 * (same temp) once it has received nothing for the takeover time; never while bytes arrive, never
 * by another user or another upload of the same path. How many uploads one user and one address
 * may run. What PARTIAL sees of another user's upload: nothing.
 */
class UploadRegistryTest {
    private static final Path TARGET = Path.of("/root/video.mp4");
    private static final Path TEMP = Path.of("/root/.ferry-part-aaaa");
    private static final Path OTHER_TEMP = Path.of("/root/.ferry-part-bbbb");
    private static final long TAKEOVER_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String ADDRESS = "192.0.2.7";

    /** A running upload the test moves by hand. */
    static final class FakeHolder implements UploadRegistry.Holder {
        final String user;
        final String address;
        long stalledNanos;
        int superseded;

        FakeHolder(String user) {
            this(user, ADDRESS);
        }

        FakeHolder(String user, String address) {
            this.user = user;
            this.address = address;
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public long stalledNanos() {
            return stalledNanos;
        }

        @Override
        public void supersede() {
            superseded++;
        }

        int ownLimit = UserLimits.SERVER_DEFAULT;

        @Override
        public int userUploadLimit() {
            return ownLimit;
        }
    }

    private final UploadRegistry registry = new UploadRegistry(10, 3, 4, TAKEOVER_NANOS);
    private final FakeHolder running = new FakeHolder("alice");

    private void claim(Path target, Path temp, UploadRegistry.Holder holder) {
        try {
            registry.claim(target, temp, target.getFileName().toString(), holder);
        } catch (OpException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSameUsersAskStopsTheUploadOnlyOnceItReceivedNothingForTheTakeoverTime() throws Exception {
        claim(TARGET, TEMP, running);
        running.stalledNanos = TAKEOVER_NANOS - 1;
        for (int ask = 0; ask < 5; ask++) { // quick asks, however many, take nothing over
            OpException e = assertThrows(OpException.class, () -> registry.checkPartial(TARGET, TEMP, "alice", "video.mp4"));
            assertEquals("conflict", e.code());
            assertTrue(e.getMessage().contains("receives nothing for 30 s"), e.getMessage());
        }
        assertEquals(0, running.superseded);

        running.stalledNanos = TAKEOVER_NANOS;
        OpException stop = assertThrows(OpException.class,
                () -> registry.claim(TARGET, TEMP, "video.mp4", new FakeHolder("alice")));
        assertEquals("conflict", stop.code());
        assertTrue(stop.getMessage().contains("being stopped"), stop.getMessage());
        assertEquals(1, running.superseded);

        registry.release(TARGET); // what the stopped upload does once its bytes are written
        registry.checkPartial(TARGET, TEMP, "alice", "video.mp4");
        registry.claim(TARGET, TEMP, "video.mp4", new FakeHolder("alice"));
    }

    @Test
    void anotherUserOrAnotherUploadOfThePathNeverStopsIt() {
        claim(TARGET, TEMP, running);
        running.stalledNanos = 10 * TAKEOVER_NANOS;
        for (int ask = 0; ask < 3; ask++) {
            OpException bob = assertThrows(OpException.class,
                    () -> registry.claim(TARGET, OTHER_TEMP, "video.mp4", new FakeHolder("bob")));
            assertEquals("conflict", bob.code());
            assertTrue(bob.getMessage().contains("retry when it ends"), bob.getMessage());
            assertTrue(!bob.getMessage().contains("alice"), "whose upload it is is not said: " + bob.getMessage());
            assertThrows(OpException.class, () -> registry.checkPartial(TARGET, OTHER_TEMP, "alice", "video.mp4"));
        }
        assertEquals(0, running.superseded);
        assertTrue(registry.isActive(TARGET));
    }

    @Test
    void partialSeesNothingOfAnotherUsersRunningUpload() throws Exception {
        claim(TARGET, TEMP, running);
        running.stalledNanos = 10 * TAKEOVER_NANOS;
        registry.checkPartial(TARGET, OTHER_TEMP, "bob", "video.mp4"); // answered from bob's own temp: no conflict
        assertEquals(0, running.superseded);
    }

    @Test
    void oneUserRunsAtMostItsShareOfUploadsAndOthersStillGetSlots() throws Exception {
        for (int i = 0; i < 3; i++) {
            claim(Path.of("/root/a" + i), Path.of("/root/.ferry-part-a" + i), new FakeHolder("alice", "198.51.100." + i));
        }
        OpException busy = assertThrows(OpException.class, () -> registry.claim(Path.of("/root/a3"),
                Path.of("/root/.ferry-part-a3"), "a3", new FakeHolder("alice", "198.51.100.3")));
        assertEquals("busy", busy.code());
        assertTrue(busy.getMessage().contains("user alice has 3 uploads in progress"), busy.getMessage());
        claim(Path.of("/root/b0"), Path.of("/root/.ferry-part-b0"), new FakeHolder("bob", "198.51.100.3"));

        registry.release(Path.of("/root/a0"));
        claim(Path.of("/root/a3"), Path.of("/root/.ferry-part-a3"), new FakeHolder("alice", "198.51.100.4"));
    }

    @Test
    void oneAddressRunsAtMostItsShareOfUploadsWhateverUsersItLogsInAs() throws Exception {
        for (int i = 0; i < 4; i++) {
            claim(Path.of("/root/u" + i), Path.of("/root/.ferry-part-u" + i), new FakeHolder("user" + i, ADDRESS));
        }
        OpException busy = assertThrows(OpException.class, () -> registry.claim(Path.of("/root/u4"),
                Path.of("/root/.ferry-part-u4"), "u4", new FakeHolder("user4", ADDRESS)));
        assertEquals("busy", busy.code());
        assertTrue(busy.getMessage().contains("address " + ADDRESS + " has 4 uploads in progress"), busy.getMessage());
        claim(Path.of("/root/u4"), Path.of("/root/.ferry-part-u4"), new FakeHolder("user4", "203.0.113.1"));

        for (int i = 0; i <= 4; i++) {
            registry.release(Path.of("/root/u" + i));
        }
        assertEquals(0, registry.active());
        assertEquals(0, registry.countedUsersAndAddresses(), "no count outlives its uploads");
    }

    @Test
    void aUsersOwnUploadLimitReplacesTheServersPerUserLimit() throws Exception {
        FakeHolder one = new FakeHolder("alice", "192.0.2.1");
        one.ownLimit = 1;
        claim(Path.of("/root/a1"), Path.of("/root/.t-a1"), one);
        OpException e = assertThrows(OpException.class,
                () -> registry.claim(Path.of("/root/a2"), Path.of("/root/.t-a2"), "a2", one));
        assertEquals(ErrorCode.BUSY, e.code());
        assertTrue(e.getMessage().contains("user alice has 1 uploads"), e.getMessage());
        FakeHolder unlimited = new FakeHolder("bob", "192.0.2.2");
        unlimited.ownLimit = 0; // no per-user limit: past the registry's 3 per user, up to its per-address 4
        for (int i = 0; i < 4; i++) {
            claim(Path.of("/root/b" + i), Path.of("/root/.t-b" + i), unlimited);
        }
        registry.release(Path.of("/root/a1"));
        claim(Path.of("/root/a2"), Path.of("/root/.t-a2"), one);
    }
}

package ferry.reactor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.reactor.OpException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * When a running upload may be taken over: only by its own user asking for the very same upload
 * (same temp) twice while it received nothing in between; never while bytes arrive, never by
 * another user or another upload of the same path.
 */
class UploadRegistryTest {
    private static final Path TARGET = Path.of("/root/video.mp4");
    private static final Path TEMP = Path.of("/root/.ferry-part-aaaa");
    private static final Path OTHER_TEMP = Path.of("/root/.ferry-part-bbbb");

    /** A running upload the test moves by hand. */
    static final class FakeHolder implements UploadRegistry.Holder {
        final String user;
        long received;
        int superseded;

        FakeHolder(String user) {
            this.user = user;
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public long received() {
            return received;
        }

        @Override
        public void supersede() {
            superseded++;
        }
    }

    private final UploadRegistry registry = new UploadRegistry(10);
    private final FakeHolder running = new FakeHolder("alice");

    private void claim(Path target, Path temp, UploadRegistry.Holder holder) {
        try {
            registry.claim(target, temp, "video.mp4", holder);
        } catch (OpException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSameUsersSecondAskWithNothingReceivedBetweenStopsTheStalledUpload() throws Exception {
        registry.claim(TARGET, TEMP, "video.mp4", running);
        running.received = 1000;
        OpException first = assertThrows(OpException.class, () -> registry.checkNotRunning(TARGET, TEMP, "alice", "video.mp4"));
        assertEquals("conflict", first.code());
        assertEquals(0, running.superseded, "one ask only notes how far it got");
        OpException second = assertThrows(OpException.class,
                () -> registry.claim(TARGET, TEMP, "video.mp4", new FakeHolder("alice")));
        assertEquals("conflict", second.code());
        assertTrue(second.getMessage().contains("being stopped"), second.getMessage());
        assertEquals(1, running.superseded);

        registry.release(TARGET); // what the stopped upload does once its bytes are written
        registry.checkNotRunning(TARGET, TEMP, "alice", "video.mp4");
        registry.claim(TARGET, TEMP, "video.mp4", new FakeHolder("alice"));
    }

    @Test
    void anUploadThatReceivesBytesBetweenTheAsksIsAliveAndKeepsRunning() {
        claim(TARGET, TEMP, running);
        for (int ask = 0; ask < 5; ask++) {
            running.received += 64 * 1024;
            assertEquals("conflict", assertThrows(OpException.class,
                    () -> registry.checkNotRunning(TARGET, TEMP, "alice", "video.mp4")).code());
        }
        assertEquals(0, running.superseded);
    }

    @Test
    void anotherUserOrAnotherUploadOfThePathNeverStopsIt() {
        claim(TARGET, TEMP, running);
        for (int ask = 0; ask < 3; ask++) {
            OpException bob = assertThrows(OpException.class, () -> registry.checkNotRunning(TARGET, TEMP, "bob", "video.mp4"));
            assertTrue(bob.getMessage().contains("retry when it ends"), bob.getMessage());
            assertThrows(OpException.class, () -> registry.checkNotRunning(TARGET, OTHER_TEMP, "alice", "video.mp4"));
            assertThrows(OpException.class, () -> registry.checkNotRunning(TARGET, TEMP, null, "video.mp4"));
        }
        assertEquals(0, running.superseded);
        assertTrue(registry.isActive(TARGET));
    }
}

package ferry.reactor.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.Right;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStoreTest {
    @TempDir
    Path dir;

    private static UserRecord user(String name) {
        PasswordHasher.Keys k = new PasswordHasher().hash((name + "-password").toCharArray(), AuthFixture.ITERATIONS);
        return new UserRecord(name, k.iterations(), k.salt(), k.storedKey(), k.serverKey(), EnumSet.of(Right.READ), name);
    }

    private UserStore store() {
        return UserStore.inConfigDir(dir.resolve("config"));
    }

    private List<String> folderListing() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("config"))) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aMissingStoreHasNoUsers() throws Exception {
        assertEquals(0, store().countUsers());
        assertFalse(store().exists());
    }

    @Test
    void storeAndConfigFolderAreOwnerOnly() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.file().getParent())));
        s.update(u -> u.with(user("bob")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.file())), "after a replace too");
        assertEquals(List.of("alice", "bob"), s.load().all().stream().map(UserRecord::name).collect(Collectors.toList()));
    }

    @Test
    void aStoreOthersCanReadIsRefusedWithAHint() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        Files.setPosixFilePermissions(s.file(), PosixFilePermissions.fromString("rw-r-----"));
        UserStoreException e = assertThrows(UserStoreException.class, s::load);
        assertTrue(e.getMessage().contains("0640") && e.getMessage().contains("chmod 600"), e.getMessage());
        assertThrows(UserStoreException.class, () -> s.update(u -> u.with(user("bob"))), "no writes on top of a leaky store");
    }

    @Test
    void aHalfWrittenTemporaryFromACrashLeavesTheOldStoreInUse() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        byte[] before = Files.readAllBytes(s.file());
        // A crash mid-write: the temporary holds half of a new store; the rename never happened.
        String half = UserStoreFormat.format(s.load().with(user("bob")));
        Path temp = s.file().resolveSibling(SecureFiles.tempPrefix(s.file()) + "deadbeef");
        Files.write(temp, half.substring(0, half.length() / 2).getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(before, Files.readAllBytes(s.file()));
        assertEquals(List.of("alice"), s.load().all().stream().map(UserRecord::name).collect(Collectors.toList()));
        // The next change removes the leftover.
        s.update(u -> u.with(user("carol")));
        assertEquals(List.of("users", "users.lock"), folderListing());
        assertEquals(2, s.countUsers());
    }

    @Test
    void aFailureBetweenWriteAndRenameKeepsTheOldStore() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        byte[] before = Files.readAllBytes(s.file());
        Path[] seen = new Path[1];
        s.beforeRename = temp -> {
            seen[0] = temp;
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)));
            assertTrue(new String(Files.readAllBytes(temp), StandardCharsets.UTF_8).contains("user bob:"),
                    "the new content is complete in the temporary before the rename");
            throw new IOException("simulated crash before rename");
        };
        IOException e = assertThrows(IOException.class, () -> s.update(u -> u.with(user("bob"))));
        assertEquals("simulated crash before rename", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(s.file()));
        assertFalse(Files.exists(seen[0]));
        assertEquals(1, s.countUsers());
    }

    @Test
    void theSecretSurvivesUpdatesSoDecoysStayStable() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        byte[] decoySalt = s.load().lookup("nobody").record().salt();
        s.update(u -> u.with(user("bob")));
        assertArrayEquals(decoySalt, s.load().lookup("nobody").record().salt());
        assertFalse(s.load().lookup("nobody").exists());
        assertTrue(s.load().lookup("bob").exists());
    }

    @Test
    void anAbortedChangeWritesNothing() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        long modified = Files.getLastModifiedTime(s.file()).toMillis();
        Path before = s.file().toRealPath();
        assertThrows(IllegalArgumentException.class, () -> s.update(u -> {
            throw new IllegalArgumentException("user alice already exists");
        }));
        assertEquals(modified, Files.getLastModifiedTime(s.file()).toMillis());
        assertEquals(before, s.file().toRealPath());
    }
}

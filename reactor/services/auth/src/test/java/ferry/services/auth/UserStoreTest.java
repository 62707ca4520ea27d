package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
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

    // ---- owner and folder (issue 13, D13: OpenSSH's StrictModes) ----------------------------

    private static boolean runningAsRoot() {
        SecureFiles.Account self = SecureFiles.processAccount();
        return self != null && self.uid() == 0;
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid);
    }

    @Test
    void aStoreInAFolderOthersCanWriteIsRefused() throws Exception {
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        Path folder = s.file().getParent();
        for (String mode : new String[] {"rwxrwxrwx", "rwxrwx---", "rwx-w--w-", "rwxr-x-wx"}) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(mode));
            UserStoreException e = assertThrows(UserStoreException.class, s::load, mode);
            assertTrue(e.getMessage().contains("chmod go-w " + folder), e.getMessage());
            assertTrue(e.getMessage().contains("the folder " + folder), e.getMessage());
            assertThrows(UserStoreException.class, () -> s.update(u -> u.with(user("bob"))), "no writes there either");
        }
        // Readable by others is fine (0755): only writing lets someone replace the store.
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(1, s.load().size());
        // A folder others can write is refused even before there is a store in it.
        Files.delete(s.file());
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(UserStoreException.class, s::load);
    }

    @Test
    void aStoreOrFolderOwnedBySomeoneElseIsRefused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(runningAsRoot(), "chown needs root");
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        Path folder = s.file().getParent();
        // The store owned by nobody (65534), mode 0600.
        chown(s.file(), 65534);
        UserStoreException e = assertThrows(UserStoreException.class, s::load);
        assertTrue(e.getMessage().contains("user store " + s.file() + " is owned by"), e.getMessage());
        assertTrue(e.getMessage().contains("(uid 65534)") && e.getMessage().contains("chown root " + s.file()), e.getMessage());
        chown(s.file(), 0);
        assertEquals(1, s.load().size());
        // The folder owned by nobody.
        chown(folder, 65534);
        e = assertThrows(UserStoreException.class, s::load);
        assertTrue(e.getMessage().contains("chown root " + folder), e.getMessage());
        chown(folder, 0);
        assertEquals(1, s.load().size());
    }

    /** The case from issue 13: a 0600 store owned by nobody in a 0777 folder, read by a root server. */
    @Test
    void aServerRefusesToStartOnTheIssueCaseAndSaysWhatToFix() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(runningAsRoot(), "chown needs root");
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        Path folder = s.file().getParent();
        chown(s.file(), 65534);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        FerryServer server = new FerryServer(
                ServerConfig.builder().port(0).loginRequired(true).build());
        UserStoreException e = assertThrows(UserStoreException.class, () -> server.install(new AuthService(s)));
        String m = e.getMessage();
        assertTrue(m.contains("chown root " + s.file()) && m.contains("chmod go-w " + folder), m);
        assertTrue(m.contains("has mode 0777"), m);
    }

    /** The server's own account (not root) may own both; anyone else may not. */
    @Test
    void theServersOwnAccountOrRootMayOwnIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(runningAsRoot(), "chown needs root");
        UserStore s = store();
        s.update(u -> u.with(user("alice")));
        Path folder = s.file().getParent();
        SecureFiles.Account nobody = new SecureFiles.Account(65534, "nobody");
        SecureFiles.checkOwnership(s.file(), "user store", nobody); // root owns both: fine
        chown(s.file(), 65534);
        chown(folder, 65534);
        SecureFiles.checkOwnership(s.file(), "user store", nobody); // its own: fine
        chown(s.file(), 4242);
        UserStoreException e = assertThrows(UserStoreException.class,
                () -> SecureFiles.checkOwnership(s.file(), "user store", nobody));
        assertTrue(e.getMessage().contains("not by nobody (uid 65534)") && e.getMessage().contains("chown nobody " + s.file()),
                e.getMessage());
        chown(s.file(), 0);
        chown(folder, 0);
    }

    @Test
    void aLinkedStoreIsJudgedWhereItReallyIs() throws Exception {
        UserStore real = UserStore.inConfigDir(dir.resolve("real"));
        real.update(u -> u.with(user("alice")));
        Path linkDir = dir.resolve("config");
        Files.createDirectories(linkDir);
        Files.setPosixFilePermissions(linkDir, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(linkDir.resolve("users"), real.file());
        UserStore s = store();
        assertEquals(1, s.load().size());
        Files.setPosixFilePermissions(real.file().getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        UserStoreException e = assertThrows(UserStoreException.class, s::load);
        assertTrue(e.getMessage().contains("chmod go-w " + real.file().getParent()), e.getMessage());
    }
}

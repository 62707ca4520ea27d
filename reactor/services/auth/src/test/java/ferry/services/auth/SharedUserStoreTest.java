package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthClient;
import ferry.client.FerryClient;
import ferry.client.LoginResult;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.reactor.Right;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers over one config folder, as nodes behind a balancer sharing the user store: a change
 * made on any machine ({@code ferry user add/del} replaces the file atomically) applies at the next
 * login on every node, without a restart or a signal, even when the new file has the old one's
 * size and modification time (it is a new file: its identity changed).
 */
class SharedUserStoreTest {
    private static final String PW = "shared-secret-1";

    @TempDir
    Path dir;

    private final List<AuthFixture> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(AuthFixture::close);
    }

    @Test
    void aChangeMadeOnOneMachineAppliesAtTheNextLoginOnEveryNode() throws Exception {
        AuthFixture one = node().user("alice", PW, EnumSet.of(Right.READ), "alice");
        one.start(AuthSettings.defaults(), true);
        AuthFixture two = node().start(AuthSettings.defaults(), true);
        for (AuthFixture n : nodes) {
            assertEquals("alice", login(n, "alice").home());
            assertEquals(ErrorCode.UNAUTHENTICATED, refused(n, "bobby"));
        }
        Path file = one.store.file();
        FileTime before = Files.getLastModifiedTime(file);
        long size = Files.size(file);

        // Same name length and rights: the same size; the mtime put back as a coarse clock would leave it.
        one.store.update(u -> u.without("alice"));
        one.user("bobby", PW, EnumSet.of(Right.READ), "alice");
        Files.setLastModifiedTime(file, before);
        assertEquals(size, Files.size(file), "the test's premise: a rewrite of the same size");

        for (AuthFixture n : List.of(two, one)) {
            assertEquals("alice", login(n, "bobby").home(), "the new user logs in on every node");
            assertEquals(ErrorCode.UNAUTHENTICATED, refused(n, "alice"), "the removed one nowhere");
        }
    }

    private AuthFixture node() {
        AuthFixture f = new AuthFixture(dir);
        nodes.add(f);
        return f;
    }

    private static LoginResult login(AuthFixture n, String user) throws Exception {
        try (FerryClient c = n.connect()) {
            return new AuthClient(c).login(user, PW.toCharArray());
        }
    }

    private static String refused(AuthFixture n, String user) throws Exception {
        try (FerryClient c = n.connect()) {
            return assertThrows(RemoteException.class, () -> new AuthClient(c).login(user, PW.toCharArray())).code();
        }
    }
}

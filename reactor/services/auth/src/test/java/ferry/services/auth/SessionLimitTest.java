package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthClient;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.Right;
import ferry.reactor.UserLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cap on each user's logged-in connections, through real sockets on loopback. */
class SessionLimitTest {
    static final String ALICE_PW = "alice-secret-1";
    static final String BOB_PW = "bob-secret-22";
    static final long DEADLINE_MILLIS = 20_000;

    @TempDir
    Path dir;
    AuthFixture f;
    final List<FerryClient> open = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (FerryClient c : open) {
            c.close();
        }
        if (f != null) {
            f.close();
        }
    }

    private AuthFixture start(int maxSessionsPerUser) throws Exception {
        f = new AuthFixture(dir)
                .user("alice", ALICE_PW, EnumSet.of(Right.READ), "")
                .user("bob", BOB_PW, EnumSet.of(Right.READ), "");
        return f.start(AuthSettings.builder().maxSessionsPerUser(maxSessionsPerUser).build(), true);
    }

    private FerryClient loggedIn(String user, String pw) throws Exception {
        FerryClient c = f.connect();
        open.add(c);
        new AuthClient(c).login(user, pw.toCharArray());
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + DEADLINE_MILLIS + " ms: " + what);
            }
            Thread.sleep(5); // polling a condition with a deadline, not waiting for time to pass
        }
    }

    @Test
    void aLoginOverTheUsersCapIsRefusedClearlyAndTheConnectionStaysUsable() throws Exception {
        start(2);
        loggedIn("alice", ALICE_PW);
        FerryClient second = loggedIn("alice", ALICE_PW);
        FerryClient third = f.connect();
        open.add(third);
        RemoteException e = assertThrows(RemoteException.class,
                () -> new AuthClient(third).login("alice", ALICE_PW.toCharArray()));
        assertEquals(ErrorCode.TOO_MANY_SESSIONS, e.code());
        assertTrue(e.serverMessage().contains("2 sessions"), e.serverMessage());
        RemoteException notIn = assertThrows(RemoteException.class, () -> third.call(Header.op("WHOAMI")));
        assertEquals(ErrorCode.UNAUTHENTICATED, notIn.code());
        assertEquals("bob", new AuthClient(third).login("bob", BOB_PW.toCharArray()).user(), "other users are not capped");

        second.close();
        await("alice's session slot given back", () -> f.auth.sessions().count("alice") == 1);
        assertEquals("alice", new AuthClient(f.connect()).login("alice", ALICE_PW.toCharArray()).user());
    }

    @Test
    void wrongPasswordsAndUnknownUsersAtTheCapFailAsAnyFailedLogin() throws Exception {
        start(1);
        loggedIn("alice", ALICE_PW);
        try (FerryClient c = f.connect()) {
            RemoteException wrong = assertThrows(RemoteException.class,
                    () -> new AuthClient(c).login("alice", "not-her-password".toCharArray()));
            RemoteException unknown = assertThrows(RemoteException.class,
                    () -> new AuthClient(c).login("mallory", "not-her-password".toCharArray()));
            assertEquals(ErrorCode.UNAUTHENTICATED, wrong.code(), "the cap must not tell that alice exists");
            assertEquals(AuthService.FAILED_MESSAGE, wrong.serverMessage());
            assertEquals(wrong.code(), unknown.code());
            assertEquals(wrong.serverMessage(), unknown.serverMessage());
        }
    }

    @Test
    void theUserStoresOwnLimitOverridesTheServersDefault() throws Exception {
        f = new AuthFixture(dir)
                .user("alice", ALICE_PW, EnumSet.of(Right.READ), "")
                .user("bob", BOB_PW, EnumSet.of(Right.READ), "");
        f.store.update(u -> u.with(u.get("alice").orElseThrow().withLimits(UserLimits.DEFAULTS.withSessions(1)))
                .with(u.get("bob").orElseThrow().withLimits(UserLimits.DEFAULTS.withSessions(0))));
        f.start(AuthSettings.builder().maxSessionsPerUser(2).build(), true);
        loggedIn("alice", ALICE_PW);
        try (FerryClient c = f.connect()) {
            RemoteException e = assertThrows(RemoteException.class,
                    () -> new AuthClient(c).login("alice", ALICE_PW.toCharArray()));
            assertEquals(ErrorCode.TOO_MANY_SESSIONS, e.code());
        }
        for (int i = 0; i < 4; i++) {
            loggedIn("bob", BOB_PW); // 0: no limit for bob, past the server's 2
        }
        assertEquals(4, f.auth.sessions().count("bob"));
    }

    @Test
    void slotsComeBackOnEveryCloseManyTimesOver() throws Exception {
        start(3);
        for (int round = 0; round < 20; round++) {
            FerryClient a = loggedIn("alice", ALICE_PW);
            FerryClient b = loggedIn("alice", ALICE_PW);
            FerryClient c = loggedIn("alice", ALICE_PW);
            switch (round % 3) {
                case 0 -> { // BYE, the server closes
                    a.bye();
                    b.bye();
                    c.bye();
                }
                case 1 -> { // the peer vanishes without BYE, mid-request and mid-body
                    a.close();
                    b.send(Header.op("WHOAMI").put(Header.ID, b.nextId()));
                    b.close();
                    c.send(Header.op("WHOAMI").put(Header.ID, c.nextId()).put(Header.SIZE, 1000L));
                    c.sendBody(ByteBuffer.wrap(new byte[10]));
                    c.close();
                }
                default -> { // a protocol error closes it on the server's side
                    a.sendBody(ByteBuffer.wrap("{not a frame}".getBytes(StandardCharsets.US_ASCII)));
                    b.close();
                    c.close();
                }
            }
            open.clear();
            await("every slot back after round " + round, () -> f.auth.sessions().users() == 0);
        }
        loggedIn("alice", ALICE_PW);
        loggedIn("alice", ALICE_PW);
        loggedIn("alice", ALICE_PW);
    }

    @Test
    void anOperatorsDropGivesTheSlotsBackAndLeavesOtherUsersAlone() throws Exception {
        start(2);
        loggedIn("alice", ALICE_PW);
        loggedIn("alice", ALICE_PW);
        FerryClient bob = loggedIn("bob", BOB_PW);
        assertEquals(2, f.server.admin().closeUser("alice"));
        await("alice's slots given back", () -> f.auth.sessions().count("alice") == 0);
        assertEquals(1, f.auth.sessions().count("bob"));
        assertTrue(bob.ping() > 0);
        loggedIn("alice", ALICE_PW);
        loggedIn("alice", ALICE_PW);
    }
}

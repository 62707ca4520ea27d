package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthClient;
import ferry.client.AuthenticationException;
import ferry.client.FerryClient;
import ferry.client.LoginResult;
import ferry.client.RemoteException;
import ferry.client.ScramClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.scram.ServerFirstMessage;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.UserQuota;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The login service through real sockets. */
class AuthServiceTest {
    static final String ALICE_PW = "alice-secret-1";
    static final String BOB_PW = "bob-secret-22";

    @TempDir
    Path dir;
    AuthFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private AuthFixture standard(AuthSettings settings, boolean loginRequired) throws Exception {
        f = new AuthFixture(dir)
                .user("alice", ALICE_PW, EnumSet.of(Right.READ), "alice/docs")
                .user("bob", BOB_PW, EnumSet.allOf(Right.class), "");
        return f.start(settings, loginRequired);
    }

    private static RemoteException remote(ThrowingCall call) {
        return assertThrows(RemoteException.class, call::run);
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    /** AUTH_START by hand: returns the server-first-message. */
    private static String start(FerryClient c, String clientFirst) throws IOException {
        Header h = c.call(Header.op("AUTH_START").put("mechanism", "SCRAM-SHA-256").put("scram", clientFirst));
        assertEquals("AUTH_CONTINUE", h.op());
        return h.requireString("scram");
    }

    /** A client-final-message with a proof from the wrong password. */
    private static String wrongFinal(String user, String clientFirstNonce, String serverFirst) throws IOException {
        ScramClient wrong = new ScramClient(user, "not-the-password".toCharArray(), clientFirstNonce);
        wrong.clientFirst();
        return wrong.clientFinal(serverFirst);
    }

    @Test
    void loginGrantsTheUsersRightsAndHome() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            LoginResult r = new AuthClient(c).login("alice", ALICE_PW.toCharArray());
            assertEquals("alice", r.user());
            assertEquals(List.of("read"), r.rights());
            assertEquals("alice/docs", r.home());
            Header who = c.call(Header.op("WHOAMI"));
            assertEquals("alice", who.getString("user", null));
            assertEquals("alice/docs", who.getString("home", null));
            assertEquals("alice", c.hello().getString("user", null));
            assertEquals("OK", c.call(Header.op("NEEDS_READ")).op());
            for (String op : new String[] {"NEEDS_WRITE", "NEEDS_DELETE", "NEEDS_EXEC"}) {
                assertEquals(ErrorCode.FORBIDDEN, remote(() -> c.call(Header.op(op))).code(), op);
            }
        }
        try (FerryClient c = f.connect()) {
            LoginResult r = new AuthClient(c).login("bob", BOB_PW.toCharArray());
            assertEquals(List.of("read", "write", "delete", "exec", "admin"), r.rights());
            assertEquals("", c.call(Header.op("WHOAMI")).getString("home", null));
            for (Right right : Right.values()) {
                assertEquals("OK", c.call(Header.op("NEEDS_" + right.name())).op());
            }
        }
        assertEquals(2, f.auth.successfulLogins());
    }

    @Test
    void loginPutsTheUsersOwnQuotaOnTheSessionForTheFileService() throws Exception {
        f = new AuthFixture(dir).user("alice", ALICE_PW, EnumSet.of(Right.READ), "alice");
        f.store.update(u -> u.with(u.get("alice").orElseThrow().withQuota(new UserQuota(1000, UserQuota.SERVER_DEFAULT))));
        f.start(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            new AuthClient(c).login("alice", ALICE_PW.toCharArray());
            Header who = c.call(Header.op("WHOAMI"));
            assertEquals(1000, who.getLong("quotaBytes", -2));
            assertEquals(UserQuota.SERVER_DEFAULT, who.getLong("quotaFiles", -2));
        }
    }

    @Test
    void beforeLoginOnlyHelloAuthPingAndByeAreAccepted() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            Header hello = c.hello();
            assertEquals("required", hello.getString("login", null));
            assertNull(hello.get("user"));
            assertTrue(hello.optList("features").contains(AuthService.FEATURE));
            assertTrue(c.ping() > 0);
            for (String op : new String[] {"WHOAMI", "NEEDS_READ", "NEEDS_EXEC"}) {
                RemoteException e = remote(() -> c.call(Header.op(op)));
                assertEquals(ErrorCode.UNAUTHENTICATED, e.code(), op);
                assertTrue(e.serverMessage().contains("log in first"), e.getMessage());
            }
            // AUTH_START is reachable before login (the answer is a challenge, not unauthenticated).
            assertTrue(start(c, "n,,n=alice,r=abcdefgh").startsWith("r=abcdefgh"));
            c.bye();
        }
    }

    @Test
    void wrongPasswordAndUnknownUserFailTheSameWayAndTheConnectionStaysUsable() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            RemoteException wrong = remote(() -> new AuthClient(c).login("alice", "guess-guess".toCharArray()));
            RemoteException unknown = remote(() -> new AuthClient(c).login("mallory", "guess-guess".toCharArray()));
            assertEquals(ErrorCode.UNAUTHENTICATED, wrong.code());
            assertEquals(wrong.code(), unknown.code());
            assertEquals(AuthService.FAILED_MESSAGE, wrong.serverMessage());
            assertEquals(wrong.serverMessage(), unknown.serverMessage());
            assertTrue(c.ping() > 0);
            assertEquals("alice", new AuthClient(c).login("alice", ALICE_PW.toCharArray()).user());
        }
        String failures = String.join("\n", f.logLines);
        assertTrue(failures.contains("login failed for user \"alice\" from 127.0.0.1"), failures);
        assertTrue(failures.contains("login failed for user \"mallory\" from 127.0.0.1"), failures);
        assertTrue(failures.contains("failure 1 for this user, 1 from this address"), failures);
        assertFalse(failures.contains("guess-guess"), "the log must never contain a password");
        assertFalse(failures.contains(ALICE_PW));
    }

    @Test
    void unknownUsersGetAStableRealisticChallenge() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            ServerFirstMessage real = ServerFirstMessage.parse(start(c, "n,,n=alice,r=nonce1"));
            ServerFirstMessage fake1 = ServerFirstMessage.parse(start(c, "n,,n=nobody,r=nonce2"));
            ServerFirstMessage fake2 = ServerFirstMessage.parse(start(c, "n,,n=nobody,r=nonce3"));
            assertEquals(real.iterations(), fake1.iterations());
            assertEquals(real.salt().length, fake1.salt().length);
            assertArrayEquals(fake1.salt(), fake2.salt(), "a decoy's salt must not change between attempts");
            assertFalse(Arrays.equals(real.salt(), fake1.salt()));
        }
    }

    @Test
    void theRfc7677TranscriptRunsOverTheWire() throws Exception {
        f = new AuthFixture(dir);
        UserRecord u = ScramVectorTest.vectorUser();
        f.store.update(users -> users.with(u));
        f.start(AuthSettings.defaults(), true, () -> ScramVectorTest.SERVER_NONCE);
        try (FerryClient c = f.connect()) {
            assertEquals(ScramVectorTest.SERVER_FIRST, start(c, ScramVectorTest.CLIENT_FIRST));
            Header ok = c.call(Header.op("AUTH_FINISH").put("scram", ScramVectorTest.CLIENT_FINAL));
            assertEquals("AUTH_OK", ok.op());
            assertEquals(ScramVectorTest.SERVER_FINAL, ok.getString("scram", null));
            assertEquals("user", ok.getString("user", null));
        }
    }

    @Test
    void aProofCannotBeReplayed() throws Exception {
        standard(AuthSettings.defaults(), true);
        String clientFinal;
        String serverFirst;
        try (FerryClient c = f.connect()) {
            ScramClient s = new ScramClient("alice", ALICE_PW.toCharArray(), "fixed-client-nonce");
            serverFirst = start(c, s.clientFirst());
            clientFinal = s.clientFinal(serverFirst);
            assertEquals("AUTH_OK", c.call(Header.op("AUTH_FINISH").put("scram", clientFinal)).op());
        }
        try (FerryClient c = f.connect()) {
            String fresh = start(c, "n,,n=alice,r=fixed-client-nonce");
            assertNotEquals(serverFirst, fresh, "every exchange gets a fresh server nonce");
            // The recorded message names the old nonce: refused as not this exchange's.
            RemoteException e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", clientFinal)));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            // The recorded proof under the new nonce: a failed login.
            String nonce = ServerFirstMessage.parse(start(c, "n,,n=alice,r=fixed-client-nonce")).nonce();
            String proof = clientFinal.substring(clientFinal.indexOf(",p="));
            e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", "c=biws,r=" + nonce + proof)));
            assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
            // The same exchange cannot be finished twice.
            e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", "c=biws,r=" + nonce + proof)));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.serverMessage().contains("without an AUTH_START"), e.getMessage());
            assertNull(c.hello().get("user"));
        }
    }

    @Test
    void truncatedExchangesFailCleanly() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            RemoteException e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", "c=biws,r=abc,p="
                    + Base64.getEncoder().encodeToString(new byte[32]))));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.serverMessage().contains("send AUTH_START first"), e.getMessage());
            assertTrue(c.ping() > 0);
        }
        // A client that vanishes between AUTH_START and AUTH_FINISH leaves nothing behind.
        FerryClient dropped = f.connect();
        start(dropped, "n,,n=alice,r=dropped");
        dropped.close();
        try (FerryClient c = f.connect()) {
            assertEquals("alice", new AuthClient(c).login("alice", ALICE_PW.toCharArray()).user());
        }
        assertEquals(0, f.auth.throttle().tracked(), "an abandoned exchange is not a failure");
        assertEquals(0, f.server.loopErrors());
    }

    @Test
    void malformedAndOversizedFieldsAreRejectedAndTheConnectionGoesOn() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            String longName = "a".repeat(100);
            Object[][] cases = {
                {Header.op("AUTH_START").put("scram", "n,,n=alice,r=" + "x".repeat(2000)), ErrorCode.TOO_LARGE},
                {Header.op("AUTH_START").put("scram", "n,,n=" + longName + ",r=abc"), ErrorCode.TOO_LARGE},
                {Header.op("AUTH_START").put("scram", "n,,n=alice,r=" + "x".repeat(300)), ErrorCode.TOO_LARGE},
                {Header.op("AUTH_START").put("scram", "n,,n=\u00e9ve,r=abc"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("scram", 42L), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("mechanism", "PLAIN").put("scram", "n,,n=alice,r=abc"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("scram", "p=tls-unique,,n=alice,r=abc"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("scram", "n,a=bob,n=alice,r=abc"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("scram", "n,,n=al=ice,r=abc"), ErrorCode.BAD_REQUEST},
                {Header.op("AUTH_START").put("scram", "garbage"), ErrorCode.BAD_REQUEST},
            };
            for (Object[] k : cases) {
                Header req = (Header) k[0];
                RemoteException e = remote(() -> c.call(req));
                assertEquals(k[1], e.code(), req.toString() + " -> " + e.getMessage());
            }
            // A body on AUTH_START is refused (and skipped), not parsed.
            Header withBody = Header.op("AUTH_START").put(Header.ID, c.nextId()).put("scram", "n,,n=alice,r=abc");
            c.send(withBody, ByteBuffer.wrap(new byte[100]));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), null, withBody.id()));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            // Client-final problems: bad proof length, wrong channel binding.
            String nonce = ServerFirstMessage.parse(start(c, "n,,n=alice,r=abc")).nonce();
            e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", "c=biws,r=" + nonce + ",p=AAAA")));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            String nonce2 = ServerFirstMessage.parse(start(c, "n,,n=alice,r=abc")).nonce();
            e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", "c=eSws,r=" + nonce2 + ",p="
                    + Base64.getEncoder().encodeToString(new byte[32]))));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.serverMessage().contains("channel binding"), e.getMessage());
            assertTrue(c.ping() > 0);
            assertEquals("alice", new AuthClient(c).login("alice", ALICE_PW.toCharArray()).user());
        }
        assertEquals(0, f.auth.failedLogins(), "malformed requests are not password guesses");
    }

    @Test
    void throttledFailuresAreAnsweredLaterWithoutBlockingTheLoop() throws Exception {
        standard(AuthSettings.builder().freeFailures(1).baseDelayMillis(250).build(), true);
        try (FerryClient c = f.connect(); FerryClient other = f.connect()) {
            // Failure 1 is free.
            remote(() -> new AuthClient(c).login("alice", "wrong-wrong".toCharArray()));
            // Failure 2 costs 250 ms: pipeline AUTH_FINISH and a PROBE that reads the held count on arrival.
            String serverFirst = start(c, "n,,n=alice,r=second");
            Header fin = Header.op("AUTH_FINISH").put(Header.ID, c.nextId()).put("scram", wrongFinal("alice", "second", serverFirst));
            c.send(fin);
            // Meanwhile the loop serves others (it is not sleeping), and the answer is held back (a
            // PROBE on this connection would wait for the AUTH_FINISH before it: PROTOCOL.md 3).
            assertTrue(other.ping() > 0);
            long held = 0;
            for (int i = 0; i < 10_000 && held == 0; i++) { // the fake clock stands still: 0 until AUTH_FINISH is read
                held = other.call(Header.op("PROBE")).getLong("held", -1);
            }
            assertEquals(1L, held, "the failure answer is held back");
            f.clock.advanceMillis(250);
            f.wakeLoop();
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), null, fin.id()));
            assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
            assertEquals(0, f.auth.heldAnswers());
            long now = f.clock.nanoTime();
            assertEquals(2, f.auth.throttle().userFailures("alice", now));
            assertEquals(2, f.auth.throttle().addressFailures("127.0.0.1", now));
            assertTrue(String.join("\n", f.logLines).contains("answer held back 250 ms"));
            // The right password now: held exactly as a third failure would be (500 ms), then logged in.
            ScramClient right = new ScramClient("alice", ALICE_PW.toCharArray());
            Header fin3 = Header.op("AUTH_FINISH").put(Header.ID, c.nextId()).put("scram", right.clientFinal(start(c, right.clientFirst())));
            c.send(fin3);
            waitFor(() -> f.auth.heldAnswers() == 1);
            f.clock.advanceMillis(499);
            f.wakeLoop();
            assertEquals(1, f.auth.heldAnswers(), "a right answer is not a millisecond earlier than a wrong one");
            assertEquals(0, f.auth.successfulLogins());
            assertEquals(3, f.auth.throttle().userFailures("alice", f.clock.nanoTime()), "nothing is cleared while it is held");
            f.clock.advanceMillis(1);
            f.wakeLoop();
            Header ok = c.expect(c.readHeader(), "AUTH_OK", fin3.id());
            right.verifyServerFinal(ok.getString("scram", null));
            // A success resets its user when its answer leaves; the address keeps its earlier failures.
            assertEquals(0, f.auth.throttle().userFailures("alice", f.clock.nanoTime()));
            assertEquals(2, f.auth.throttle().addressFailures("127.0.0.1", f.clock.nanoTime()));
        }
    }

    /**
     * One exchange at a time per connection: while an AUTH_FINISH's answer is held, a pipelined
     * AUTH_START (a second guess) and a second AUTH_FINISH are refused as they arrive, clearly, and
     * change nothing (their answers follow the held one: a connection answers in request order);
     * once the answer has left, the connection may start again.
     */
    @Test
    void aSecondExchangeWaitsForThePendingOnesAnswer() throws Exception {
        // Login ops are writes (PROTOCOL.md 3.0): an AUTH_START pipelined behind an AUTH_FINISH whose
        // answer the throttle holds back starts only once that answer is out, so a connection has
        // one exchange at a time and cannot learn a verdict early by starting another.
        standard(AuthSettings.builder().freeFailures(0).baseDelayMillis(1000).build(), true);
        try (FerryClient c = f.connect()) {
            String serverFirst = start(c, "n,,n=alice,r=first");
            Header fin = Header.op("AUTH_FINISH").put(Header.ID, c.nextId()).put("scram", wrongFinal("alice", "first", serverFirst));
            c.send(fin);
            waitFor(() -> f.auth.heldAnswers() == 1);
            Header second = Header.op("AUTH_START").put(Header.ID, c.nextId()).put("scram", "n,,n=bob,r=second");
            c.send(second);
            f.wakeLoop(); // a round trip through the loop; the clock has not moved
            assertEquals(1, f.auth.heldAnswers());
            assertEquals(1, f.auth.failedLogins(), "the waiting AUTH_START is no guess");
            f.clock.advanceMillis(1000);
            f.wakeLoop();
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), null, fin.id()));
            assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
            Header h = c.expect(c.readHeader(), "AUTH_CONTINUE", second.id());
            assertTrue(h.getString("scram", "").startsWith("r=second"), h.toString());
            assertEquals(1, f.auth.failedLogins());
            assertTrue(start(c, "n,,n=alice,r=fourth").startsWith("r=fourth"), "an answered AUTH_START may be replaced");
        }
        assertEquals(0, f.server.loopErrors());
    }

    private static void waitFor(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the server did not get there within 20 s");
            Thread.sleep(1); // waiting for the server to take in a request, not timing anything
        }
    }

    @Test
    void tooManyFailuresCloseTheConnection() throws Exception {
        standard(AuthSettings.builder().freeFailures(100).maxFailuresPerConnection(2).build(), true);
        FerryClient c = f.connect();
        try {
            remote(() -> new AuthClient(c).login("alice", "wrong-wrong".toCharArray()));
            RemoteException e = remote(() -> new AuthClient(c).login("alice", "wrong-wrong".toCharArray()));
            assertTrue(e.serverMessage().contains("closing the connection"), e.getMessage());
            assertThrows(IOException.class, c::ping);
        } finally {
            c.close();
        }
    }

    @Test
    void theClientDetectsAServerThatCannotProveItself() throws Exception {
        f = new AuthFixture(dir).user("alice", ALICE_PW, EnumSet.of(Right.READ), "");
        // Keep alice's StoredKey (so her proof passes) but give the server a wrong ServerKey.
        f.store.update(users -> {
            UserRecord a = users.get("alice").orElseThrow();
            return users.with(new UserRecord("alice", a.iterations(), a.salt(), a.storedKey(), new byte[32], a.rights(), ""));
        });
        f.start(AuthSettings.defaults(), true);
        FerryClient c = f.connect();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> new AuthClient(c).login("alice", ALICE_PW.toCharArray()));
        assertTrue(e.getMessage().contains("impostor"), e.getMessage());
        assertTrue(c.isClosed());
    }

    @Test
    void anonymousSessionsMayLogInWhenLoginIsOptionalButOnlyOnce() throws Exception {
        standard(AuthSettings.defaults(), false);
        try (FerryClient c = f.connect()) {
            assertEquals("anonymous", c.call(Header.op("WHOAMI")).getString("user", null));
            assertEquals(ErrorCode.FORBIDDEN, remote(() -> c.call(Header.op("NEEDS_WRITE"))).code());
            new AuthClient(c).login("bob", BOB_PW.toCharArray());
            assertEquals("OK", c.call(Header.op("NEEDS_WRITE")).op());
            RemoteException e = remote(() -> new AuthClient(c).login("alice", ALICE_PW.toCharArray()));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.serverMessage().contains("already logged in as bob"), e.getMessage());
        }
    }

    @Test
    void storeChangesApplyAtTheNextLoginWithoutARestart() throws Exception {
        standard(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            remote(() -> new AuthClient(c).login("carol", "carol-secret".toCharArray()));
        }
        f.user("carol", "carol-secret", EnumSet.of(Right.READ, Right.WRITE), "carol");
        f.store.update(users -> users.without("alice"));
        try (FerryClient c = f.connect()) {
            assertEquals("carol", new AuthClient(c).login("carol", "carol-secret".toCharArray()).home());
        }
        try (FerryClient c = f.connect()) {
            assertEquals(ErrorCode.UNAUTHENTICATED,
                    remote(() -> new AuthClient(c).login("alice", ALICE_PW.toCharArray())).code());
        }
    }

    @Test
    void anExchangeExpires() throws Exception {
        standard(AuthSettings.builder().exchangeTimeoutMillis(1000).build(), true);
        try (FerryClient c = f.connect()) {
            ScramClient s = new ScramClient("alice", ALICE_PW.toCharArray());
            String fin = s.clientFinal(start(c, s.clientFirst()));
            f.clock.advanceMillis(1001);
            RemoteException e = remote(() -> c.call(Header.op("AUTH_FINISH").put("scram", fin)));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.serverMessage().contains("expired"), e.getMessage());
        }
    }

    @Test
    void aStoreOthersCanReadStopsTheServerFromStarting() throws Exception {
        f = new AuthFixture(dir).user("alice", ALICE_PW, EnumSet.of(Right.READ), "");
        Files.setPosixFilePermissions(f.store.file(), PosixFilePermissions.fromString("rw-r--r--"));
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build());
        UserStoreException e = assertThrows(UserStoreException.class, () -> server.install(new AuthService(f.store)));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
    }
}

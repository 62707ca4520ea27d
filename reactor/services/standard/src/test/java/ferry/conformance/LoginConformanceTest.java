package ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.reactor.FerryServer;
import ferry.reactor.RawPeer;
import ferry.reactor.RawPeer.Frame;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.AuthService;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/PROTOCOL.md section 4 (HELLO's {@code login}) and "Login (SCRAM-SHA-256)" on a server that
 * requires login, through hand-written frames and a SCRAM client built from the spec's formulas
 * with the JDK's PBKDF2 and HMAC (nothing of Ferry's client).
 */
class LoginConformanceTest {
    private static final int ITERATIONS = 4096; // the least clients accept: keeps the test fast

    @TempDir
    Path tmp;

    private FerryServer server;

    @BeforeEach
    void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("homes/alice"));
        Files.writeString(root.resolve("homes/alice/mine.txt"), "a");
        UserStore store = UserStore.inConfigDir(tmp.resolve("config"));
        addUser(store, "alice", "alice-password", "/homes/alice/"); // stored as written by an admin
        addUser(store, "bob", "bob-password", "");
        server = start(store, root, true);
    }

    private static FerryServer start(UserStore store, Path root, boolean loginRequired) throws Exception {
        FerryServer s = new FerryServer(ServerConfig.builder().port(0).loginRequired(loginRequired).build());
        s.install(new AuthService(store));
        s.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        s.start();
        return s;
    }

    private static void addUser(UserStore store, String name, String password, String home) throws Exception {
        PasswordHasher.Keys k = new PasswordHasher().hash(password.toCharArray(), ITERATIONS);
        store.update(u -> u.with(new UserRecord(name, k.iterations(), k.salt(), k.storedKey(), k.serverKey(),
                Set.of(Right.READ, Right.WRITE), home)));
    }

    @AfterEach
    void stop() {
        server.stop(2, TimeUnit.SECONDS);
    }

    // ---- the SCRAM client of the spec's "The exchange" ------------------------------------------

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs AUTH_START and AUTH_FINISH for {@code user}; returns the AUTH_FINISH answer, its v= checked when AUTH_OK. */
    private static Frame login(RawPeer c, String user, String password) throws Exception {
        String clientNonce = "rOprNGfwEbeRWgbNEkqO";
        String clientFirstBare = "n=" + user + ",r=" + clientNonce;
        Frame cont = c.call("{\"op\":\"AUTH_START\",\"id\":1,\"mechanism\":\"SCRAM-SHA-256\",\"scram\":\"n,," + clientFirstBare + "\"}");
        assertEquals("AUTH_CONTINUE", cont.op(), () -> cont.header().toString());
        String serverFirst = (String) cont.get("scram");
        String[] parts = serverFirst.split(",");
        String nonce = parts[0].substring(2);
        byte[] salt = Base64.getDecoder().decode(parts[1].substring(2));
        int iterations = Integer.parseInt(parts[2].substring(2));
        assertTrue(nonce.startsWith(clientNonce) && iterations >= 4096 && iterations <= 10_000_000, serverFirst);

        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        byte[] clientKey = hmac(salted, "Client Key");
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String clientFinalBare = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + clientFinalBare;
        byte[] proof = hmac(storedKey, authMessage);
        for (int i = 0; i < proof.length; i++) {
            proof[i] ^= clientKey[i];
        }
        Frame done = c.call("{\"op\":\"AUTH_FINISH\",\"id\":2,\"scram\":\"" + clientFinalBare + ",p="
                + Base64.getEncoder().encodeToString(proof) + "\"}");
        if ("AUTH_OK".equals(done.op())) {
            String v = "v=" + Base64.getEncoder().encodeToString(hmac(hmac(salted, "Server Key"), authMessage));
            assertEquals(v, done.get("scram"), "the server proves it knows the verifier");
        }
        return done;
    }

    // ---- section 4: HELLO's login ----------------------------------------------------------

    @Test
    void section4_loginRequired_userIsNullUntilLogin_thenTheUsersName() throws Exception {
        try (RawPeer c = RawPeer.connect(server.port())) {
            Frame hello = c.call("{\"op\":\"HELLO\",\"id\":1}");
            assertEquals("required", hello.get("login"));
            assertTrue(hello.header().has("user"));
            assertNull(hello.get("user"));
            assertTrue(((List<?>) hello.get("features")).contains("auth-scram-sha-256"), () -> hello.header().toString());
            assertEquals("AUTH_OK", login(c, "alice", "alice-password").op());
            assertEquals("alice", c.call("{\"op\":\"HELLO\",\"id\":3}").get("user"));
        }
    }

    @Test
    void section4_loginRequired_onlyHelloAuthPingAndByeBeforeLogin() throws Exception {
        try (RawPeer c = RawPeer.connect(server.port())) {
            c.send("{\"op\":\"LIST\",\"id\":1}");
            c.expectError("unauthenticated", 1L);
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":2}").op());
            assertEquals("HELLO", c.call("{\"op\":\"HELLO\",\"id\":3}").op());
            assertEquals("BYE", c.call("{\"op\":\"BYE\",\"id\":4}").op());
        }
    }

    @Test
    void section4_loginOptional_anonymousUntilItLogsIn() throws Exception {
        FerryServer optional = start(UserStore.inConfigDir(tmp.resolve("config")), tmp.resolve("root"), false);
        try (RawPeer c = RawPeer.connect(optional.port())) {
            Frame hello = c.call("{\"op\":\"HELLO\",\"id\":1}");
            assertEquals("optional", hello.get("login"));
            assertEquals("anonymous", hello.get("user"));
            assertTrue(((List<?>) hello.get("features")).contains("auth-scram-sha-256"), () -> hello.header().toString());
            assertEquals("LIST", c.call("{\"op\":\"LIST\",\"id\":2}").op(), "anonymous has the server's anonymous rights");
            assertEquals("AUTH_OK", login(c, "alice", "alice-password").op());
            assertEquals("alice", c.call("{\"op\":\"HELLO\",\"id\":3}").get("user"));
        } finally {
            optional.stop(2, TimeUnit.SECONDS);
        }
    }

    // ---- Login: AUTH_OK --------------------------------------------------------------------

    /** {@code home} is root-relative, without a leading or trailing slash, whatever the admin typed. */
    @Test
    void login_authOkHomeIsRootRelativeWithoutSlashes_andPathsAreRelativeToIt() throws Exception {
        try (RawPeer c = RawPeer.connect(server.port())) {
            Frame ok = login(c, "alice", "alice-password");
            assertEquals("AUTH_OK", ok.op(), () -> ok.header().toString());
            assertEquals("alice", ok.get("user"));
            assertEquals(List.of("read", "write"), ok.get("rights"));
            assertEquals("homes/alice", ok.get("home"));
            Frame list = c.call("{\"op\":\"LIST\",\"id\":3,\"path\":\"\"}");
            assertTrue(list.bodyText().startsWith("[{\"name\":\"mine.txt\","), list.bodyText());
        }
        try (RawPeer c = RawPeer.connect(server.port())) {
            assertEquals("", login(c, "bob", "bob-password").get("home"), "the whole root is \"\", not \"/\"");
        }
    }

    /** "What Ferry supports of SCRAM" and "Rules of the conversation": refusals that are not failed logins. */
    @Test
    void login_refusedMessagesAreBadRequestOrTooLarge_andTheConnectionStaysOpen() throws Exception {
        String[][] starts = {
                {"p=tls-unique,,n=alice,r=abc", "bad_request"},   // channel binding
                {"n,a=bob,n=alice,r=abc", "bad_request"},         // authorization identity
                {"n,,m=ext,n=alice,r=abc", "bad_request"},        // mandatory extension
                {"n,,n=bad name,r=abc", "bad_request"},
                {"n,,n=-alice,r=abc", "bad_request"},             // must start with a letter or digit
                {"n,,n=anonymous,r=abc", "bad_request"},          // reserved
                {"n,,n=" + "a".repeat(65) + ",r=abc", "too_large"},
                {"n,,n=alice,r=" + "x".repeat(257), "too_large"},
        };
        try (RawPeer c = RawPeer.connect(server.port())) {
            for (int i = 0; i < starts.length; i++) {
                c.send("{\"op\":\"AUTH_START\",\"id\":" + i + ",\"scram\":\"" + starts[i][0] + "\"}");
                c.expectError(starts[i][1], (long) i);
            }
            c.send("{\"op\":\"AUTH_FINISH\",\"id\":20,\"scram\":\"c=biws,r=abc,p=AAAA\"}");
            Frame first = c.expectError("bad_request", 20L);
            assertTrue(((String) first.get("message")).contains("send AUTH_START first"), () -> first.header().toString());
            assertEquals("AUTH_OK", login(c, "alice", "alice-password").op(), "none of these counted as a failure");
            c.send("{\"op\":\"AUTH_START\",\"id\":21,\"scram\":\"n,,n=bob,r=abc\"}");
            c.expectError("bad_request", 21L); // logged in as a user: open a new connection to change
        }
    }

    @Test
    void login_aWrongProofIsUnauthenticatedWithTheFixedMessage_andTheConnectionStaysOpen() throws Exception {
        try (RawPeer c = RawPeer.connect(server.port())) {
            Frame e = login(c, "alice", "wrong-password");
            assertEquals("ERROR", e.op());
            assertEquals("unauthenticated", e.code());
            assertEquals("authentication failed: unknown user or wrong password", e.get("message"));
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":3}").op());
        }
    }
}

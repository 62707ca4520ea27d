package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.client.ScramClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.scram.ServerFirstMessage;
import ferry.reactor.Right;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the login ops' fields through a real server: AUTH_START client-first messages and
 * AUTH_FINISH client-final messages built from the grammar of RFC 5802 and then broken (GS2
 * headers, user names with '=' escapes, NUL, non-ASCII and over-long; nonces empty, huge, with
 * commas; extensions; channel bindings; proofs of the wrong length, not base64, or right in form
 * but wrong; wrong types, missing fields, bodies), now and then a correct login.
 *
 * <p>Properties: every request gets exactly one answer, then the PING behind it answers (except
 * after the failure that closes the connection, which must say so); never {@code internal}, only
 * {@code bad_request}, {@code too_large} or {@code unauthenticated}; {@code AUTH_OK} only for a
 * correct proof; every wrong proof fails with the one message that does not tell unknown users from
 * wrong passwords; the connection closes exactly at its 5th failure; the server counts exactly the
 * failures the client saw; no loop or handler error. The throttle's delays are off here (the
 * brute-force test covers them).
 *
 * <pre>
 *   mvn -o test -pl reactor -am -Dtest=AuthFuzzTest -Dferry.fuzz.auth.inputs=50000
 * </pre>
 */
class AuthFuzzTest {
    static final long SHORT_RUN_INPUTS = 600;
    static final String ALICE_PW = "alice-secret-1";
    private static final Set<String> ALLOWED_CODES = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.TOO_LARGE, ErrorCode.UNAUTHENTICATED);

    @TempDir
    Path dir;

    private Random r;
    private FerryClient c;
    private int connectionFailures;
    private boolean loggedIn;
    private String lastServerFirst;   // from the last AUTH_CONTINUE on this connection
    private String lastClientNonce;   // the nonce of a well-formed AUTH_START for alice, else null
    private long inputs;
    private long failuresSeen;
    private long logins;
    private long closes;
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Long> failures = new TreeMap<>();
    private final List<String> reports = new ArrayList<>();

    @Test
    void loginOpsAnswerEveryRequestOnceAndNeverLetAWrongProofIn() throws Exception {
        long n = Long.getLong("ferry.fuzz.auth.inputs", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", 0xA0_7E57L);
        r = new Random(seed);
        try (AuthFixture f = new AuthFixture(dir)) {
            f.user("alice", ALICE_PW, EnumSet.of(Right.READ), "")
                    .user("bob", "bob-secret-22", EnumSet.allOf(Right.class), "");
            f.start(AuthSettings.builder().freeFailures(1_000_000).build(), true);
            long started = System.nanoTime();
            connect(f);
            while (inputs < n) {
                one(f);
            }
            c.close();
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (f.auth.failedLogins() != failuresSeen) {
                fail("counted", "the server counted " + f.auth.failedLogins() + " failed logins, the clients saw " + failuresSeen);
            }
            if (f.server.loopErrors() != 0 || f.server.stats().handlerErrors.sum() != 0) {
                fail("server errors", "loop errors " + f.server.loopErrors() + ", handler errors "
                        + f.server.stats().handlerErrors.sum());
            }
            try (FerryClient after = f.connect()) {
                assertTrue(after.ping() > 0, "the server serves after the run");
            }
            StringBuilder sb = new StringBuilder("Ferry login fuzz report\n  seed ").append(seed).append(", ").append(inputs)
                    .append(" requests in ").append(millis).append(" ms; ").append(logins).append(" correct logins, ")
                    .append(failuresSeen).append(" wrong proofs, ").append(closes).append(" connections closed at their 5th failure\n");
            outcomes.forEach((k, v) -> sb.append(String.format("    %7d  %s%n", v, k)));
            sb.append("  failures: ").append(failures).append('\n');
            reports.forEach(x -> sb.append("  - ").append(x).append('\n'));
            String report = printable(sb);
            System.out.println(report);
            if (Files.isDirectory(Path.of("target"))) {
                Files.writeString(Path.of("target", "auth-fuzz-report.txt"), report, StandardCharsets.UTF_8);
            }
            assertTrue(failures.isEmpty(), report);
            assertTrue(logins > 0 && failuresSeen > 10 && closes > 0, "the run reached logins, failures and closes: " + report);
            assertTrue(outcomes.size() > 15, report);
        }
    }

    private void connect(AuthFixture f) throws IOException {
        c = FerryClient.connect("127.0.0.1", f.server.port(), ClientOptions.defaults().withReadTimeoutMillis(15_000));
        connectionFailures = 0;
        loggedIn = false;
        lastServerFirst = null;
        lastClientNonce = null;
    }

    /** One request, the PING behind it, and the checks. */
    private void one(AuthFixture f) throws IOException {
        if (loggedIn && r.nextInt(3) == 0) {
            connect(f); // start over as a stranger
        }
        boolean finish = lastServerFirst != null && r.nextInt(5) != 0 || r.nextInt(10) == 0;
        boolean correct = false;
        Header req;
        if (finish) {
            String right = lastClientNonce != null && lastServerFirst != null && r.nextInt(6) == 0 ? correctFinal() : null;
            req = Header.op("AUTH_FINISH");
            field(req, "scram", right != null ? right : clientFinal());
            correct = right != null && right.equals(req.get("scram"));
        } else {
            req = Header.op("AUTH_START");
            if (r.nextInt(3) == 0) {
                field(req, "mechanism", r.nextBoolean() ? "SCRAM-SHA-256" : pick("SCRAM-SHA-256-PLUS", "PLAIN", "scram-sha-256", ""));
            }
            field(req, "scram", clientFirst());
        }
        if (r.nextInt(40) == 0) {
            req.put(pick("user", "password", "x"), pick("alice", ALICE_PW, "1"));
        }
        req.put(Header.ID, c.nextId());
        byte[] body = r.nextInt(30) == 0 ? new byte[1 + r.nextInt(200)] : new byte[0];
        correct &= body.length == 0; // a body is refused before the proof is looked at
        Header ping = Header.op("PING").put(Header.ID, c.nextId());
        inputs++;
        try {
            if (body.length > 0) {
                c.send(req, ByteBuffer.wrap(body));
            } else {
                c.send(req);
            }
            c.send(ping);
            Header a = c.readHeader();
            if (a.size() > 0) {
                c.skipBody();
            }
            boolean closing = check(req, body.length, correct, a);
            if (closing) {
                closes++;
                expectClose(ping);
                connect(f);
                return;
            }
            Header pong = c.readHeader();
            if (!"PONG".equals(pong.op()) || pong.id() != ping.id()) {
                fail("extra answer", "after the answer to " + req + " came " + pong);
                connect(f);
            }
            if ("AUTH_OK".equals(a.op())) {
                loggedIn = true; // stays a while: further logins on it are refused
            }
        } catch (SocketTimeoutException e) {
            fail("hang", "no answer to " + req);
            connect(f);
        } catch (EOFException | SocketException e) {
            fail("dropped", "connection lost (" + e.getMessage() + ") after " + req);
            connect(f);
        }
    }

    /** Checks one answer; returns true if it announced that the connection closes. */
    private boolean check(Header req, int bodyBytes, boolean correct, Header a) {
        String op = req.op();
        if (a.id() != req.id()) {
            fail("misordered", a + " for " + req);
            return false;
        }
        if ("ERROR".equals(a.op())) {
            String code = a.getString("code", "");
            String message = a.getString("message", "");
            count(op + " " + code + ": " + shape(message));
            if (!ALLOWED_CODES.contains(code)) {
                fail(code.equals(ErrorCode.INTERNAL) ? "internal" : "unexpected code", a + " for " + req);
            }
            if (correct) {
                fail("correct proof refused", a + " for " + req);
            }
            lastServerFirst = null; // a refused AUTH_START starts nothing; an AUTH_FINISH uses up the exchange
            lastClientNonce = null;
            if (!ErrorCode.UNAUTHENTICATED.equals(code)) {
                return false;
            }
            // A wrong proof: one message for unknown users and wrong passwords alike.
            failuresSeen++;
            connectionFailures++;
            boolean closing = message.contains("closing the connection");
            if (!message.startsWith(AuthService.FAILED_MESSAGE)) {
                fail("telling message", "\"" + message + "\" for " + req);
            }
            if (closing != (connectionFailures == AuthSettings.DEFAULT_MAX_FAILURES_PER_CONNECTION)) {
                fail("close rule", "failure " + connectionFailures + " on this connection, closing=" + closing);
            }
            lastServerFirst = null;
            return closing;
        }
        count(op + " ok " + a.op());
        if (op.equals("AUTH_START")) {
            if (!"AUTH_CONTINUE".equals(a.op())) {
                fail("wrong answer", a + " for " + req);
                return false;
            }
            lastServerFirst = a.getString("scram", null);
            if (lastServerFirst == null) {
                fail("wrong answer", "AUTH_CONTINUE without scram: " + a);
            }
            return false;
        }
        if (!"AUTH_OK".equals(a.op())) {
            fail("wrong answer", a + " for " + req);
        } else if (!correct) {
            fail("wrong proof accepted", a + " for " + req);
        } else {
            logins++;
        }
        lastServerFirst = null;
        lastClientNonce = null;
        return false;
    }

    /** After a closing failure: at most the PONG, then end of stream. */
    private void expectClose(Header ping) throws IOException {
        try {
            Header h = c.readHeader();
            if (!"PONG".equals(h.op()) || h.id() != ping.id()) {
                fail("after close", "got " + h + " after the closing failure");
            }
            c.readHeader();
            fail("not closed", "the connection stayed open after its closing failure");
        } catch (EOFException | SocketException expected) {
            // closed, as announced
        } catch (SocketTimeoutException e) {
            fail("not closed", "the connection neither answered nor closed after its closing failure");
        }
        c.close();
    }

    // ---- generation ------------------------------------------------------------------------

    private String clientFirst() {
        lastClientNonce = null;
        if (r.nextBoolean()) { // well-formed: the exchange goes on to AUTH_FINISH
            String user = pick("alice", "alice", "bob", "mallory");
            String nonce = randomNonce();
            lastClientNonce = user.equals("alice") ? nonce : null;
            return "n,,n=" + user + ",r=" + nonce;
        }
        String user = pick("alice", "alice", "bob", "mallory", "", "a".repeat(256), "al=2Cice", "al=3Dice", "al=ice", "\u00e9ve",
                "ali\u0000ce", "alice ", "ALICE", "x,y", "a".repeat(255), "\ud83d\ude00");
        String nonce = r.nextInt(3) != 0 ? randomNonce()
                : pick("", "x".repeat(257), "a,b", "\u00e9", "\u007f", "=", "r=abc", "x".repeat(2000));
        String gs2 = r.nextInt(4) != 0 ? "n,," : pick("y,,", "p=tls-unique,,", "n,a=bob,", "", "n,", "q,,", "n,,n,,");
        String ext = r.nextInt(6) != 0 ? "" : pick(",e=1", ",m=1", ",=", ",ab", ",x=" + "y".repeat(1100));
        String msg = gs2 + (r.nextInt(20) == 0 ? "" : "n=") + user + ",r=" + nonce + ext;
        if (r.nextInt(6) == 0) {
            msg = mutate(msg);
        } else if (gs2.equals("n,,") && user.equals("alice") && ext.isEmpty() && nonce.matches("[A-Za-z0-9+/]+")) {
            lastClientNonce = nonce;
        }
        return msg;
    }

    private String clientFinal() {
        String combined = lastServerFirst != null && r.nextInt(5) != 0 ? nonceOf(lastServerFirst) : randomNonce();
        String cb = r.nextInt(4) != 0 ? "biws" : pick("eSws", "", "==", "biws,", "cD10bHMtdW5pcXVlLCw=");
        int proofBytes = r.nextInt(5) != 0 ? 32 : pick(0, 31, 33, 64);
        byte[] proof = new byte[proofBytes];
        r.nextBytes(proof);
        String p = r.nextInt(10) != 0 ? Base64.getEncoder().encodeToString(proof) : pick("!!!", "====", "AAAA", "\u00e9");
        String ext = r.nextInt(8) != 0 ? "" : pick(",e=1", ",m=1", ",=");
        String msg = "c=" + cb + ",r=" + combined + ext + ",p=" + p;
        return r.nextInt(6) == 0 ? mutate(msg) : msg;
    }

    /** The right proof for alice's last well-formed AUTH_START. */
    private String correctFinal() {
        try {
            ScramClient sc = new ScramClient("alice", ALICE_PW.toCharArray(), lastClientNonce);
            sc.clientFirst();
            return sc.clientFinal(lastServerFirst);
        } catch (Exception e) {
            throw new AssertionError("could not compute alice's proof", e);
        }
    }

    private static String nonceOf(String serverFirst) {
        try {
            return ServerFirstMessage.parse(serverFirst).nonce();
        } catch (Exception e) {
            return "unparsable";
        }
    }

    private String randomNonce() {
        byte[] b = new byte[6 + r.nextInt(24)];
        r.nextBytes(b);
        return Base64.getEncoder().withoutPadding().encodeToString(b).replace('/', 'x');
    }

    private void field(Header h, String name, Object value) {
        int k = r.nextInt(30);
        if (k == 0) {
            return;
        }
        h.put(name, k == 1 ? (Object) (long) r.nextInt(100) : k == 2 ? List.of(String.valueOf(value)) : value);
    }

    private String mutate(String s) {
        StringBuilder sb = new StringBuilder(s);
        char[] chars = {',', '=', 'n', 'r', 'p', 'c', '\0', '\u00e9', ' ', '\n', 'A'};
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            int at = r.nextInt(sb.length() + 1);
            switch (r.nextInt(3)) {
                case 0 -> sb.insert(at, chars[r.nextInt(chars.length)]);
                case 1 -> {
                    if (at < sb.length()) {
                        sb.deleteCharAt(at);
                    }
                }
                default -> sb.setLength(Math.min(sb.length(), at));
            }
        }
        // valid Unicode only: the wire carries nothing else
        return sb.toString().replaceAll("[\\ud800-\\udfff]", "\ufffd");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[r.nextInt(options.length)];
    }

    private static String shape(String message) {
        String s = message.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("[0-9]+", "#");
        String[] w = s.split(" ");
        return String.join(" ", Arrays.copyOf(w, Math.min(6, w.length)));
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    private void fail(String category, String report) {
        failures.merge(category, 1L, Long::sum);
        if (reports.size() < 10) {
            reports.add("[" + category + "] " + report);
        }
    }

    private static String printable(CharSequence s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if ((cp < 0x20 && cp != '\n') || cp == 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}

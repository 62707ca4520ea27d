package ferry.reactor.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.ScramClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.scram.ServerFirstMessage;
import ferry.reactor.Right;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password guessing under the throttle and the 5-failure close, on a fake clock (no sleeps):
 * guesses come from many connections and from several addresses (127.0.0.x: the whole of 127/8
 * is loopback on Linux), the delays grow per user and per address as the settings say, the loop
 * serves others while answers are held back, a connection is held open until its 5th failure is
 * answered and is then closed, a legitimate user gets in within the longest delay even while she
 * is being attacked, and once the attack is over a correct login is answered at once.
 */
class LoginBruteForceTest {
    static final String ALICE_PW = "alice-secret-1";
    private static final long BASE_MS = AuthSettings.DEFAULT_BASE_DELAY_MILLIS;
    private static final long MAX_MS = AuthSettings.DEFAULT_MAX_DELAY_MILLIS;
    private static final int FREE = AuthSettings.DEFAULT_FREE_FAILURES;
    private static final int PER_CONNECTION = AuthSettings.DEFAULT_MAX_FAILURES_PER_CONNECTION;
    private static final Pattern FAILED = Pattern.compile("login failed for user \"[^\"]*\" from (\\S+) ");
    private static final Pattern HELD = Pattern.compile("answer held back (\\d+) ms");

    @TempDir
    Path dir;
    private AuthFixture f;
    private final Random random = new Random(1);

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private void start() throws Exception {
        f = new AuthFixture(dir)
                .user("alice", ALICE_PW, EnumSet.of(Right.READ), "")
                .user("bob", "bob-secret-22", EnumSet.allOf(Right.class), "");
        // The defaults, except that nothing is forgotten during the (fake) hour the attack takes.
        f.start(AuthSettings.builder().forgetAfterMillis(TimeUnit.HOURS.toMillis(2)).build(), true);
    }

    /** The delay the settings give the n-th failure of a user or an address. */
    private static long delay(int failures) {
        return failures <= FREE ? 0 : Math.min(MAX_MS, BASE_MS << (failures - FREE - 1));
    }

    /**
     * One guesser at a time, each answer awaited: the held-back time is then exactly the throttle's
     * delay. From one address against ever new (unknown) user names, the address's count drives it;
     * against alice from ever new addresses, hers does.
     */
    @Test
    void delaysGrowPerAddressAndPerUser() throws Exception {
        start();
        try (FerryClient bystander = f.connect()) {
            Peer p = null;
            for (int i = 1; i <= 12; i++) {
                if (p == null) {
                    p = new Peer(f, "127.0.0.9");
                }
                long held = guess(p, "mallory" + i, bystander);
                assertEquals(delay(i), held, "failure " + i + " from one address, each user new");
                if (i % PER_CONNECTION == 0) {
                    assertTrue(p.closedByServer(), "closed after its " + PER_CONNECTION + "th failure");
                    p = null;
                }
            }
            if (p != null) {
                p.close();
            }
            for (int i = 1; i <= 12; i++) {
                try (Peer q = new Peer(f, "127.0.1." + i)) {
                    long held = guess(q, "alice", bystander);
                    assertEquals(delay(i), held, "failure " + i + " for alice, each address new");
                }
            }
            long now = f.clock.nanoTime();
            assertEquals(12, f.auth.throttle().userFailures("alice", now));
            assertEquals(12, f.auth.throttle().addressFailures("127.0.0.9", now));
            assertEquals(1, f.auth.throttle().addressFailures("127.0.1.12", now));
        }
        assertEquals(0, f.server.loopErrors());
    }

    /**
     * One wrong guess whose answer the test waits for. Returns how long it was held back. While it
     * is held the loop answers the bystander; one millisecond before its time it is still held.
     */
    private long guess(Peer p, String user, FerryClient bystander) throws Exception {
        long failuresBefore = f.auth.failedLogins();
        int lines = f.logLines.size();
        p.finishWrong(p.start(user));
        until(() -> f.auth.failedLogins() == failuresBefore + 1 && heldBack(lines).size() == 1); // counted, then logged
        long held = heldBack(lines).get(0)[1];
        if (held > 0) {
            assertEquals(1, f.auth.heldAnswers());
            assertTrue(bystander.ping() > 0, "the loop serves others while the answer waits");
            f.clock.advanceMillis(held - 1);
            f.wakeLoop();
            assertEquals(1, f.auth.heldAnswers(), "not a millisecond early");
            f.clock.advanceMillis(1);
            f.wakeLoop();
        }
        Header a = p.read();
        assertEquals("ERROR", a.op());
        assertEquals(ErrorCode.UNAUTHENTICATED, a.getString("code", null));
        assertEquals(0, f.auth.heldAnswers());
        return held;
    }

    /**
     * 200 wrong guesses from 8 connections at a time on 4 addresses, against alice and bob. Each
     * round every connection guesses once; the answers pile up behind the throttle while the loop
     * goes on serving; then the clock moves and they all arrive. A connection's 5th failure is held
     * like the others, then closes it; the guesser reconnects. Halfway, alice logs in from her own
     * address and gets in within the longest delay. Afterwards a correct login is answered at once.
     */
    @Test
    void aConcurrentAttackIsSlowedAndClosedWhileOthersAreServed() throws Exception {
        start();
        String[] addresses = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
        int perAddress = 2;
        int total = 200;
        List<Peer> peers = new ArrayList<>();
        for (String a : addresses) {
            for (int k = 0; k < perAddress; k++) {
                peers.add(new Peer(f, a));
            }
        }
        long[] lastAddressFailures = new long[addresses.length];
        long maxHeld = 0;
        int guesses = 0;
        int closed = 0;
        try (FerryClient bystander = f.connect()) {
            for (int round = 0; guesses < total; round++) {
                // Everybody starts an exchange (not throttled: nothing is decided yet)...
                List<String> firsts = new ArrayList<>();
                for (int i = 0; i < peers.size(); i++) {
                    firsts.add(peers.get(i).start(i % 4 == 3 ? "bob" : "alice"));
                }
                // ...then all guesses go out at once.
                long failuresBefore = f.auth.failedLogins();
                int lines = f.logLines.size();
                for (int i = 0; i < peers.size(); i++) {
                    peers.get(i).finishWrong(firsts.get(i));
                }
                guesses += peers.size();
                until(() -> f.auth.failedLogins() == failuresBefore + peers.size() && heldBack(lines).size() == peers.size());
                List<long[]> held = heldBack(lines);
                long heldNow = held.stream().filter(h -> h[1] > 0).count();
                assertEquals(heldNow, f.auth.heldAnswers(), "round " + round);
                assertTrue(bystander.ping() > 0, "round " + round + ": the loop serves others while " + heldNow + " answers wait");
                // Delays grow per user and per address: every failure waits at least what the
                // user's count and the address's count each cost, and the counts go up by one.
                long longest = 0;
                for (long[] h : held) {
                    int a = (int) h[0];
                    assertTrue(h[1] >= delay((int) h[2]) && h[1] >= delay((int) h[3]),
                            "round " + round + ": held " + h[1] + " ms at user failure " + h[2] + ", address failure " + h[3]);
                    assertEquals(lastAddressFailures[a] + 1, h[3], addresses[a] + " counts every guess");
                    lastAddressFailures[a] = h[3];
                    longest = Math.max(longest, h[1]);
                }
                maxHeld = Math.max(maxHeld, longest);
                if (round == 10) {
                    legitimateLoginDuringTheAttack();
                }
                // Nobody has an answer yet (unless it was free), and a 5th failure holds its
                // connection open until its answer goes: all guessers are still connected.
                until(() -> f.server.stats().connectionsOpen.get() == peers.size() + 1); // + the bystander
                f.clock.advanceMillis(longest);
                f.wakeLoop();
                assertEquals(0, f.auth.heldAnswers());
                for (int i = 0; i < peers.size(); i++) {
                    Peer p = peers.get(i);
                    Header a = p.read();
                    assertEquals(ErrorCode.UNAUTHENTICATED, a.getString("code", null), a.toString());
                    p.failures++;
                    if (p.failures == PER_CONNECTION) {
                        assertTrue(a.getString("message", "").contains("closing the connection"), a.toString());
                        assertTrue(p.closedByServer());
                        closed++;
                        peers.set(i, new Peer(f, p.address));
                    } else {
                        assertFalse(a.getString("message", "").contains("closing"), a.toString());
                    }
                }
            }
            assertEquals(total, guesses);
            assertEquals(total, f.auth.failedLogins());
            assertEquals(total / PER_CONNECTION, closed, "every connection closed at its 5th failure");
            // The delays reached the cap; what one address can queue stays bounded by it: its two guesses
            // of a round each wait at most the cap behind the other, and a user's backlog counts up to the cap.
            assertTrue(maxHeld >= MAX_MS && maxHeld <= 3 * MAX_MS, "longest hold " + maxHeld + " ms");
            long now = f.clock.nanoTime();
            for (String a : addresses) {
                assertEquals(total / addresses.length, f.auth.throttle().addressFailures(a, now), a);
            }
            assertEquals(total / 4, f.auth.throttle().userFailures("bob", now));

            // The attack is over: a correct login from an attacking address is answered at once.
            try (Peer p = new Peer(f, addresses[0])) {
                Header ok = p.login("alice", ALICE_PW);
                assertEquals("AUTH_OK", ok.op());
            }
            assertEquals(0, f.auth.throttle().userFailures("alice", f.clock.nanoTime()), "a success resets the user");
            assertEquals(0, f.auth.throttle().addressFailures(addresses[0], f.clock.nanoTime()), "and the address");
            assertTrue(bystander.ping() > 0);
        } finally {
            for (Peer p : peers) {
                p.close();
            }
        }
        assertEquals(0, f.server.loopErrors());
        assertEquals(0, f.server.stats().handlerErrors.sum());
    }

    /** Alice, from an address of her own, while she is under attack: held at most the longest delay. */
    private void legitimateLoginDuringTheAttack() throws Exception {
        try (Peer p = new Peer(f, "127.0.2.1")) {
            int held = f.auth.heldAnswers();
            ScramClient scram = new ScramClient("alice", ALICE_PW.toCharArray());
            String serverFirst = p.startRaw(scram.clientFirst());
            p.send(Header.op("AUTH_FINISH").put(Header.ID, 2).put("scram", scram.clientFinal(serverFirst)));
            until(() -> f.auth.heldAnswers() == held + 1);
            f.clock.advanceMillis(MAX_MS);
            f.wakeLoop();
            Header ok = p.read();
            assertEquals("AUTH_OK", ok.op(), "alice gets in within " + MAX_MS + " ms although she is being guessed at");
            scram.verifyServerFinal(ok.getString("scram", null));
        }
    }

    private static final Pattern COUNTS = Pattern.compile("failure (\\d+) for this user, (\\d+) from this address");

    /**
     * Each failure logged since line {@code from}: (index of its 127.0.0.x address counted from
     * 127.0.0.2, ms held back, the user's failure count, the address's failure count).
     */
    private List<long[]> heldBack(int from) {
        List<long[]> out = new ArrayList<>();
        List<String> all = new ArrayList<>(f.logLines); // a snapshot: the loop may be logging right now
        List<String> lines = all.subList(Math.min(from, all.size()), all.size());
        for (String l : lines) {
            if (!l.contains("login failed")) {
                continue;
            }
            Matcher a = FAILED.matcher(l);
            Matcher c = COUNTS.matcher(l);
            assertTrue(a.find() && c.find(), l);
            String address = a.group(1);
            Matcher m = HELD.matcher(l);
            long held = m.find() ? Long.parseLong(m.group(1)) : 0;
            out.add(new long[] {address.startsWith("127.0.0.") ? Integer.parseInt(address.substring(8)) - 2 : -1, held,
                Long.parseLong(c.group(1)), Long.parseLong(c.group(2))});
        }
        return out;
    }

    private static void until(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the server did not get there within 20 s");
            Thread.sleep(1); // waiting for the server to take in a request, not timing anything
        }
    }

    /** A client bound to a chosen loopback address, speaking frames by hand. */
    private final class Peer implements AutoCloseable {
        final String address;
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;
        final FrameDecoder decoder = new FrameDecoder();
        final FrameEncoder encoder = new FrameEncoder();
        final ArrayDeque<Header> frames = new ArrayDeque<>();
        int failures;
        private long nextId = 1;

        Peer(AuthFixture fixture, String address) throws IOException {
            this.address = address;
            socket.bind(new InetSocketAddress(address, 0));
            socket.setSoTimeout(10_000); // a hang fails the test instead of blocking the build
            socket.connect(new InetSocketAddress("127.0.0.1", fixture.server.port()));
            in = socket.getInputStream();
            out = socket.getOutputStream();
            out.write(Preamble.bytes());
        }

        void send(Header h) throws IOException {
            ByteBuffer b = encoder.encode(h);
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }

        Header read() throws IOException {
            byte[] buf = new byte[4096];
            while (frames.isEmpty()) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new EOFException("server closed the connection");
                }
                decoder.decode(ByteBuffer.wrap(buf, 0, n), sink);
            }
            return frames.poll();
        }

        boolean closedByServer() throws IOException {
            try {
                Header extra = read();
                fail("expected the server to close, got " + extra);
                return false;
            } catch (EOFException | SocketException e) {
                return true;
            }
        }

        /** AUTH_START with a fresh nonce; returns the server-first-message. */
        String start(String user) throws IOException {
            byte[] n = new byte[18];
            random.nextBytes(n);
            return startRaw("n,,n=" + user + ",r=" + Base64.getEncoder().encodeToString(n));
        }

        String startRaw(String clientFirst) throws IOException {
            send(Header.op("AUTH_START").put(Header.ID, nextId++).put("scram", clientFirst));
            Header h = read();
            assertEquals("AUTH_CONTINUE", h.op(), h.toString());
            return h.getString("scram", null);
        }

        /** A well-formed client-final with a proof no password gives (as a guess would be). */
        void finishWrong(String serverFirst) throws Exception {
            byte[] proof = new byte[32];
            random.nextBytes(proof);
            String nonce = ServerFirstMessage.parse(serverFirst).nonce();
            send(Header.op("AUTH_FINISH").put(Header.ID, nextId++)
                    .put("scram", "c=biws,r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(proof)));
        }

        Header login(String user, String password) throws Exception {
            ScramClient scram = new ScramClient(user, password.toCharArray());
            String serverFirst = startRaw(scram.clientFirst());
            send(Header.op("AUTH_FINISH").put(Header.ID, nextId++).put("scram", scram.clientFinal(serverFirst)));
            Header h = read(); // no clock advance: the answer must come at once
            scram.verifyServerFinal(h.getString("scram", null));
            return h;
        }

        private final FrameSink sink = new FrameSink() {
            @Override
            public boolean onHeader(Header h) {
                frames.add(h);
                return true;
            }

            @Override
            public boolean onBody(ByteBuffer chunk) {
                chunk.position(chunk.limit());
                return true;
            }

            @Override
            public boolean onFrameEnd() {
                return true;
            }
        };

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

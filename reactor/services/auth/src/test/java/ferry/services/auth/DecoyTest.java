package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.protocol.scram.ServerFirstMessage;
import ferry.reactor.Right;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoys for unknown user names (issue 13, D9): a user whose iteration count differs from most
 * must not stand out, so a decoy's count (and salt length) is drawn from those the store's users
 * have, in proportion, by the store secret and the name: the same name always gets the same
 * challenge, and a name's challenge says nothing about whether the name exists.
 */
class DecoyTest {
    private static final byte[] SECRET = "a store secret of 32 bytes......".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    private AuthFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    /** A record with the given shape (keys random: only the shape matters here). */
    private static UserRecord user(String name, int iterations, int saltBytes, Random r) {
        byte[] salt = new byte[saltBytes];
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        r.nextBytes(salt);
        r.nextBytes(k1);
        r.nextBytes(k2);
        return new UserRecord(name, iterations, salt, k1, k2, EnumSet.of(Right.READ), "");
    }

    /** 9 users at 600,000 rounds and 3 at 4096 (one in four), all with 16-byte salts. */
    private static Map<String, UserRecord> mixed() {
        Random r = new Random(7);
        Map<String, UserRecord> m = new TreeMap<>();
        for (int i = 0; i < 9; i++) {
            m.put("new" + i, user("new" + i, 600_000, 16, r));
        }
        for (int i = 0; i < 3; i++) {
            m.put("old" + i, user("old" + i, 4096, 16, r));
        }
        return m;
    }

    @Test
    void decoysTakeTheStoresCountsInProportion() {
        Users users = new Users(SECRET, mixed());
        Map<Integer, Integer> seen = new HashMap<>();
        int names = 4000;
        for (int i = 0; i < names; i++) {
            Users.Lookup l = users.lookup("unknown" + i);
            assertFalse(l.exists());
            seen.merge(l.record().iterations(), 1, Integer::sum);
        }
        assertEquals(Set.of(600_000, 4096), seen.keySet(), "only counts real users have");
        int rare = seen.get(4096);
        // One user in four has 4096 rounds, so about one unknown name in four does (binomial sd 27).
        assertTrue(rare > 850 && rare < 1150, "decoys at 4096 rounds: " + rare + " of " + names);
        // So "old0" showing i=4096 tells nothing: a quarter of all names that do not exist show it too.
        assertEquals(4096, users.lookup("old0").record().iterations());
        assertTrue(users.lookup("old0").exists());
    }

    @Test
    void aNameAlwaysGetsTheSameDecoy() {
        Users a = new Users(SECRET, mixed());
        Users restarted = new Users(SECRET, mixed());
        for (int i = 0; i < 200; i++) {
            String name = "ghost" + i;
            UserRecord x = a.lookup(name).record();
            UserRecord y = a.lookup(name).record();
            UserRecord z = restarted.lookup(name).record();
            assertEquals(x.iterations(), y.iterations());
            assertArrayEquals(x.salt(), y.salt());
            assertEquals(x.iterations(), z.iterations(), "the same after a restart");
            assertArrayEquals(x.salt(), z.salt());
            assertArrayEquals(x.storedKey(), z.storedKey());
        }
        // Another secret, other decoys.
        byte[] other = SECRET.clone();
        other[0] ^= 1;
        assertFalse(Arrays.equals(a.lookup("ghost1").record().salt(), new Users(other, mixed()).lookup("ghost1").record().salt()));
    }

    @Test
    void aChangeToTheStoreMovesFewDecoys() {
        Map<String, UserRecord> m = mixed();
        Users before = new Users(SECRET, m);
        Users after = before.with(user("new9", 600_000, 16, new Random(1)));
        int moved = 0;
        for (int i = 0; i < 4000; i++) {
            String name = "ghost" + i;
            if (before.decoyIterations(name) != after.decoyIterations(name)) {
                moved++;
            }
        }
        // From 3/12 to 3/13 at 4096: about 2% of names move, all of them from 4096 to 600,000.
        assertTrue(moved > 0 && moved < 200, moved + " of 4000 decoys moved");
    }

    @Test
    void saltLengthsFollowTheStoreToo() {
        Random r = new Random(3);
        Map<String, UserRecord> m = new TreeMap<>();
        m.put("a", user("a", 600_000, 16, r));
        m.put("b", user("b", 600_000, 32, r));
        m.put("c", user("c", 10_000, 64, r));
        Users users = new Users(SECRET, m);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 900; i++) {
            UserRecord d = users.lookup("x" + i).record();
            seen.merge(d.iterations() + "/" + d.salt().length, 1, Integer::sum);
        }
        assertEquals(Set.of("600000/16", "600000/32", "10000/64"), seen.keySet(), seen.toString());
        seen.values().forEach(n -> assertTrue(n > 220 && n < 380, seen.toString()));
    }

    @Test
    void anEmptyStoreGivesDefaultDecoys() {
        Users users = new Users(SECRET, Map.of());
        UserRecord d = users.lookup("anyone").record();
        assertEquals(PasswordHasher.DEFAULT_ITERATIONS, d.iterations());
        assertEquals(PasswordHasher.SALT_BYTES, d.salt().length);
    }

    /** Over the wire: a real user with a rare count, and unknown names with the same count. */
    @Test
    void aUserWithARareCountDoesNotStandOutOnTheWire() throws Exception {
        f = new AuthFixture(dir).user("alice", "alice-secret-1", EnumSet.of(Right.READ), ""); // 4096 rounds
        Random r = new Random(11);
        f.store.update(u -> {
            Users out = u;
            for (int i = 0; i < 3; i++) {
                out = out.with(user("modern" + i, 600_000, 16, r));
            }
            return out;
        });
        f.start(AuthSettings.defaults(), true);
        try (FerryClient c = f.connect()) {
            assertEquals(4096, challenge(c, "alice").iterations());
            Map<Integer, Integer> seen = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                ServerFirstMessage first = challenge(c, "nobody" + i);
                ServerFirstMessage again = challenge(c, "nobody" + i);
                assertEquals(first.iterations(), again.iterations(), "asking twice gives the same answer");
                assertArrayEquals(first.salt(), again.salt());
                seen.merge(first.iterations(), 1, Integer::sum);
            }
            assertEquals(Set.of(4096, 600_000), seen.keySet());
            assertTrue(seen.get(4096) > 25 && seen.get(4096) < 80, "about a quarter: " + seen);
        }
    }

    private static ServerFirstMessage challenge(FerryClient c, String user) throws Exception {
        Header h = c.call(Header.op("AUTH_START").put("scram", "n,,n=" + user + ",r=nonce"));
        assertEquals("AUTH_CONTINUE", h.op());
        return ServerFirstMessage.parse(h.requireString("scram"));
    }
}

package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.Right;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import java.security.SecureRandom;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class UserStoreFormatTest {
    private static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @Test
    void roundTrips() throws Exception {
        UserRecord a = ScramVectorTest.vectorUser().withRights(EnumSet.of(Right.READ, Right.EXEC)).withHome("/a/b:c/");
        Users users = Users.empty(new SecureRandom()).with(a);
        String text = UserStoreFormat.format(users);
        Users back = UserStoreFormat.parse(text, "users");
        UserRecord b = back.get("user").orElseThrow();
        assertEquals("a/b:c", b.home());
        assertEquals(EnumSet.of(Right.READ, Right.EXEC), b.rights());
        assertArrayEquals(a.storedKey(), b.storedKey());
        assertArrayEquals(a.serverKey(), b.serverKey());
        assertArrayEquals(a.salt(), b.salt());
        assertArrayEquals(users.secret(), back.secret());
        assertEquals(text, UserStoreFormat.format(back));
        assertFalse(text.contains("pencil"));
    }

    @Test
    void theAdminRightRoundTripsAndIsWrittenByName() throws Exception {
        UserRecord a = ScramVectorTest.vectorUser().withRights(EnumSet.of(Right.READ, Right.ADMIN));
        String text = UserStoreFormat.format(Users.empty(new SecureRandom()).with(a));
        assertTrue(text.contains(":read,admin:"), text);
        assertEquals(EnumSet.of(Right.READ, Right.ADMIN), UserStoreFormat.parse(text, "users").get("user").orElseThrow().rights());
        String all = "user alice:scram-sha-256:4096:" + SALT + ":" + KEY + ":" + KEY + ":all:";
        assertFalse(UserStoreFormat.parse("version 1\n" + all + "\n", "users").get("alice").orElseThrow().rights()
                .contains(Right.ADMIN), "\"all\" in a store never grants admin");
    }

    @Test
    void quotasRoundTripAndStoresWithoutThemReadUnchanged() throws Exception {
        UserRecord plain = ScramVectorTest.vectorUser();
        assertEquals(UserQuota.DEFAULTS, plain.quota(), "no quota of one's own: the server's default");
        String before = UserStoreFormat.format(Users.empty(new SecureRandom()).with(plain));
        assertFalse(before.contains("\nquota "), "a user without a quota of their own writes the old format");
        assertEquals(UserQuota.DEFAULTS, UserStoreFormat.parse(before, "users").get("user").orElseThrow().quota());

        UserRecord limited = plain.withQuota(new UserQuota(10L << 30, UserQuota.SERVER_DEFAULT));
        String text = UserStoreFormat.format(Users.empty(new SecureRandom()).with(limited));
        assertTrue(text.contains("\nquota user:10737418240:default\n"), text);
        Users back = UserStoreFormat.parse(text, "users");
        assertEquals(limited.quota(), back.get("user").orElseThrow().quota());
        assertEquals(text, UserStoreFormat.format(back));
        assertEquals(limited.quota(), back.get("user").orElseThrow().withHome("x").withRights(EnumSet.noneOf(Right.class))
                .quota(), "changing the home or rights keeps the quota");

        String user = "user alice:scram-sha-256:4096:" + SALT + ":" + KEY + ":" + KEY + ":read:";
        assertEquals(new UserQuota(0, 5), UserStoreFormat.parse("version 1\n" + user + "\nquota alice:0:5\n", "users")
                .get("alice").orElseThrow().quota(), "0: no limit for this user, whatever the default");
    }

    @Test
    void limitsRoundTripAndStoresWithoutThemReadUnchanged() throws Exception {
        UserRecord plain = ScramVectorTest.vectorUser();
        assertEquals(UserLimits.DEFAULTS, plain.limits());
        String before = UserStoreFormat.format(Users.empty(new SecureRandom()).with(plain));
        assertFalse(before.contains("\nlimits "), "a user without limits of their own writes no limits line");

        UserRecord limited = plain.withLimits(UserLimits.DEFAULTS.withSessions(4).withExec(0).withDownloadRate(1 << 20));
        String text = UserStoreFormat.format(Users.empty(new SecureRandom()).with(limited));
        assertTrue(text.contains("\nlimits user:sessions=4,exec=0,download-rate=1048576\n"), text);
        Users back = UserStoreFormat.parse(text, "users");
        assertEquals(new UserLimits(4, UserLimits.SERVER_DEFAULT, 0, 1 << 20, UserLimits.SERVER_DEFAULT),
                back.get("user").orElseThrow().limits());
        assertEquals(text, UserStoreFormat.format(back));
        assertEquals(limited.limits(), back.get("user").orElseThrow().withQuota(new UserQuota(1, 1)).withHome("x")
                .limits(), "changing the quota or home keeps the limits");
    }

    @Test
    void acceptsHandWrittenFilesWithCommentsCrlfAndNoSecret() throws Exception {
        String text = "# users\r\nversion 1\r\n\r\nuser alice:scram-sha-256:4096:" + SALT + ":" + KEY + ":" + KEY + "::\r\n";
        Users u = UserStoreFormat.parse(text, "users");
        assertTrue(u.get("alice").orElseThrow().rights().isEmpty());
        assertArrayEquals(u.secret(), UserStoreFormat.parse(text, "users").secret(), "derived secret is stable");
    }

    @Test
    void malformedStoresNameTheLine() {
        String user = "user alice:scram-sha-256:4096:" + SALT + ":" + KEY + ":" + KEY + ":read:";
        String[][] cases = {
            {"", "empty user store"},
            {"user x", "users:1: the first directive must be \"version 1\""},
            {"version 2", "unsupported user store version"},
            {"version 1\n" + user + "\n" + user, "users:3: user \"alice\" appears twice"},
            {"version 1\nuser alice:scram-sha-256:4096", "users:2: a user line has 8"},
            {"version 1\n" + user.replace("scram-sha-256", "md5"), "unsupported scheme"},
            {"version 1\n" + user.replace(":4096:", ":100:"), "iterations must be in"},
            {"version 1\n" + user.replace(":read:", ":root:"), "unknown right"},
            {"version 1\n" + user.replace(SALT, "***"), "salt is not valid base64"},
            {"version 1\n" + user + "../etc", "home folder"},
            {"version 1\nuser an;on:scram-sha-256:4096:" + SALT + ":" + KEY + ":" + KEY + "::", "user name may contain only"},
            {"version 1\nfrobnicate yes", "unknown directive \"frobnicate\""},
            {"version 1\nquota alice:1:2", "users:2: quota for \"alice\", which no earlier user line names"},
            {"version 1\n" + user + "\nquota alice:1", "users:3: a quota line is NAME:BYTES:FILES"},
            {"version 1\n" + user + "\nquota alice:-5:2", "quota BYTES must be a number >= 0"},
            {"version 1\nlimits alice:sessions=1", "users:2: a limits line is NAME:KEY=N"},
            {"version 1\n" + user + "\nlimits alice:sessions=-1", "users:3: limits of alice: \"sessions=-1\" is not KEY=N"},
            {"version 1\n" + user + "\nlimits alice:sessions", "is not KEY=N"},
            {"version 1\n" + user + "\nlimits alice:sessions=99999999999", "sessions=99999999999 is too large"},
            {"version 1\n" + user + "\nlimits alice:download-rate=9999999999999999", "is not KEY=N"},
            {"version 1\n" + user + "\nlimits alice:cpu=3", "unknown key \"cpu\""},
            {"version 1\n" + user + "\nlimits alice:exec=1\nlimits alice:exec=2", "users:4: user alice has two limits lines"},
            {"version 1\n" + user + "\nquota alice:1:many", "quota FILES must be a number >= 0"},
            {"version 1\n" + user + "\nquota alice:1:2\nquota alice:1:2", "users:4: user alice has two quota lines"},
        };
        for (String[] c : cases) {
            UserStoreException e = assertThrows(UserStoreException.class, () -> UserStoreFormat.parse(c[0], "users"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void homesStayInsideTheRoot() {
        assertEquals("", UserRecord.normalizeHome("/"));
        assertEquals("a/b", UserRecord.normalizeHome("/a/b/"));
        for (String bad : new String[] {"..", "a/../../b", "a//b", "./a", "a\\b", "a\nb"}) {
            assertThrows(IllegalArgumentException.class, () -> UserRecord.normalizeHome(bad), bad);
        }
    }

    @Test
    void userNamesFollowTheDocumentedRule() {
        for (String ok : new String[] {"alice", "a", "Bob.Smith", "x_y-z@example.org", "9lives", "a".repeat(64)}) {
            assertNull(UserNames.problem(ok), ok);
        }
        for (String bad : new String[] {"", "-rf", ".hidden", "a b", "a:b", "a,b", "a=b", "\u00e9ve", "anonymous", "a".repeat(65)}) {
            assertNotNull(UserNames.problem(bad), bad);
        }
    }
}

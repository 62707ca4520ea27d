package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RightTest {
    @Test
    void frozenIsEqualSharedAndUnmodifiableForEveryCombination() {
        for (int mask = 0; mask < 1 << Right.values().length; mask++) {
            EnumSet<Right> s = EnumSet.noneOf(Right.class);
            for (Right r : Right.values()) {
                if ((mask & (1 << r.ordinal())) != 0) {
                    s.add(r);
                }
            }
            Set<Right> f = Right.frozen(s);
            assertEquals(s, f);
            assertSame(f, Right.frozen(EnumSet.copyOf(s)), "equal rights share one set");
            assertThrows(UnsupportedOperationException.class, () -> f.add(Right.EXEC));
        }
    }

    @Test
    void sessionsWithTheSameRightsShareTheirSet() {
        Session a = new Session("a");
        Session b = new Session("b");
        a.login("x", EnumSet.of(Right.READ, Right.WRITE), "");
        b.login("y", EnumSet.of(Right.WRITE, Right.READ), "");
        assertSame(a.rights(), b.rights());
        assertEquals(Set.of(Right.READ, Right.WRITE), a.rights());
    }

    @Test
    void anonymousRightsNeverIncludeAdmin() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().anonymousRights(EnumSet.of(Right.READ, Right.ADMIN)).build());
        assertTrue(e.getMessage().contains("admin"), e.getMessage());
        assertFalse(ServerConfig.defaults().anonymousRights().contains(Right.ADMIN));
        assertEquals(Right.ALL, ServerConfig.builder().anonymousRights(Right.ALL).build().anonymousRights());
    }

    @Test
    void listsRoundTrip() {
        assertEquals(EnumSet.of(Right.READ, Right.DELETE), Right.parseList(" read , delete"));
        assertEquals("read,delete", Right.toList(EnumSet.of(Right.DELETE, Right.READ)));
        assertEquals(EnumSet.of(Right.READ, Right.WRITE, Right.DELETE, Right.EXEC), Right.parseList("all"));
        assertEquals(EnumSet.allOf(Right.class), Right.parseList("all,admin"), "admin only by name");
        assertEquals(EnumSet.of(Right.READ, Right.ADMIN), Right.parseList("read,admin"));
        assertEquals("read,admin", Right.toList(EnumSet.of(Right.ADMIN, Right.READ)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Right.parseList("fly")).getMessage().contains("\"fly\""));
    }
}

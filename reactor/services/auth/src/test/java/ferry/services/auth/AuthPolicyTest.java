package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.Loopback;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AuthPolicyTest {
    @Test
    void usersMeanLoginIsRequiredAnywhere() throws Exception {
        for (boolean loopback : new boolean[] {true, false}) {
            AuthPolicy.Decision d = AuthPolicy.decide(loopback ? "127.0.0.1" : "0.0.0.0", loopback, 2, false);
            assertTrue(d.loginRequired());
            assertTrue(d.anonymousRights().isEmpty());
            assertEquals("login required (2 users)", d.summary());
        }
        assertEquals("login required (1 user)", AuthPolicy.decide("0.0.0.0", false, 1, false).summary());
    }

    @Test
    void usersWithAnonymousReadMakeLoginOptionalAndAnonymousReadOnly() throws Exception {
        AuthPolicy.Decision d = AuthPolicy.decide("0.0.0.0", false, 2, true);
        assertFalse(d.loginRequired());
        assertEquals(EnumSet.of(Right.READ), d.anonymousRights());
    }

    @Test
    void noUsersOnLoopbackAllowsAnonymousWithoutExec() throws Exception {
        AuthPolicy.Decision d = AuthPolicy.decide("127.0.0.1", true, 0, false);
        assertFalse(d.loginRequired());
        assertEquals(EnumSet.of(Right.READ, Right.WRITE, Right.DELETE), d.anonymousRights());
        assertEquals(EnumSet.of(Right.READ), AuthPolicy.decide("::1", true, 0, true).anonymousRights());
    }

    @Test
    void noUsersOffLoopbackIsRefusedUnlessAnonymousRead() throws Exception {
        AuthPolicy.RefusedException e = assertThrows(AuthPolicy.RefusedException.class,
                () -> AuthPolicy.decide("0.0.0.0", false, 0, false));
        assertTrue(e.getMessage().contains("ferry user add"), e.getMessage());
        assertTrue(e.getMessage().contains("--anonymous-read"), e.getMessage());
        AuthPolicy.Decision d = AuthPolicy.decide("0.0.0.0", false, 0, true);
        assertFalse(d.loginRequired());
        assertEquals(EnumSet.of(Right.READ), d.anonymousRights());
    }

    @Test
    void everyDecisionIsAcceptedByServerConfig() throws Exception {
        for (String bind : new String[] {"127.0.0.1", "0.0.0.0"}) {
            for (int users : new int[] {0, 1}) {
                for (boolean anon : new boolean[] {false, true}) {
                    ServerConfig.Builder b = ServerConfig.builder().bindAddress(bind).port(0);
                    AuthPolicy.Decision d;
                    try {
                        d = AuthPolicy.decide(bind, Loopback.isLoopbackHost(bind), users, anon);
                    } catch (AuthPolicy.RefusedException e) {
                        continue;
                    }
                    ServerConfig c = d.applyTo(b).build();
                    assertEquals(d.loginRequired(), c.loginRequired());
                    assertFalse(c.anonymousRights().contains(Right.EXEC), "anonymous never gets exec");
                }
            }
        }
    }

    @Test
    void theStoreOverloadCountsUsersAndRecognisesLoopback(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        UserStore store = UserStore.inConfigDir(dir);
        assertThrows(AuthPolicy.RefusedException.class, () -> AuthPolicy.decide("0.0.0.0", store, false));
        assertFalse(AuthPolicy.decide("localhost", store, false).loginRequired());
        PasswordHasher.Keys k = new PasswordHasher().hash("alice-secret".toCharArray(), AuthFixture.ITERATIONS);
        store.update(u -> u.with(new UserRecord("alice", k.iterations(), k.salt(), k.storedKey(), k.serverKey(),
                EnumSet.of(Right.READ), "")));
        assertTrue(AuthPolicy.decide("0.0.0.0", store, false).loginRequired());
    }
}

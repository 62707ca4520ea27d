package ferry.services.auth;

import ferry.reactor.Loopback;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Secure by default: whether a server must require login, and what anonymous connections may do,
 * from where it listens and whether it has users. A pure function, so the rule is tested as a table.
 *
 * <pre>
 * users | listens on   | --anonymous-read | result
 * ------+--------------+------------------+-------------------------------------------------------
 *  &gt;0   | anywhere     | no               | login required
 *  &gt;0   | anywhere     | yes              | login optional: anonymous may read, users log in for more
 *   0   | loopback     | no               | no login: anonymous gets read, write, delete (never exec)
 *   0   | loopback     | yes              | no login: anonymous may only read
 *   0   | not loopback | yes              | no login: anonymous may only read
 *   0   | not loopback | no               | refuse to start (create a user or pass --anonymous-read)
 * </pre>
 *
 * An empty user store (every user deleted) counts as no users. Anonymous never has {@code exec}.
 *
 * <p>Wiring in {@code ferry serve} (the AuthService is installed in every case, so users added
 * later can log in, and an anonymous connection may log in to get a user's rights):
 *
 * <pre>{@code
 * UserStore store = UserStore.inConfigDir(configDir);
 * AuthPolicy.Decision d = AuthPolicy.decide(bindAddress, store, anonymousRead); // RefusedException: print, exit 1
 * ServerConfig config = d.applyTo(ServerConfig.builder().bindAddress(bindAddress).port(port)).build();
 * FerryServer server = new FerryServer(config, log);
 * server.install(new AuthService(store));                                       // UserStoreException: print, exit 1
 * log.info(d.summary());
 * }</pre>
 *
 * <p>Thread safety: stateless.
 */
public final class AuthPolicy {
    /** What a local-only server without users lets anyone on the machine do: no exec. */
    public static final Set<Right> LOOPBACK_ANONYMOUS_RIGHTS =
            Collections.unmodifiableSet(EnumSet.of(Right.READ, Right.WRITE, Right.DELETE));
    /** What {@code --anonymous-read} grants. */
    public static final Set<Right> ANONYMOUS_READ_RIGHTS = Collections.unmodifiableSet(EnumSet.of(Right.READ));

    /**
     * The decision.
     *
     * @param loginRequired   whether connections must log in before anything but HELLO, AUTH*, PING, BYE
     * @param anonymousRights what a connection that has not logged in may do (empty when login is required)
     * @param summary         one line for the server's start-up message
     */
    public record Decision(boolean loginRequired, Set<Right> anonymousRights, String summary) {
        public Decision {
            anonymousRights = Right.frozen(anonymousRights);
        }

        /** Sets {@code loginRequired} and {@code anonymousRights} on a config builder. */
        public ServerConfig.Builder applyTo(ServerConfig.Builder b) {
            return b.loginRequired(loginRequired).anonymousRights(anonymousRights);
        }
    }

    /** The server must not start; the message says why and what to do. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    private AuthPolicy() {}

    /**
     * @param bindAddress   where the server listens (for the messages)
     * @param loopbackOnly  whether only this machine can connect ({@link ServerConfig#isLoopbackOnly()})
     * @param userCount     users in the store (0 when there is no store)
     * @param anonymousRead the operator passed {@code --anonymous-read}
     * @throws RefusedException off loopback with no users and no {@code --anonymous-read}
     */
    public static Decision decide(String bindAddress, boolean loopbackOnly, int userCount, boolean anonymousRead)
            throws RefusedException {
        if (userCount > 0) {
            if (anonymousRead) {
                return new Decision(false, ANONYMOUS_READ_RIGHTS, "login optional: anonymous connections may read;"
                        + " " + users(userCount) + " log in for their rights");
            }
            return new Decision(true, EnumSet.noneOf(Right.class), "login required (" + users(userCount) + ")");
        }
        if (anonymousRead) {
            return new Decision(false, ANONYMOUS_READ_RIGHTS, "no users: anyone who can connect"
                    + (loopbackOnly ? " from this machine" : " to " + bindAddress) + " may read (read-only, no exec)");
        }
        if (loopbackOnly) {
            return new Decision(false, LOOPBACK_ANONYMOUS_RIGHTS, "no users and listening on loopback " + bindAddress
                    + ": anyone on this machine may read, write and delete (no exec)");
        }
        throw new RefusedException("refusing to listen on " + bindAddress + " without login: there are no users."
                + " Create one with `ferry user add NAME`, or pass --anonymous-read to let anyone read (read-only, no exec)");
    }

    /**
     * {@link #decide} for a bind address and a store, as {@code ferry serve} needs it before a
     * {@link ServerConfig} can be built (the builder itself refuses anonymous writes off loopback).
     * Reads the store and may resolve a host name: not for an event loop.
     */
    public static Decision decide(String bindAddress, UserStore store, boolean anonymousRead)
            throws RefusedException, IOException {
        return decide(bindAddress, Loopback.isLoopbackHost(bindAddress), store.countUsers(), anonymousRead);
    }

    /** "1 user", "2 users": the count as the access lines print it. */
    public static String users(int n) {
        return n + (n == 1 ? " user" : " users");
    }
}

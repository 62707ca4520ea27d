package ferry.cli.serve;

import ferry.reactor.Right;
import ferry.services.auth.AuthPolicy;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who may do what on a {@code ferry serve} server: {@link AuthPolicy}'s secure default, as the
 * operator's explicit access flags adjust it. A pure function of the settings, where the server
 * listens and how many users its store holds.
 *
 * <pre>
 * flags                        | result
 * -----------------------------+-----------------------------------------------------------------
 * (none)                       | AuthPolicy: users → login required; none → loopback: anyone on
 *                              | this machine reads, writes, deletes; elsewhere: refuse to start
 * --anonymous-read             | AuthPolicy with anonymous read (rights "read" is the same)
 * --anonymous-rights LIST      | login optional, anonymous gets LIST (the core refuses more than
 *                              | read off loopback); users log in for their own rights
 * --login-required             | login required, even with no users yet (add them later: the
 *                              | server notices); never refused
 * </pre>
 *
 * <p>Thread safety: stateless.
 */
public final class ServeAccess {
    private static final Set<Right> READ_ONLY = EnumSet.of(Right.READ);

    private ServeAccess() {}

    /**
     * @param loopbackOnly whether only this machine can connect
     * @param users        users in the store
     * @throws AuthPolicy.RefusedException the server must not start (off loopback, no users, no anonymous access)
     */
    static AuthPolicy.Decision decide(ServeSettings s, boolean loopbackOnly, int users) throws AuthPolicy.RefusedException {
        String bind = s.listen().host();
        if (s.loginRequired()) {
            return new AuthPolicy.Decision(true, EnumSet.noneOf(Right.class), users > 0
                    ? "login required (" + AuthPolicy.users(users) + ")"
                    : "login required, but there are no users yet: nobody can log in until one is added with "
                            + "`ferry user add NAME` (the server notices new users without a restart)");
        }
        Set<Right> anonymous = s.anonymousRights();
        if (anonymous == null) {
            return AuthPolicy.decide(bind, loopbackOnly, users, false);
        }
        if (anonymous.equals(READ_ONLY)) {
            return AuthPolicy.decide(bind, loopbackOnly, users, true);
        }
        String may = anonymous.isEmpty() ? "do nothing but HELLO and PING" : "use rights " + Right.toList(anonymous);
        return new AuthPolicy.Decision(false, anonymous, "login optional: anonymous connections may " + may
                + (users > 0 ? "; " + AuthPolicy.users(users) + " log in for their rights" : "; there are no users"));
    }
}

package ferry.protocol;

/**
 * Op, feature and field names of login (docs/PROTOCOL.md, "Login"): SCRAM-SHA-256 in two round
 * trips, and its -PLUS form bound to the TLS channel. Shared by the server and the client.
 */
public final class AuthProtocol {
    /** The word HELLO lists when the server offers SCRAM-SHA-256 login. */
    public static final String FEATURE = "auth-scram-sha-256";
    /** Listed beside {@link #FEATURE} on TLS: login bound to the server's certificate. */
    public static final String FEATURE_PLUS = "auth-scram-sha-256-plus";

    // ---- requests and answers
    public static final String START = "AUTH_START";
    public static final String CONTINUE = "AUTH_CONTINUE";
    public static final String FINISH = "AUTH_FINISH";
    public static final String OK = "AUTH_OK";

    // ---- fields
    public static final String MECHANISM = "mechanism";
    /** The SCRAM message of each step, as RFC 5802 writes it. */
    public static final String SCRAM = "scram";
    public static final String USER = "user";
    public static final String RIGHTS = "rights";
    public static final String HOME = "home";

    private AuthProtocol() {}
}

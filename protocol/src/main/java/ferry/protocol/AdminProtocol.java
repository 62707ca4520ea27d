package ferry.protocol;

/**
 * Op and field names of the operator's view over the protocol (docs/PROTOCOL.md, "Admin"): list
 * the live connections, close one. Both need a logged-in user with the {@code admin} right.
 * Shared by the server and the client so the two cannot drift apart.
 */
public final class AdminProtocol {
    /** The word HELLO lists when the admin ops are installed. */
    public static final String FEATURE = "admin";

    /** Lists the live connections; answered {@code WHO} with a JSON array body. */
    public static final String WHO = "WHO";
    /** Closes one connection, which reads {@code ERROR dropped}; answered {@code OK}. */
    public static final String KICK = "KICK";
    public static final String OK = "OK";

    // ---- WHO request and answer header
    /** Request: most rows wanted (optional; the server caps it at its own maximum). */
    public static final String LIMIT = "limit";
    /** Answer: rows in the body. */
    public static final String COUNT = "count";
    /** Answer: live connections in all (more than {@link #COUNT} when the list was cut). */
    public static final String TOTAL = "total";

    // ---- KICK request
    /** The connection to close, as WHO lists it ({@code 12}, the log's {@code c12}). */
    public static final String CONNECTION = "connection";

    // ---- one WHO row
    public static final String ROW_ID = "id";
    public static final String ROW_USER = "user";
    public static final String ROW_ADDRESS = "address";
    public static final String ROW_AGE_MS = "ageMs";
    public static final String ROW_OP = "op";
    public static final String ROW_INFLIGHT = "inflight";
    public static final String ROW_BYTES_IN = "bytesIn";
    public static final String ROW_BYTES_OUT = "bytesOut";
    public static final String ROW_THROTTLED = "throttled";

    private AdminProtocol() {}
}

package ferry.protocol;

/**
 * Op names every Ferry server answers (docs/PROTOCOL.md, "Core") and the port it listens on by
 * default, shared by the server and the client so the two cannot drift apart.
 */
public final class CoreProtocol {
    /** The port a server listens on and a client dials when none is given. */
    public static final int DEFAULT_PORT = 7373;

    /** Who are you, what can you do: answered with the server's name, version and features. */
    public static final String HELLO = "HELLO";
    /** Echo; answered with {@link #PONG} carrying the same body. */
    public static final String PING = "PING";
    public static final String PONG = "PONG";
    /** Close after answering. */
    public static final String BYE = "BYE";
    /** A failed request (with its id) or a failed connection (without). */
    public static final String ERROR = "ERROR";

    private CoreProtocol() {}
}

package ferry.protocol;

/**
 * The {@code code} values of {@code ERROR} frames. Codes are stable API: clients branch on them;
 * messages are for humans and may change. docs/PROTOCOL.md lists when each is sent.
 */
public final class ErrorCode {
    /** The frame stream is broken (bad length, bad JSON); the connection closes after the ERROR. */
    public static final String BAD_FRAME = ProtocolException.BAD_FRAME;
    /** The peer is not speaking Ferry or an unsupported major version; the connection closes. */
    public static final String BAD_PREAMBLE = ProtocolException.BAD_PREAMBLE;
    /** A well-formed frame whose request is invalid (missing or mistyped field). */
    public static final String BAD_REQUEST = ProtocolException.BAD_REQUEST;
    /** The op is not known to this server. */
    public static final String UNKNOWN_OP = "unknown_op";
    /** The op needs a logged-in connection. */
    public static final String UNAUTHENTICATED = "unauthenticated";
    /** The logged-in user lacks the right the op needs. */
    public static final String FORBIDDEN = "forbidden";
    /** The named file or folder does not exist. */
    public static final String NOT_FOUND = "not_found";
    /** The target already exists. */
    public static final String EXISTS = "exists";
    /** Another request holds the target (e.g. a concurrent upload of the same path). */
    public static final String CONFLICT = "conflict";
    /** A worker pool or queue is full, or a login attempt was refused unjudged by the throttle; retry later. */
    public static final String BUSY = "busy";
    /** A size or count is above a configured limit. */
    public static final String TOO_LARGE = "too_large";
    /**
     * An upload would take the user's home over its quota of bytes or files; refused before any
     * body byte is stored.
     */
    public static final String QUOTA_EXCEEDED = "quota_exceeded";
    /**
     * A login with the right proof was refused because the user already holds as many logged-in
     * connections as they may; the connection stays open, logged out.
     */
    public static final String TOO_MANY_SESSIONS = "too_many_sessions";
    /** The operation took longer than its limit. */
    public static final String TIMEOUT = "timeout";
    /** The server's disk or filesystem failed (disk full, I/O error). */
    public static final String IO_ERROR = "io_error";
    /** Transferred bytes do not match their digest. */
    public static final String DIGEST_MISMATCH = "digest_mismatch";
    /** The server is at its connection limit; the connection closes. */
    public static final String SERVER_FULL = "server_full";
    /** The server's operator closed the connection (ferry admin drop); it closes after this ERROR. */
    public static final String DROPPED = "dropped";
    /** The server is shutting down and takes no new requests. */
    public static final String SHUTTING_DOWN = "shutting_down";
    /** The connection was idle or too slow for too long; it closes. */
    public static final String TIMED_OUT = "timed_out";
    /** A bug on the server's side; the message says what failed. */
    public static final String INTERNAL = "internal";
    /** The server requires TLS on this connection and the client spoke plaintext (see PROTOCOL.md, TLS). */
    public static final String TLS_REQUIRED = "tls_required";

    private ErrorCode() {}
}

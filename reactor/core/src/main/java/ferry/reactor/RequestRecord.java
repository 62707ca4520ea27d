package ferry.reactor;

/**
 * One finished request, as {@link RequestObserver}s see it. Built only when an observer is
 * registered, so a server without one pays nothing per request.
 *
 * @param connection the connection's log name ({@code c42})
 * @param user the session's user when the request started (null before login)
 * @param remoteAddress the peer as {@code host:port}
 * @param op the request's op (null when it had none)
 * @param path the request's {@code path}, or {@code from} for a RENAME; null when it has neither
 * @param to a RENAME's {@code to}, else null
 * @param outcome the op of the last frame answered ({@code OK}, {@code FILE}, {@code EXIT},
 *     {@code ERROR}, ...), or {@code cancelled} when the connection closed first
 * @param errorCode the code of an {@code ERROR} answer, else null
 * @param bytesIn the request's declared body size
 * @param bytesOut bytes of answer queued for the peer, file bodies included
 * @param durationNanos from the request's header to its end
 * @param digest the digest the answer reported ({@code PUT}'s verified one, a GET's or HASH's), else null
 * @param exitCode an EXEC's exit code, else null
 */
public record RequestRecord(String connection, String user, String remoteAddress, String op, String path, String to,
                            String outcome, String errorCode, long bytesIn, long bytesOut, long durationNanos,
                            String digest, Long exitCode) {
    /** The outcome of a request whose connection closed before it was answered. */
    public static final String CANCELLED = "cancelled";
}

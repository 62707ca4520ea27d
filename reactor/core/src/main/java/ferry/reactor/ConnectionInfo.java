package ferry.reactor;

/**
 * What an operator sees of one live connection ({@link ConnectionAdmin#list()}): a snapshot taken
 * on the connection's own loop. Immutable; safe to hand to any thread.
 *
 * @param id        the connection's number, as in the log ({@code c12})
 * @param user      the logged-in user, or null before login
 * @param address   the client as {@code host:port} (behind a PROXY protocol balancer: the client it names)
 * @param ageMillis how long the connection has been open
 * @param op        the op of the oldest request in flight, or null when none is
 * @param inflight  requests in flight (started or waiting, answers not all sent)
 * @param bytesIn   bytes read from the client so far
 * @param bytesOut  bytes written to the client so far
 * @param throttled whether a bandwidth limit holds it back right now (reading paused, or output
 *                  waiting for the limit to let more go)
 */
public record ConnectionInfo(long id, String user, String address, long ageMillis, String op, int inflight,
                             long bytesIn, long bytesOut, boolean throttled) {}

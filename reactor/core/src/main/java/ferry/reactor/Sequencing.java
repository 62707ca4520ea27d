package ferry.reactor;

/**
 * How an op's requests are ordered against the other requests pipelined on the same connection.
 * Whatever the kind, answers leave in request order; this says when a request may <em>start</em>.
 *
 * <p>The rule that makes a pipelined connection behave as if its requests ran one at a time:
 * a request sees the effects of every earlier request on its connection. A {@link #WRITE} starts
 * only once every earlier request has settled, and every later request waits for it to settle;
 * a {@link #READ} starts once every earlier write has settled, so reads still overlap each other
 * (pipelined GET, STAT and PING stay fast). A call settles when it ends, or earlier when its
 * handler calls {@link Call#settle()} because nothing a later request does can change its answer
 * any more (a GET that holds its file open).
 *
 * <p>While a request waits to start, the connection stops reading, so the body of a waiting
 * request stays in the socket and TCP slows the client.
 */
public enum Sequencing {
    /** Changes nothing another request can observe (on disk or in the session). */
    READ,
    /** May change what a later request sees: files, folders, the session's login, a process. */
    WRITE
}

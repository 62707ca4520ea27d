package ferry.reactor;

/**
 * Sees every request once its answer is complete (or the connection dropped it): what an audit
 * log or a metrics exporter records. Register with {@link ServerContext#addRequestObserver}
 * before the server starts.
 *
 * <p>Threading contract: called on the connection's event loop thread, once per request, after
 * its last frame was queued. It must not block and should be cheap (a few counters, or a line
 * handed to a writer thread): every request on the loop waits for it. An exception it throws is
 * logged and otherwise ignored.
 */
@FunctionalInterface
public interface RequestObserver {
    void requestEnded(RequestRecord record);

    /**
     * Whether requests of {@code op} (null: a request without one) interest this observer. When
     * no observer wants an op, its requests build no record at all: an audit log that skips PINGs
     * costs a pipelined PING nothing. Any loop thread; must be cheap and never change its answer.
     */
    default boolean observes(String op) {
        return true;
    }
}

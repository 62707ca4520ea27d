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
}

package ferry.reactor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The server's {@link RequestObserver}s and how a finished call reaches them: a record is built
 * only when some observer watches the call's op, and an observer that throws is counted and
 * logged without disturbing the others or the connection.
 *
 * <p>Threading: {@link #add} from the configuring thread before the server starts (the owner
 * checks that); the array is then fixed and read by every loop thread through a volatile field.
 */
final class RequestObservers {
    private final ServerLog log;
    private final ServerStats stats;
    private volatile RequestObserver[] observers = new RequestObserver[0];

    RequestObservers(ServerLog log, ServerStats stats) {
        this.log = log;
        this.stats = stats;
    }

    /** Adds one; before the server starts, from the configuring thread. */
    synchronized void add(RequestObserver observer) {
        RequestObserver[] more = Arrays.copyOf(observers, observers.length + 1);
        more[more.length - 1] = Objects.requireNonNull(observer);
        observers = more;
    }

    /** Whether anything watches finished requests of {@code op}: only then do calls note what they answered. */
    boolean observed(String op) {
        for (RequestObserver o : observers) {
            if (o.observes(op)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A call ended or was cancelled: observers see it (the record is built only for them). The
     * call's loop thread.
     *
     * @param connectionName names the connection in a failing observer's log line
     */
    void callFinished(Call call, long nowNanos, String connectionName) {
        if (!observed(call.op())) {
            return; // no record built for what nobody watches (an audit log's PINGs)
        }
        RequestObserver[] all = observers;
        RequestRecord r = call.record(nowNanos);
        for (RequestObserver o : all) {
            if (!o.observes(call.op())) {
                continue;
            }
            try {
                o.requestEnded(r);
            } catch (RuntimeException e) {
                stats.handlerErrors.increment();
                log.warn(connectionName + " request observer failed: " + e, e);
            }
        }
    }
}

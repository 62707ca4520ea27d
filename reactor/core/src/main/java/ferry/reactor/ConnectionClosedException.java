package ferry.reactor;

import java.io.IOException;

/**
 * Why the calls and output of a closed connection were dropped ("connection closed: idle 60 s").
 * Made on the loop for every close that leaves anything behind, so it carries no stack trace:
 * the reason says what happened, and a trace of the loop's close path would say nothing more
 * while costing ~1 KiB per connection in a burst of closes.
 */
final class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    ConnectionClosedException(String reason) {
        super("connection closed: " + reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // no trace: see the class comment
    }
}

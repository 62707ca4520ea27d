package ferry.client;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Where a {@link ResilientTransfer} gets its connection, and a fresh one after the old one was
 * lost: the caller's way to reconnect, which also logs in again where the server requires it.
 *
 * <p>Thread safety: used by one transfer thread at a time.
 */
public interface ConnectionSource {
    /**
     * The current connection, opening a new one (connect, HELLO, login) when there is none.
     *
     * @throws IOException connecting or logging in failed; a network failure
     *     ({@link RetryPolicy#isRetryable}) is retried, anything else (a refused login) ends the transfer
     */
    FerryClient connection() throws IOException;

    /** The current connection failed mid-operation: close and forget it; the next {@link #connection()} opens another. */
    void discard();

    /** Opens a connection; see {@link #reconnecting}. */
    @FunctionalInterface
    interface Opener {
        FerryClient open() throws IOException;
    }

    /**
     * A source that starts with {@code initial} (may be null: open on first use) and opens
     * replacements with {@code opener}. A host name that does not resolve, which
     * {@link FerryClient#connect} reports as the unchecked UnresolvedAddressException, comes out
     * as an {@link java.net.UnknownHostException}.
     */
    static ConnectionSource reconnecting(FerryClient initial, Opener opener) {
        return new ConnectionSource() {
            private FerryClient current = initial;

            @Override
            public FerryClient connection() throws IOException {
                if (current == null || current.isClosed()) {
                    try {
                        current = opener.open();
                    } catch (UnresolvedAddressException e) {
                        UnknownHostException u = new UnknownHostException("unknown host");
                        u.initCause(e);
                        throw u;
                    }
                }
                return current;
            }

            @Override
            public void discard() {
                FerryClient c = current;
                current = null;
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // it failed already; the error that got us here is the one to report
                    }
                }
            }
        };
    }
}

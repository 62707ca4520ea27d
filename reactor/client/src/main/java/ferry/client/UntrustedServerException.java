package ferry.client;

import java.io.IOException;

/**
 * The server's TLS certificate is not trusted: unknown (and not accepted), changed since it was
 * pinned, not the one asked for, or not signed by the given CA. The message says which, shows
 * the fingerprints involved and how to fix it. Never retried.
 */
public final class UntrustedServerException extends IOException {
    private static final long serialVersionUID = 1L;

    public UntrustedServerException(String message) {
        super(message);
    }
}

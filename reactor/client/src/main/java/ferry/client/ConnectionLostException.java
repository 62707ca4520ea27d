package ferry.client;

import java.io.IOException;

/**
 * The socket to the server failed in the middle of an operation ({@code Broken pipe},
 * {@code Connection reset by peer}, ...). The JDK reports these as plain {@link IOException}s,
 * exactly like a full local disk; the client wraps them in this type so a caller can tell "the
 * network let us down, reconnect and resume" ({@link RetryPolicy#isRetryable}) from "this
 * computer cannot store the file, stop". The message is the JDK's.
 */
public class ConnectionLostException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}

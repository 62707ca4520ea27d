package ferry.client;

import ferry.protocol.Header;
import java.io.IOException;

/**
 * The server answered with an {@code ERROR} frame. {@link #code()} is one of
 * {@link ferry.protocol.ErrorCode}; the message is the server's explanation.
 */
public class RemoteException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final transient Header header;

    public RemoteException(Header errorFrame) {
        super(errorFrame.getString("message", "error") + " [" + errorFrame.getString("code", "unknown") + "]");
        this.code = errorFrame.getString("code", "unknown");
        this.header = errorFrame;
    }

    public String code() {
        return code;
    }

    /** The server's message without the code suffix. */
    public String serverMessage() {
        return header.getString("message", code);
    }

    /** The whole ERROR frame header. */
    public Header header() {
        return header;
    }
}

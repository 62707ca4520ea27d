package ferry.protocol;

import java.io.IOException;

/**
 * A peer broke the wire protocol: a bad preamble, a bad length, a header that is not strict JSON,
 * a field of the wrong type. The message is meant for humans and is sent to the peer in an
 * {@code ERROR} frame, so it names the offending value and the limit, e.g.
 * {@code "header length 2147483647 exceeds limit 65536"}.
 *
 * <p>{@link #code()} is a short machine-readable reason ({@code bad_frame}, {@code bad_request},
 * ...) that becomes the {@code code} field of the {@code ERROR} frame. It is an {@link IOException}
 * so blocking clients can treat a protocol failure like any other I/O failure.
 */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The frame itself is broken; the connection cannot continue. */
    public static final String BAD_FRAME = "bad_frame";
    /** The frame is well formed but the request in it is not valid (missing or mistyped field). */
    public static final String BAD_REQUEST = "bad_request";
    /** The peer does not speak Ferry, or speaks an unsupported version of it. */
    public static final String BAD_PREAMBLE = "bad_preamble";

    private final String code;

    public ProtocolException(String message) {
        this(BAD_FRAME, message);
    }

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** Short machine-readable reason, used as the {@code code} of an {@code ERROR} frame. */
    public String code() {
        return code;
    }
}

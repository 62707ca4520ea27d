package ferry.reactor;

import ferry.protocol.ErrorCode;

/**
 * A request failed in a way the client should hear about: becomes an {@code ERROR} frame with
 * {@link #code()} (one of {@link ErrorCode}) and the message. The connection stays open.
 */
public class OpException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public OpException(String code, String message) {
        super(message);
        this.code = code;
    }

    public OpException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static OpException forbidden(String message) {
        return new OpException(ErrorCode.FORBIDDEN, message);
    }

    public static OpException notFound(String message) {
        return new OpException(ErrorCode.NOT_FOUND, message);
    }

    public static OpException badRequest(String message) {
        return new OpException(ErrorCode.BAD_REQUEST, message);
    }
}

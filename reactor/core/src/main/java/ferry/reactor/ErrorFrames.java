package ferry.reactor;

import ferry.protocol.CoreProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.IOException;

/**
 * What a failed call answers: the {@code ERROR} frame, the code an exception maps to, and a
 * message the encoder can always send.
 *
 * <p>Thread safety: stateless; any thread.
 */
final class ErrorFrames {
    /**
     * Longest message an ERROR carries. Handlers like to quote what they refuse; a refused value
     * may be nearly as long as a whole header, and the answer quoting it must still fit in one.
     */
    static final int MAX_MESSAGE_CHARS = 1024;

    private ErrorFrames() {
    }

    /**
     * The ERROR frame about the connection rather than one request (protocol error, refusal,
     * timeout, shutdown): no id, so the client knows no request of its own failed with it.
     */
    static Header connectionError(String code, String message) {
        return header(false, 0, code, message);
    }

    /** The ERROR frame answering request {@code id} (none when {@code hasId} is false). */
    static Header header(boolean hasId, long id, String code, String message) {
        Header h = Header.op(CoreProtocol.ERROR);
        if (hasId) {
            h.put(Header.ID, id);
        }
        return h.put("code", code).put("message", message == null ? code : sendable(message));
    }

    /**
     * {@code message} as the encoder can send it: cut to {@link #MAX_MESSAGE_CHARS} at a
     * character boundary, and an unpaired surrogate (a value some handler cut in the middle of a
     * character) replaced by U+FFFD, which UTF-8 can carry. Without this the encoder throws on the
     * loop and the client loses its connection instead of getting its error.
     */
    static String sendable(String message) {
        int end = message.length();
        if (end > MAX_MESSAGE_CHARS) {
            end = MAX_MESSAGE_CHARS;
            if (Character.isLowSurrogate(message.charAt(end)) && Character.isHighSurrogate(message.charAt(end - 1))) {
                end--;
            }
        }
        StringBuilder sb = null;
        for (int i = 0; i < end; i++) {
            char c = message.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(message.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(message.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(end + 3).append(message, 0, i);
                }
                sb.append('\ufffd');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        String out = sb != null ? sb.toString() : end == message.length() ? message : message.substring(0, end);
        return end < message.length() ? out + "..." : out;
    }

    /** Maps an exception to an {@link ErrorCode}: OpException and ProtocolException carry theirs. */
    static String code(Throwable e) {
        if (e instanceof OpException) {
            return ((OpException) e).code();
        }
        if (e instanceof ProtocolException) {
            return ((ProtocolException) e).code();
        }
        if (e instanceof IOException) {
            return ErrorCode.IO_ERROR;
        }
        return ErrorCode.INTERNAL;
    }

    /** The message for {@code e}: its own for the exceptions that carry a code, else its type too. */
    static String message(Throwable e) {
        if (e instanceof OpException || e instanceof ProtocolException) {
            return e.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}

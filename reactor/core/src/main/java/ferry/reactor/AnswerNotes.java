package ferry.reactor;

import ferry.protocol.Header;

/**
 * What request observers learn of one call's answer: bytes queued, and, noted from the frames
 * sent when the server has observers, the last op, error code, digest and exit code.
 *
 * <p>Threading contract: owned by the call's loop thread, like the call.
 */
final class AnswerNotes {
    private long bytesOut; // answer bytes queued, file bodies included
    private String answerOp;
    private String errorCode;
    private String digest;
    private Long exitCode;

    /** {@code bytes} more of the answer were queued. */
    void queued(long bytes) {
        bytesOut += bytes;
    }

    /** {@code frame} was sent: note what observers see of it. */
    void sent(Header frame) {
        answerOp = frame.op();
        Object v = frame.get("code");
        errorCode = "ERROR".equals(answerOp) && v instanceof String ? (String) v : null;
        v = frame.get("digest");
        if (v instanceof String) {
            digest = (String) v;
        }
        v = frame.get("exitCode");
        if (v instanceof Long) {
            exitCode = (Long) v;
        }
    }

    /** The record of {@code call}, which ended (or was cancelled, when {@code cancelled}) at {@code nowNanos}. */
    RequestRecord record(Call call, Session s, boolean cancelled, long nowNanos) {
        Header request = call.request();
        String path = request.get("path") instanceof String p ? p : request.get("from") instanceof String f ? f : null;
        String to = request.get("to") instanceof String t ? t : null;
        return new RequestRecord(call.connectionName(), s.user(), s.remoteAddress(), call.op(), path, to,
                cancelled ? RequestRecord.CANCELLED : answerOp, errorCode, request.size(), bytesOut,
                nowNanos - call.startedNanos(), digest, exitCode);
    }
}

package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One request on a connection and its answer: zero or more frames, then {@link #end()}.
 *
 * <p>Requests may be pipelined; answers leave in request order whatever order their handlers
 * finish in. A call whose predecessors are still answering has its frames held back (counted
 * against the connection's high-water mark) and released when it reaches the head.
 *
 * <p>Threading contract: every method runs on the connection's event loop thread (asserted). A
 * worker that produced a result posts back with {@code call.loop().execute(...)} or uses
 * {@link Workers#submit}. After the connection closes, the call is cancelled: output methods do
 * nothing (file regions passed in are released) and {@link #onCancel} hooks have run.
 */
public final class Call {
    private final Connection conn;
    private final Header request;
    private final long id;
    private final boolean hasId;
    private final String op;
    private final long startedNanos;
    private OutboundQueue deferred; // output made before this call reached the head
    private boolean head;
    private boolean ended;
    private boolean cancelled;
    private boolean needsPeer;
    private Sequencing sequencing; // set when the handler starts; null while the call waits or was refused
    private boolean settled;
    private long bytesOut; // answer bytes queued, file bodies included
    private String answerOp; // these four: noted only when the server has request observers
    private String errorCode;
    private String digest;
    private Long exitCode;
    private List<Runnable> cancelHooks;
    private Runnable headTask; // runs when this call reaches the head, or when the connection closes

    Call(Connection conn, Header request, boolean head, long nowNanos) {
        this.conn = conn;
        this.request = request;
        this.hasId = request.get(Header.ID) instanceof Long;
        this.id = hasId ? request.id() : -1;
        this.op = request.op();
        this.head = head;
        this.startedNanos = nowNanos;
    }

    /** The request header. */
    public Header request() {
        return request;
    }

    /** The request's {@code id} (any int64); -1 when it had none, which only a refused request lacks. */
    public long id() {
        return id;
    }

    /** Whether the request carried an integer {@code id} (requests without one are refused, not run). */
    public boolean hasId() {
        return hasId;
    }

    public String op() {
        return op;
    }

    public Session session() {
        return conn.session();
    }

    public EventLoop loop() {
        return conn.loop();
    }

    /** Short identifier of the connection for logs, e.g. {@code c42}. */
    public String connectionName() {
        return conn.name();
    }

    public long startedNanos() {
        return startedNanos;
    }

    public boolean isEnded() {
        return ended;
    }

    /** True once the connection closed before this call ended. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Runs {@code hook} on the loop if the connection closes before this call ends (a dropped
     * upload, a client that vanished mid-exec). Runs at once if already cancelled.
     */
    public void onCancel(Runnable hook) {
        conn.loop().assertInLoop();
        if (cancelled) {
            hook.run();
            return;
        }
        if (ended) {
            return;
        }
        if (cancelHooks == null) {
            cancelHooks = new ArrayList<>(2);
        }
        cancelHooks.add(hook);
    }

    /**
     * Marks this call as one whose client must stay until it ends (a running command): if the
     * peer ends its side of the connection (EOF) meanwhile, the connection is closed at once,
     * which cancels this call ({@link #onCancel} hooks run) and drops any other answers still
     * pending, instead of the usual "no more requests, finish the answers". A client that closes
     * its socket mid-exec is otherwise only noticed at the next write, which a silent command may
     * never make.
     */
    public void cancelOnPeerEof() {
        conn.loop().assertInLoop();
        needsPeer = true;
    }

    boolean needsPeer() {
        return needsPeer && !ended && !cancelled;
    }

    // ---- output --------------------------------------------------------------------------

    /**
     * {@code {"op":op,"id":id}} for an answer that is passed to {@link #send(Header)} or
     * {@link #reply(Header)} at once and not kept: it is the loop's one scratch header, encoded
     * when sent and reused by the next call, so a small answer costs no header allocation. Use
     * {@link Header#reply} for a header that must outlive the send. Loop thread.
     */
    public Header replyHeader(String op) {
        return conn.loop().scratchHeader().put(Header.OP, op).put(Header.ID, id);
    }

    /**
     * Sends a frame. If {@code header} declares a {@code size}, that many body bytes must follow
     * through {@link #sendBody}. The request's {@code id} is added when the header has none.
     */
    public void send(Header header) {
        OutboundQueue q = out();
        if (q == null) {
            return;
        }
        withId(header);
        long before = q.pendingBytes();
        q.appendFrame(conn.loop().encoder(), header);
        queued(q.pendingBytes() - before, 0, header);
    }

    /** Sends body bytes (copied) for the frame last sent with a {@code size}. */
    public void sendBody(ByteBuffer chunk) {
        OutboundQueue q = out();
        if (q == null) {
            return;
        }
        long before = q.pendingBytes();
        q.appendCopy(chunk);
        queued(q.pendingBytes() - before, 0, null);
    }

    /** Sends a frame with {@code body}'s remaining bytes as its body; {@code size} is set. The call owns {@code body} now. */
    public void send(Header header, ByteBuffer body) {
        OutboundQueue q = out();
        if (q == null) {
            return;
        }
        withId(header).put(Header.SIZE, (long) body.remaining());
        long before = q.pendingBytes();
        q.appendFrame(conn.loop().encoder(), header);
        q.appendOwned(body);
        queued(q.pendingBytes() - before, 0, header);
    }

    /** Sends a frame whose body is a file region (zero-copy where the transport allows); {@code size} is set. */
    public void sendFile(Header header, FileRegion region) {
        OutboundQueue q = out();
        if (q == null) {
            region.release(new IOException("call is " + (cancelled ? "cancelled" : "ended")));
            return;
        }
        if (!conn.zeroCopyAllowed()) {
            region.copyMode(true);
        }
        withId(header).put(Header.SIZE, region.count());
        long before = q.pendingBytes();
        q.appendFrame(conn.loop().encoder(), header);
        q.appendRegion(region);
        queued(q.pendingBytes() - before, region.count(), header);
    }

    /**
     * Sends a file region as body bytes of the frame last sent with a {@code size} (like
     * {@link #sendBody}, but zero-copy where the transport allows). A body may be made of several
     * regions queued one after another, e.g. a download sent window by window as a worker warms
     * the page cache ahead of it; their counts must add up to the declared {@code size}.
     */
    public void sendFileBody(FileRegion region) {
        OutboundQueue q = out();
        if (q == null) {
            region.release(new IOException("call is " + (cancelled ? "cancelled" : "ended")));
            return;
        }
        if (!conn.zeroCopyAllowed()) {
            region.copyMode(true);
        }
        q.appendRegion(region);
        queued(0, region.count(), null);
    }

    /**
     * Runs {@code task} on the loop once this call is the head of its connection, that is once
     * every earlier answer has been queued and this call's own output goes straight to the
     * socket's queue (at once if it already is), or when the connection closes, whichever comes
     * first; also after the call ended. For what an answer held back behind others pins: a
     * download slot, a buffer budget. One task per call; loop thread.
     */
    public void whenHead(Runnable task) {
        conn.loop().assertInLoop();
        if (head || cancelled || conn.isClosed()) {
            task.run();
            return;
        }
        if (headTask != null) {
            throw new IllegalStateException("whenHead already has a task for " + this);
        }
        headTask = task;
    }

    private void runHeadTask(boolean inline) {
        Runnable t = headTask;
        if (t == null) {
            return;
        }
        headTask = null;
        if (inline) {
            t.run();
        } else {
            conn.loop().execute(t); // we are inside the connection's advance of its head
        }
    }

    /** {@link #send(Header)} then {@link #end()}. */
    public void reply(Header header) {
        send(header);
        end();
    }

    /** {@link #send(Header, ByteBuffer)} then {@link #end()}. */
    public void reply(Header header, ByteBuffer body) {
        send(header, body);
        end();
    }

    /** {@link #sendFile} then {@link #end()}. */
    public void replyFile(Header header, FileRegion region) {
        sendFile(header, region);
        end();
    }

    /** Sends {@code ERROR} with {@code code} and {@code message}, then ends the call. */
    public void fail(String code, String message) {
        if (ended || cancelled) {
            return;
        }
        send(errorHeader(code, message));
        end();
    }

    /** Fails the call with the code that {@code error} maps to (see {@link #errorCode}). */
    public void fail(Throwable error) {
        if (ended || cancelled) {
            return;
        }
        String code = errorCode(error);
        if (ErrorCode.INTERNAL.equals(code)) {
            conn.internalError(this, error);
        }
        fail(code, errorMessage(error));
    }

    /** Ends the call: no more frames. Idempotent. Ending also {@linkplain #settle() settles} it. */
    public void end() {
        conn.loop().assertInLoop();
        if (ended || cancelled) {
            return;
        }
        ended = true;
        cancelHooks = null;
        settle();
        conn.callEnded(this);
        conn.callFinished(this);
    }

    /**
     * Says that nothing a later request on this connection does can change this call's answer any
     * more, so requests that wait for it (see {@link Sequencing}) may start while it is still
     * sending: a GET that holds its file open and knows its digest. Calls that never call it
     * settle when they end. Idempotent; loop thread.
     */
    public void settle() {
        conn.loop().assertInLoop();
        if (sequencing == null || settled) {
            return;
        }
        settled = true;
        conn.callSettled(this);
    }

    /**
     * Bytes of output buffered ahead of this call's next frame and not yet taken by the socket:
     * for the call at the head of the connection, the queue to the socket; for a call still behind
     * earlier answers, everything buffered on the connection, its own held-back output included.
     * Producers on workers use it with {@link #whenDrained} to stop producing instead of buffering
     * without bound. (A head call ignores later calls' held-back output: that output waits for the
     * head to end, so counting it would make a head producer wait for itself.)
     */
    public long pendingOutputBytes() {
        conn.loop().assertInLoop();
        return conn.pendingBytesFor(this);
    }

    /** Whether {@link #pendingOutputBytes()} is above the connection's high-water mark. */
    public boolean isOutputSaturated() {
        conn.loop().assertInLoop();
        return conn.pendingBytesFor(this) > conn.highWaterBytes();
    }

    /**
     * Runs {@code task} on the loop once {@link #pendingOutputBytes()} is at or below the
     * connection's low-water mark (at once if it already is), or when the connection closes.
     *
     * <p>Output produced off the read path (a worker streaming a result through
     * {@code loop().execute}) must wait with this whenever {@link #isOutputSaturated()} is true:
     * such output is counted against the high-water mark but nothing else slows its producer, and
     * a connection that buffers more than {@link ServerConfig#maxBufferedOutputBytes()} is closed
     * (the call is cancelled).
     */
    public void whenDrained(Runnable task) {
        conn.loop().assertInLoop();
        conn.whenDrained(this, task);
    }

    /** Stops reading this connection until {@link #resumeReading()} (flow control for a body consumer). */
    public void pauseReading() {
        conn.loop().assertInLoop();
        conn.pause(Connection.PAUSE_HANDLER);
    }

    public void resumeReading() {
        conn.loop().assertInLoop();
        conn.resume(Connection.PAUSE_HANDLER);
    }

    /**
     * Whether an upload bandwidth limit (the connection's or its user's) paces what this connection
     * reads: then how fast the client sends says nothing about the client. Loop thread.
     */
    public boolean isUploadRateLimited() {
        return conn.uploadRateLimited();
    }

    /** After this call's answer is written, close the connection (BYE). Reading stops now. */
    public void closeConnectionAfterReply() {
        conn.loop().assertInLoop();
        conn.closeAfterReplies();
    }

    // ---- internals used by Connection ------------------------------------------------------

    /**
     * Output was queued: {@code bytes} of buffered memory (what flow control counts) and
     * {@code fileBytes} of file regions; {@code frame} is the header just sent, if any, noted for
     * request observers (its op, error code, digest and exit code) when the server has any.
     */
    private void queued(long bytes, long fileBytes, Header frame) {
        bytesOut += bytes + fileBytes;
        if (frame != null && conn.observed(op)) {
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
        conn.outputQueued(this, bytes);
    }

    /** What observers see of this call once it ended or was cancelled. */
    RequestRecord record(long nowNanos) {
        Session s = conn.session();
        String path = request.get("path") instanceof String p ? p : request.get("from") instanceof String f ? f : null;
        String to = request.get("to") instanceof String t ? t : null;
        return new RequestRecord(conn.name(), s.user(), s.remoteAddress(), op, path, to,
                cancelled ? RequestRecord.CANCELLED : answerOp, errorCode, request.size(), bytesOut,
                nowNanos - startedNanos, digest, exitCode);
    }

    private Header withId(Header h) {
        if (hasId && !h.has(Header.ID)) {
            h.put(Header.ID, id);
        }
        return h;
    }

    /** Where this call's output goes now, or null if it may not send. */
    private OutboundQueue out() {
        conn.loop().assertInLoop();
        if (ended || cancelled || conn.isClosed()) {
            return null;
        }
        if (head) {
            return conn.outbound();
        }
        if (deferred == null) {
            deferred = conn.newQueue();
        }
        return deferred;
    }

    boolean isHead() {
        return head;
    }

    /** The handler is about to run: until this call settles it holds back the requests behind it. */
    void started(Sequencing s) {
        sequencing = s;
    }

    boolean isWrite() {
        return sequencing == Sequencing.WRITE;
    }

    /** This call is now the head of the connection: its held-back output goes out. Returns bytes moved. */
    long promote() {
        head = true;
        runHeadTask(false);
        if (deferred == null) {
            return 0;
        }
        long n = deferred.pendingBytes();
        conn.outbound().appendAll(deferred);
        deferred = null;
        return n;
    }

    /** The connection closed: drop held-back output and run cancel hooks. Returns bytes dropped. */
    long cancel(Throwable cause) {
        if (cancelled) {
            return 0;
        }
        long dropped = 0;
        if (deferred != null) {
            // Also for a call that ended: its answer may still be held back behind an earlier one,
            // and the file regions in it hold open files until released.
            dropped = deferred.pendingBytes();
            deferred.discard(cause);
            deferred = null;
        }
        runHeadTask(true);
        if (ended) {
            return dropped;
        }
        cancelled = true;
        settle(); // the connection is closing; nothing waits on a cancelled call
        conn.callFinished(this);
        List<Runnable> hooks = cancelHooks;
        cancelHooks = null;
        if (hooks != null) {
            for (Runnable r : hooks) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    conn.internalError(this, e);
                }
            }
        }
        return dropped;
    }

    /**
     * Longest message an ERROR carries. Handlers like to quote what they refuse; a refused value
     * may be nearly as long as a whole header, and the answer quoting it must still fit in one.
     */
    static final int MAX_ERROR_MESSAGE_CHARS = 1024;

    /** The ERROR frame for this call. */
    Header errorHeader(String code, String message) {
        Header h = Header.op("ERROR");
        if (hasId) {
            h.put(Header.ID, id);
        }
        return h.put("code", code).put("message", message == null ? code : sendable(message));
    }

    /**
     * {@code message} as the encoder can send it: cut to {@link #MAX_ERROR_MESSAGE_CHARS} at a
     * character boundary, and an unpaired surrogate (a value some handler cut in the middle of a
     * character) replaced by U+FFFD, which UTF-8 can carry. Without this the encoder throws on the
     * loop and the client loses its connection instead of getting its error.
     */
    static String sendable(String message) {
        int end = message.length();
        if (end > MAX_ERROR_MESSAGE_CHARS) {
            end = MAX_ERROR_MESSAGE_CHARS;
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
    public static String errorCode(Throwable e) {
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

    static String errorMessage(Throwable e) {
        if (e instanceof OpException || e instanceof ProtocolException) {
            return e.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public String toString() {
        return conn.name() + "/" + op + "#" + id;
    }
}

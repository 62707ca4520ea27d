package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One request on a connection and its answer: zero or more frames, then {@link #end()}.
 *
 * <p>Requests may be pipelined; answers leave in request order whatever order their handlers
 * finish in. A call whose predecessors are still answering has its frames held back (counted
 * against the connection's high-water mark) and released when it reaches the head.
 *
 * <p>Threading contract: the connection's event loop thread. Every method that changes the call
 * or its connection (output, end, fail, settle, hooks, flow control) checks it, and from any other
 * thread throws {@link IllegalStateException} before touching anything (the check is one
 * volatile read). Getters do not check: those of what never changes ({@link #request()},
 * {@link #id()}, {@link #op()}) are safe anywhere, the others are only current on the loop. Work
 * done on a worker comes back through {@link Workers#submit} or {@link Workers#trySubmit}, whose
 * completion runs on this loop. After the connection closes, the call is cancelled: output
 * methods do nothing (file regions passed in are released) and {@link #onCancel} hooks have run.
 */
public final class Call {
    private final Connection conn;
    private final Header request;
    private final long id;
    private final boolean hasId;
    private final String op;
    private final long startedNanos;
    private final CallOutput output;
    private boolean ended;
    private boolean cancelled;
    private boolean needsPeer;
    private Sequencing sequencing; // set when the handler starts; null while the call waits or was refused
    private boolean settled;
    private CallWaiters waiters; // made by the first onCancel or whenHead

    Call(Connection conn, Header request, boolean head, long nowNanos) {
        this.conn = conn;
        this.request = request;
        this.hasId = request.get(Header.ID) instanceof Long;
        this.id = hasId ? request.id() : -1;
        this.op = request.op();
        this.output = new CallOutput(conn, this, head);
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

    /**
     * The {@code tls-server-end-point} channel binding data (RFC 5929) of this call's connection:
     * a hash of the certificate the server presented; null on a plaintext connection.
     */
    public byte[] channelBinding() {
        return conn.channelBinding();
    }

    public EventLoop loop() {
        return conn.loop();
    }

    /**
     * The server's worker pool of {@code lane}, for blocking work this call needs; its completion
     * comes back on this call's loop (see {@link Workers#submit}). Any thread.
     */
    public Workers workers(WorkerLane lane) {
        return conn.workers(lane);
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
        if (!ended) {
            waiters().addCancelHook(hook);
        }
    }

    private CallWaiters waiters() {
        if (waiters == null) {
            waiters = new CallWaiters();
        }
        return waiters;
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
        conn.loop().assertInLoop();
        return conn.codec().scratchHeader().put(Header.OP, op).put(Header.ID, id);
    }

    /**
     * Sends a frame. If {@code header} declares a {@code size}, that many body bytes must follow
     * through {@link #sendBody}. The request's {@code id} is added when the header has none.
     */
    public void send(Header header) {
        if (maySend()) {
            output.frame(withId(header));
        }
    }

    /** Sends body bytes (copied) for the frame last sent with a {@code size}. */
    public void sendBody(ByteBuffer chunk) {
        if (maySend()) {
            output.body(chunk);
        }
    }

    /** Sends a frame with {@code body}'s remaining bytes as its body; {@code size} is set. The call owns {@code body} now. */
    public void send(Header header, ByteBuffer body) {
        if (maySend()) {
            output.frame(withId(header), body);
        }
    }

    /** Sends a frame whose body is a file region (zero-copy where the transport allows); {@code size} is set. */
    public void sendFile(Header header, FileRegion region) {
        if (maySend(region)) {
            output.frame(withId(header), region);
        }
    }

    /**
     * Sends a file region as body bytes of the frame last sent with a {@code size} (like
     * {@link #sendBody}, but zero-copy where the transport allows). A body may be made of several
     * regions queued one after another, e.g. a download sent window by window as a worker warms
     * the page cache ahead of it; their counts must add up to the declared {@code size}.
     */
    public void sendFileBody(FileRegion region) {
        if (maySend(region)) {
            output.body(region);
        }
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
        if (output.isHead() || cancelled || conn.isClosed()) {
            task.run();
            return;
        }
        waiters().setHeadTask(task, this);
    }

    private void runHeadTask(boolean inline) {
        Runnable t = waiters == null ? null : waiters.takeHeadTask();
        if (t != null && inline) {
            t.run();
        } else if (t != null) {
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
        conn.loop().assertInLoop();
        if (ended || cancelled) {
            return;
        }
        send(errorHeader(code, message));
        end();
    }

    /** Fails the call with the code that {@code error} maps to (see {@link #errorCode}). */
    public void fail(Throwable error) {
        conn.loop().assertInLoop();
        if (ended || cancelled) {
            return;
        }
        String code = errorCode(error);
        if (ErrorCode.INTERNAL.equals(code)) {
            conn.internalError(this, error);
        }
        fail(code, ErrorFrames.message(error));
    }

    /** Ends the call: no more frames. Idempotent. Ending also {@linkplain #settle() settles} it. */
    public void end() {
        conn.loop().assertInLoop();
        if (ended || cancelled) {
            return;
        }
        ended = true;
        if (waiters != null) {
            waiters.dropCancelHooks();
        }
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

    /** What observers see of this call once it ended or was cancelled. Loop thread. */
    RequestRecord record(long nowNanos) {
        conn.loop().assertInLoop();
        return output.record(cancelled, nowNanos);
    }

    private Header withId(Header h) {
        if (hasId && !h.has(Header.ID)) {
            h.put(Header.ID, id);
        }
        return h;
    }

    /** Whether this call may still send (not ended, not cancelled, the connection open). */
    private boolean maySend() {
        conn.loop().assertInLoop();
        return !ended && !cancelled && !conn.isClosed();
    }

    /** {@link #maySend()} for a file region, readied for the transport, or released if it may not. */
    private boolean maySend(FileRegion region) {
        if (!maySend()) {
            region.release(new IOException("call is " + (cancelled ? "cancelled" : "ended")));
            return false;
        }
        if (!conn.zeroCopyAllowed()) {
            region.copyMode(true);
        }
        return true;
    }

    boolean isHead() {
        return output.isHead();
    }

    /** The handler is about to run: until this call settles it holds back the requests behind it. */
    void started(Sequencing s) {
        conn.loop().assertInLoop();
        sequencing = s;
    }

    boolean isWrite() {
        return sequencing == Sequencing.WRITE;
    }

    /** This call is now the head of the connection: its held-back output goes out. Returns bytes moved. */
    long promote() {
        conn.loop().assertInLoop();
        long moved = output.promote();
        runHeadTask(false);
        return moved;
    }

    /** The connection closed: drop held-back output and run cancel hooks. Returns bytes dropped. */
    long cancel(Throwable cause) {
        conn.loop().assertInLoop();
        if (cancelled) {
            return 0;
        }
        long dropped = output.discard(cause);
        runHeadTask(true);
        if (ended) {
            return dropped;
        }
        cancelled = true;
        settle(); // the connection is closing; nothing waits on a cancelled call
        conn.callFinished(this);
        if (waiters != null) {
            waiters.runCancelHooks(e -> conn.internalError(this, e));
        }
        return dropped;
    }

    /** The ERROR frame for this call. */
    Header errorHeader(String code, String message) {
        return ErrorFrames.header(hasId, id, code, message);
    }

    /** Maps an exception to an {@link ErrorCode}: OpException and ProtocolException carry theirs, IOException is {@code io_error}. */
    public static String errorCode(Throwable e) {
        return ErrorFrames.code(e);
    }

    @Override
    public String toString() {
        return conn.name() + "/" + op + "#" + id;
    }
}

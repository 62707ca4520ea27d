package ferry.reactor;

import ferry.protocol.Header;
import java.nio.ByteBuffer;

/**
 * The bytes of one {@link Call}'s answer: where they go (straight to the connection's queue once
 * the call is the head of its connection, held back in a queue of its own before), how much was
 * queued (for flow control), and, when the server has request observers, what they will see of
 * the answer ({@link AnswerNotes}).
 *
 * <p>The call checks that it may still send before it comes here; headers arrive with their
 * {@code id} set.
 *
 * <p>Threading contract: owned by the call's loop thread, like the call.
 */
final class CallOutput {
    private final Connection conn;
    private final Call call;
    private boolean head;
    private OutboundQueue deferred; // output made before the call reached the head
    private AnswerNotes notes;      // only when the server has request observers

    CallOutput(Connection conn, Call call, boolean head) {
        this.conn = conn;
        this.call = call;
        this.head = head;
    }

    boolean isHead() {
        return head;
    }

    void frame(Header header) {
        OutboundQueue q = queue();
        long before = q.pendingBytes();
        q.appendFrame(conn.codec().encoder(), header);
        queued(q.pendingBytes() - before, 0, header);
    }

    /** Body bytes, copied. */
    void body(ByteBuffer chunk) {
        OutboundQueue q = queue();
        long before = q.pendingBytes();
        q.appendCopy(chunk);
        queued(q.pendingBytes() - before, 0, null);
    }

    /** A frame and its whole body, which the queue owns now; {@code size} is set. */
    void frame(Header header, ByteBuffer body) {
        header.put(Header.SIZE, (long) body.remaining());
        OutboundQueue q = queue();
        long before = q.pendingBytes();
        q.appendFrame(conn.codec().encoder(), header);
        q.appendOwned(body);
        queued(q.pendingBytes() - before, 0, header);
    }

    /** A frame whose body is {@code region}; {@code size} is set. */
    void frame(Header header, FileRegion region) {
        header.put(Header.SIZE, region.count());
        OutboundQueue q = queue();
        long before = q.pendingBytes();
        q.appendFrame(conn.codec().encoder(), header);
        q.appendRegion(region);
        queued(q.pendingBytes() - before, region.count(), header);
    }

    /** Body bytes from a file region. */
    void body(FileRegion region) {
        queue().appendRegion(region);
        queued(0, region.count(), null);
    }

    /** The call is the head now: its held-back output goes out. Returns bytes moved. */
    long promote() {
        head = true;
        if (deferred == null) {
            return 0;
        }
        long n = deferred.pendingBytes();
        conn.outbound().appendAll(deferred);
        deferred = null;
        return n;
    }

    /**
     * The connection closed: drops held-back output (also of a call that ended: its answer may
     * still wait behind an earlier one, and the file regions in it hold open files until
     * released). Returns bytes dropped.
     */
    long discard(Throwable cause) {
        if (deferred == null) {
            return 0;
        }
        long dropped = deferred.pendingBytes();
        deferred.discard(cause);
        deferred = null;
        return dropped;
    }

    /** What observers see of the call, which ended (or was cancelled) at {@code nowNanos}. */
    RequestRecord record(boolean cancelled, long nowNanos) {
        return notes().record(call, conn.session(), cancelled, nowNanos);
    }

    private OutboundQueue queue() {
        if (head) {
            return conn.outbound();
        }
        if (deferred == null) {
            deferred = conn.newQueue();
        }
        return deferred;
    }

    /**
     * Output was queued: {@code bytes} of buffered memory (what flow control counts) and
     * {@code fileBytes} of file regions; {@code frame} is the header just sent, if any.
     */
    private void queued(long bytes, long fileBytes, Header frame) {
        if (conn.observed(call.op())) {
            AnswerNotes n = notes();
            n.queued(bytes + fileBytes);
            if (frame != null) {
                n.sent(frame);
            }
        }
        conn.outputQueued(call, bytes);
    }

    private AnswerNotes notes() {
        if (notes == null) {
            notes = new AnswerNotes();
        }
        return notes;
    }
}

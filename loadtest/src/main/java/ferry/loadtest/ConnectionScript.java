package ferry.loadtest;

import ferry.protocol.Header;
import java.nio.ByteBuffer;

/**
 * What one load connection does: which requests it sends and how it reads their answers. A
 * scenario gives each connection its own script. ERROR frames, id checks and request timing are
 * the connection's business ({@link ClientConnection}); a script sees only the frames of answers
 * that are not errors, and calls {@link ClientConnection#complete} on an answer's last frame.
 *
 * <p>Threading: every method is called on the connection's I/O thread, never concurrently, and
 * must not block. Output written in one call leaves in one write under the coalesced pattern.
 */
public interface ConnectionScript {
    /** Start issuing requests (the run's warm-up began, or the connection opened after it did). */
    void start(ClientConnection conn);

    /** The header of an answer frame (its id already matched the oldest request in flight). */
    void onHeader(ClientConnection conn, Header header);

    /** A chunk of the current answer frame's body; valid during the call only. */
    default void onBody(ClientConnection conn, ByteBuffer chunk) {
        chunk.position(chunk.limit());
    }

    /** The current answer frame is complete. */
    void onFrameEnd(ClientConnection conn);

    /**
     * The oldest request was answered with an ERROR frame (already counted as an error of kind
     * {@code server:CODE}); the connection stays open. A closed-loop script sends its next request here.
     */
    default void onFailed(ClientConnection conn, Header error) {}

    /**
     * Buffered output drained to the socket: a script streaming a large body (PUT) continues
     * here instead of buffering it all.
     */
    default void onWritable(ClientConnection conn) {}
}

package ferry.protocol;

import java.nio.ByteBuffer;

/**
 * Receives what a {@link FrameDecoder} decodes. For each frame: one {@link #onHeader}, zero or more
 * {@link #onBody} chunks that together are exactly {@code header.size()} bytes, then one
 * {@link #onFrameEnd}.
 *
 * <p>Every method returns whether decoding should go on. Returning {@code false} pauses the
 * decoder right after this event: {@link FrameDecoder#decode} returns with the input's position
 * at the first byte not yet consumed, and the next call resumes where it stopped. This is how a
 * connection applies backpressure (a full outbound queue, a busy file writer) without buffering.
 *
 * <p>Methods are called on the thread that calls {@code decode}.
 */
public interface FrameSink {
    /** A complete header. The sink owns {@code header} from now on. */
    boolean onHeader(Header header);

    /**
     * A chunk of the current frame's body in {@code chunk}'s [position, limit). Valid only during
     * the call: copy what must outlive it. The decoder advances past the chunk afterwards, however
     * much of it the sink read.
     */
    boolean onBody(ByteBuffer chunk);

    /** The current frame's body is complete (also called for frames without a body). */
    boolean onFrameEnd();
}

package ferry.reactor;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;

/**
 * The codec resources of one event loop, owned by the server beside the loop (the loop itself
 * knows bytes, not frames): the encoder every connection on the loop writes headers with, and the
 * one reusable answer header ({@link Call#replyHeader}), so a small answer allocates nothing.
 *
 * <p>Threading: the loop's thread only; one instance per loop, never shared.
 */
final class LoopCodec {
    private final FrameEncoder encoder;
    private final Header scratchHeader = new Header();

    /** @param maxHeaderBytes largest header this loop's connections send */
    LoopCodec(int maxHeaderBytes) {
        this.encoder = new FrameEncoder(maxHeaderBytes);
    }

    FrameEncoder encoder() {
        return encoder;
    }

    /** The loop's one reusable answer header, cleared. */
    Header scratchHeader() {
        return scratchHeader.clear();
    }
}

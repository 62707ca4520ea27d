package ferry.protocol;

/**
 * Limits the decoder enforces. Immutable; start from {@link #DEFAULT} and use the {@code with*} methods.
 *
 * @param maxHeaderBytes  largest header (JSON) accepted; larger lengths are a terminal error
 * @param maxBodyBytes    largest declared body accepted by the framing layer (ops may limit more)
 * @param maxDepth        deepest JSON nesting accepted in a header
 * @param expectPreamble  whether the stream starts with the peer's {@link Preamble}
 */
public record FrameLimits(int maxHeaderBytes, long maxBodyBytes, int maxDepth, boolean expectPreamble) {
    /** Headers are small JSON objects; 64 KiB leaves room for long paths and argv lists. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    /** The framing layer itself accepts any int64 body; file and exec ops apply their own caps. */
    public static final long DEFAULT_MAX_BODY_BYTES = Long.MAX_VALUE;

    /**
     * Deepest nesting any configuration may ask for. The parser recurses once per level; about
     * 2,000 levels overflow a default 1 MiB thread stack (measured), and a StackOverflowError on an
     * event loop is not a clean {@link ProtocolException}. 512 keeps a wide margin below that.
     */
    public static final int MAX_SUPPORTED_DEPTH = Json.MAX_SUPPORTED_DEPTH;

    public static final FrameLimits DEFAULT = new FrameLimits(
            DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES, Json.DEFAULT_MAX_DEPTH, true);

    public FrameLimits {
        if (maxHeaderBytes < 2) {
            throw new IllegalArgumentException("maxHeaderBytes must be >= 2 (\"{}\"): " + maxHeaderBytes);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 0: " + maxBodyBytes);
        }
        if (maxDepth < 1 || maxDepth > MAX_SUPPORTED_DEPTH) {
            throw new IllegalArgumentException("maxDepth must be in [1, " + MAX_SUPPORTED_DEPTH + "]: " + maxDepth);
        }
    }

    public FrameLimits withMaxHeaderBytes(int v) {
        return new FrameLimits(v, maxBodyBytes, maxDepth, expectPreamble);
    }

    public FrameLimits withMaxBodyBytes(long v) {
        return new FrameLimits(maxHeaderBytes, v, maxDepth, expectPreamble);
    }

    public FrameLimits withMaxDepth(int v) {
        return new FrameLimits(maxHeaderBytes, maxBodyBytes, v, expectPreamble);
    }

    public FrameLimits withExpectPreamble(boolean v) {
        return new FrameLimits(maxHeaderBytes, maxBodyBytes, maxDepth, v);
    }
}

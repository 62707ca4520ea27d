package ferry.protocol;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Writes header frames ({@code u32 length · JSON header}) into ByteBuffers. The body, if the
 * header declares a {@code size}, is the caller's to write next: a buffer, a file region, a
 * stream of chunks.
 *
 * <p>The JSON is produced into a scratch array the encoder keeps, so encoding allocates nothing
 * once the scratch has grown to the largest header seen.
 *
 * <p>Thread safety: none; one encoder per thread (a loop, a blocking client).
 */
public final class FrameEncoder {
    private static final int LENGTH_PREFIX_BYTES = 4;

    private final int maxHeaderBytes;
    private final JsonWriter json = new JsonWriter();

    public FrameEncoder(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    public FrameEncoder() {
        this(FrameLimits.DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * Serializes {@code header} into the scratch and returns the frame's length on the wire
     * (prefix + JSON). Follow with {@link #writePrepared} to copy it out.
     *
     * @throws IllegalArgumentException the header is larger than the peer will accept, or holds a
     *     value JSON cannot carry
     */
    public int prepare(Header header) {
        json.reset().header(header);
        if (json.length() > maxHeaderBytes) {
            int n = json.length();
            json.reset(); // a later writePrepared must not send the oversized header
            throw new IllegalArgumentException("header of " + n + " bytes exceeds limit " + maxHeaderBytes);
        }
        return LENGTH_PREFIX_BYTES + json.length();
    }

    /** Copies the frame last {@link #prepare prepared} into {@code out}. */
    public void writePrepared(ByteBuffer out) {
        if (json.length() == 0) {
            throw new IllegalStateException("no header prepared");
        }
        if (out.remaining() < LENGTH_PREFIX_BYTES + json.length()) {
            throw new BufferOverflowException();
        }
        int n = json.length();
        // explicit big-endian: the caller's buffer may have any ByteOrder
        out.put((byte) (n >>> 24)).put((byte) (n >>> 16)).put((byte) (n >>> 8)).put((byte) n);
        out.put(json.array(), 0, json.length());
    }

    /**
     * Writes the frame for {@code header} into {@code out}, or throws BufferOverflowException
     * having written nothing when it does not fit.
     *
     * @return bytes written
     */
    public int encode(Header header, ByteBuffer out) {
        int n = prepare(header);
        writePrepared(out);
        return n;
    }

    /** The frame for {@code header} in a new heap buffer, ready to read (allocates; for clients). */
    public ByteBuffer encode(Header header) {
        ByteBuffer out = ByteBuffer.allocate(prepare(header));
        writePrepared(out);
        return out.flip();
    }
}

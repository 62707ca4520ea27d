package ferry.protocol;

import java.nio.ByteBuffer;

/**
 * Incremental decoder of Ferry frames: {@code u32 header length · UTF-8 JSON header · body of
 * header.size bytes}, after an optional 8-byte {@link Preamble}.
 *
 * <p>Feed it buffers of any size, split anywhere: one byte at a time, or many frames glued in one
 * read (TCP's "sticky packets"). Headers are emitted whole; bodies stream out as chunks that are
 * views of the input, so a body of many GiB is never buffered. All sizes are 64-bit.
 *
 * <pre>
 * Legal transitions:
 *   READ_PREAMBLE --8 bytes match----------> READ_LEN
 *   READ_LEN      --4 bytes, 2..max--------> READ_HEADER
 *   READ_HEADER   --header parsed----------> READ_BODY      (onHeader)
 *   READ_BODY     --size bytes, then end---> READ_LEN       (onBody*, onFrameEnd)
 *   any           --ProtocolException------> BAD_FRAME      (terminal: every later call rethrows)
 * </pre>
 *
 * <p>Allocation: a header that arrives whole is parsed in place. A header split across reads is
 * gathered in a scratch buffer that starts at {@link #INITIAL_SCRATCH_BYTES} (or what the first
 * read brought) and doubles as more arrives, never beyond the header's declared length: the memory
 * a partial header holds is at most about twice what the peer actually sent, so a slow peer that
 * declares a 64 KiB header and dribbles it cannot make the server hold 64 KiB for a few bytes.
 * Nothing is allocated per body byte.
 *
 * <p>Thread safety: none. One decoder per connection, used by the thread that reads it.
 */
public final class FrameDecoder {
    /** See the class comment for the legal transitions. */
    public enum State { READ_PREAMBLE, READ_LEN, READ_HEADER, READ_BODY, BAD_FRAME }

    private static final int LENGTH_PREFIX_BYTES = 4;
    /** First capacity of the scratch for a split header; it grows by doubling up to the header's length. */
    static final int INITIAL_SCRATCH_BYTES = 512;

    private final FrameLimits limits;
    private final JsonReader json;

    private State state;
    private int preambleIndex;
    private int lenBytesRead;
    private long lenAccumulator;
    private int headerLength;
    private ByteBuffer headerScratch; // only while a header is split across reads
    private long bodyRemaining;
    private long framesDecoded;
    private ProtocolException failure;

    public FrameDecoder(FrameLimits limits) {
        this.limits = limits;
        this.json = new JsonReader(limits.maxDepth());
        this.state = limits.expectPreamble() ? State.READ_PREAMBLE : State.READ_LEN;
    }

    public FrameDecoder() {
        this(FrameLimits.DEFAULT);
    }

    public State state() {
        return state;
    }

    /** Bytes of the current body not yet delivered (0 outside READ_BODY). */
    public long bodyRemaining() {
        return bodyRemaining;
    }

    /**
     * The caller consumed {@code n} bytes of the current body itself, without passing them
     * through {@link #decode} (it read them from the socket straight into its own buffer). Once
     * the body is complete, the next {@code decode} call (an empty buffer is enough) delivers
     * {@link FrameSink#onFrameEnd}.
     *
     * @throws IllegalStateException not inside a body, or {@code n} is more than the body has left
     */
    public void skipBody(long n) {
        if (state != State.READ_BODY || n < 0 || n > bodyRemaining) {
            throw new IllegalStateException("cannot skip " + n + " body bytes in state " + state + " with "
                    + bodyRemaining + " left");
        }
        bodyRemaining -= n;
    }

    /** Frames completed so far. */
    public long framesDecoded() {
        return framesDecoded;
    }

    /**
     * True while a frame (or the preamble) has started but its header is not complete: the window
     * a slowloris peer keeps open.
     */
    public boolean isInsideHeader() {
        return (state == State.READ_PREAMBLE && preambleIndex > 0)
                || (state == State.READ_LEN && lenBytesRead > 0)
                || state == State.READ_HEADER;
    }

    /** The error that made the decoder terminal, or null. */
    public ProtocolException failure() {
        return failure;
    }

    /**
     * Consumes bytes from {@code in} (position to limit), emitting events to {@code sink} until the
     * input is exhausted or the sink asks to pause.
     *
     * @throws ProtocolException the stream is broken; the decoder is now {@link State#BAD_FRAME}
     */
    public void decode(ByteBuffer in, FrameSink sink) throws ProtocolException {
        if (state == State.BAD_FRAME) {
            throw failure;
        }
        try {
            decodeLoop(in, sink);
        } catch (ProtocolException e) {
            state = State.BAD_FRAME;
            failure = e;
            headerScratch = null;
            throw e;
        }
    }

    /** Runs the states in turn until one has to wait for more input or the sink asks to pause. */
    private void decodeLoop(ByteBuffer in, FrameSink sink) throws ProtocolException {
        boolean more;
        do {
            more = switch (state) {
                case READ_PREAMBLE -> readPreamble(in);
                case READ_LEN -> readLength(in);
                case READ_HEADER -> readHeader(in, sink);
                case READ_BODY -> readBody(in, sink);
                case BAD_FRAME -> throw failure;
            };
        } while (more);
    }

    // Each step below returns whether the loop goes on: false when the input is exhausted or the
    // sink asked to pause.

    /** One byte of the peer's preamble, checked as it comes. */
    private boolean readPreamble(ByteBuffer in) throws ProtocolException {
        if (!in.hasRemaining()) {
            return false;
        }
        int p = in.position();
        byte b = in.get(p);
        if (!Preamble.matches(preambleIndex, b)) {
            throw Preamble.mismatch(preambleIndex, in);
        }
        in.position(p + 1);
        if (++preambleIndex == Preamble.LENGTH) {
            state = State.READ_LEN;
        }
        return true;
    }

    /** The 4-byte big-endian header length, whole when it is all there, else a byte at a time. */
    private boolean readLength(ByteBuffer in) throws ProtocolException {
        if (!in.hasRemaining()) {
            return false;
        }
        if (lenBytesRead == 0 && in.remaining() >= LENGTH_PREFIX_BYTES) {
            // explicit big-endian: the caller's buffer may have any ByteOrder
            int p = in.position();
            lenAccumulator = (in.get(p) & 0xFFL) << 24 | (in.get(p + 1) & 0xFFL) << 16
                    | (in.get(p + 2) & 0xFFL) << 8 | (in.get(p + 3) & 0xFFL);
            in.position(p + LENGTH_PREFIX_BYTES);
            lenBytesRead = LENGTH_PREFIX_BYTES;
        } else {
            lenAccumulator = (lenAccumulator << 8) | (in.get() & 0xFF);
            lenBytesRead++;
        }
        if (lenBytesRead == LENGTH_PREFIX_BYTES) {
            long len = lenAccumulator;
            lenBytesRead = 0;
            lenAccumulator = 0;
            if (len > limits.maxHeaderBytes()) {
                throw new ProtocolException("header length " + len + " exceeds limit " + limits.maxHeaderBytes());
            }
            if (len < 2) {
                throw new ProtocolException("header length " + len + " is too short for a JSON object");
            }
            headerLength = (int) len;
            state = State.READ_HEADER;
        }
        return true;
    }

    /** The JSON header: parsed in place when it is all in {@code in}, else gathered in scratch first. */
    private boolean readHeader(ByteBuffer in, FrameSink sink) throws ProtocolException {
        Header header;
        if (headerScratch == null && in.remaining() >= headerLength) {
            int from = in.position();
            header = parseHeader(in, from, from + headerLength);
            in.position(from + headerLength);
        } else {
            if (!in.hasRemaining()) {
                return false;
            }
            // here every byte of `in` belongs to this header (else it would be parsed in place)
            if (headerScratch == null) {
                headerScratch = ByteBuffer.allocate(Math.min(headerLength, Math.max(INITIAL_SCRATCH_BYTES, in.remaining())));
            }
            int n = Math.min(headerLength - headerScratch.position(), in.remaining());
            if (headerScratch.remaining() < n) {
                int grown = (int) Math.min(headerLength,
                        Math.max(2L * headerScratch.capacity(), (long) headerScratch.position() + n));
                headerScratch = ByteBuffer.allocate(grown).put(headerScratch.flip());
            }
            int oldLimit = in.limit();
            in.limit(in.position() + n);
            headerScratch.put(in);
            in.limit(oldLimit);
            if (headerScratch.position() < headerLength) {
                return false;
            }
            header = parseHeader(headerScratch, 0, headerLength);
            headerScratch = null;
        }
        bodyRemaining = header.size();
        state = State.READ_BODY;
        return sink.onHeader(header);
    }

    /** Body bytes, handed to the sink as slices of {@code in}; the frame's end once none are left. */
    private boolean readBody(ByteBuffer in, FrameSink sink) throws ProtocolException {
        if (bodyRemaining == 0) {
            state = State.READ_LEN;
            framesDecoded++;
            return sink.onFrameEnd();
        }
        if (!in.hasRemaining()) {
            return false;
        }
        int start = in.position();
        int n = (int) Math.min(bodyRemaining, in.remaining());
        int oldLimit = in.limit();
        in.limit(start + n);
        bodyRemaining -= n;
        boolean go;
        try {
            go = sink.onBody(in);
        } finally {
            in.limit(oldLimit);
            in.position(start + n);
        }
        return go;
    }

    private Header parseHeader(ByteBuffer buf, int from, int to) throws ProtocolException {
        Header header = new Header();
        json.parseObjectInto(buf, from, to, header);
        Object size = header.get(Header.SIZE);
        if (size != null) {
            if (!(size instanceof Long) || (Long) size < 0) {
                throw new ProtocolException("size must be a non-negative integer, got " + Json.write(size));
            }
            if ((Long) size > limits.maxBodyBytes()) {
                throw new ProtocolException("body size " + size + " exceeds limit " + limits.maxBodyBytes());
            }
        }
        return header;
    }
}

package ferry.reactor;

import ferry.protocol.ErrorCode;
import java.nio.ByteBuffer;

/**
 * Receives a request body as it streams in. Called on the event loop thread; must not block.
 * To slow the sender (say, while a worker writes to disk), call {@link Call#pauseReading()} and
 * later {@link Call#resumeReading()}.
 */
public interface BodySink {
    /** A chunk of the body in [position, limit); valid only during the call: copy what you keep. */
    void onData(ByteBuffer chunk) throws Exception;

    /** The whole body has arrived. */
    void onEnd() throws Exception;

    /**
     * Optional: a buffer (direct, for socket I/O) the connection may read the next body bytes
     * straight into, between its position and limit, sparing the copy out of the loop's shared
     * read buffer; null (the default) to receive them through {@link #onData}. A sink that
     * returns a buffer is told how much arrived in it through {@link #onDataRead}; the connection
     * never reads past the body's end into it. Loop thread.
     */
    default ByteBuffer readBuffer() throws Exception {
        return null;
    }

    /**
     * {@code n} body bytes were read into the buffer {@link #readBuffer} returned (its position
     * moved past them). Loop thread.
     */
    default void onDataRead(int n) throws Exception {
        throw new IllegalStateException("onDataRead without a readBuffer");
    }

    /** A sink that drops the body. */
    BodySink DISCARD = new BodySink() {
        @Override
        public void onData(ByteBuffer chunk) {}

        @Override
        public void onEnd() {}
    };

    /** What {@link #collect} hands the whole body to. */
    @FunctionalInterface
    interface WholeBody {
        void onBody(ByteBuffer body) throws Exception;
    }

    /**
     * Collects a small body into one heap buffer and hands it over at the end. The body's size is
     * checked against {@code maxBytes} before any of it is buffered.
     */
    static BodySink collect(Call call, long maxBytes, WholeBody then) throws OpException {
        long size = call.request().size();
        if (size > maxBytes) {
            throw new OpException(ErrorCode.TOO_LARGE,
                    "body of " + size + " bytes exceeds limit " + maxBytes + " for " + call.op());
        }
        ByteBuffer body = ByteBuffer.allocate((int) size);
        return new BodySink() {
            @Override
            public void onData(ByteBuffer chunk) {
                body.put(chunk);
            }

            @Override
            public void onEnd() throws Exception {
                then.onBody(body.flip());
            }
        };
    }
}

package ferry.services.file;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One upload's body bytes on their way from the connection to its {@link UploadWriter}: the
 * pooled buffer being filled (the connection reads straight into it), and the full buffers that
 * came before the temp was open and the writer existed.
 *
 * <p>Threading contract: the upload's loop thread.
 */
final class UploadIntake {
    private final UploadBufferPool pool;
    private final long offset;
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>(); // full buffers that came before the writer
    private ByteBuffer filling;
    private UploadWriter writer; // set once the temp is open
    private long received;       // body bytes taken into buffers

    /** @param offset file position of the body's first byte (a resumed upload's is not 0) */
    UploadIntake(UploadBufferPool pool, long offset) {
        this.pool = pool;
        this.offset = offset;
    }

    /** Full buffers go to {@code w} from now on; those that came early wait for {@link #writeEarly()}. */
    void writer(UploadWriter w) {
        writer = w;
    }

    /** Body bytes taken so far. */
    long received() {
        return received;
    }

    /** Bytes on disk so far: a prefix of what was received. */
    long written() {
        return writer != null ? writer.written() : 0;
    }

    /** Buffers this upload holds: filling, early, and those the writer has not given back. */
    int buffersHeld() {
        return early.size() + (writer != null ? writer.buffersHeld() : 0) + (filling != null ? 1 : 0);
    }

    /** Copies {@code chunk} in (bytes that came with the header, or a sink that cannot read in place). */
    void take(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            if (filling == null) {
                filling = newBuffer();
            }
            int n = Math.min(filling.remaining(), chunk.remaining());
            int lim = chunk.limit();
            chunk.limit(chunk.position() + n);
            filling.put(chunk);
            chunk.limit(lim);
            received += n;
            if (!filling.hasRemaining()) {
                queue(filling.flip());
                filling = null;
            }
        }
    }

    /** Where the connection reads the next body bytes. */
    ByteBuffer readBuffer() {
        if (filling == null) {
            filling = newBuffer();
        }
        return filling;
    }

    /** The connection read {@code n} bytes into {@link #readBuffer()}. */
    void read(int n) {
        received += n;
        if (!filling.hasRemaining()) {
            queue(filling.flip());
            filling = null;
        }
    }

    /** No more body: what was received is a valid prefix; the part-filled buffer goes to be written. */
    void endOfBody() {
        if (filling != null) {
            if (filling.position() > 0) {
                queue(filling.flip());
            } else {
                pool.release(filling);
            }
            filling = null;
        }
    }

    /** Hands the writer what arrived while the temp was being opened. */
    void writeEarly() {
        if (writer == null) {
            return;
        }
        ByteBuffer b;
        while ((b = early.poll()) != null) {
            writer.add(b);
        }
    }

    /** The upload failed: every buffer goes back (the writer's once its jobs return). */
    void release() {
        if (filling != null) {
            pool.release(filling);
            filling = null;
        }
        ByteBuffer b;
        while ((b = early.poll()) != null) {
            pool.release(b);
        }
        if (writer != null) {
            writer.abort();
        }
    }

    /**
     * A pooled buffer for the next body bytes. If the upload resumed at an offset that is not on a
     * block boundary, the buffer is cut short so that the next one starts on a boundary (where
     * direct writes can take over).
     */
    private ByteBuffer newBuffer() {
        ByteBuffer b = pool.acquire();
        int misaligned = (int) ((offset + received) % UploadBufferPool.ALIGNMENT_BYTES);
        if (misaligned != 0 && b.capacity() > UploadBufferPool.ALIGNMENT_BYTES) {
            b.limit(b.capacity() - misaligned);
        }
        return b;
    }

    private void queue(ByteBuffer full) {
        if (writer != null) {
            writer.add(full);
        } else {
            early.add(full);
        }
    }
}

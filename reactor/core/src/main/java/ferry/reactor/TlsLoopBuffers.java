package ferry.reactor;

import ferry.protocol.BufferPool;
import ferry.protocol.tls.TlsEngine;

/**
 * The record buffers of one loop's TLS connections: small ones for input, four-record ones for
 * output (bulk data leaves in ~64 KiB writes). Bounded: at most {@code maxPooled} free buffers
 * each; a connection holds at most two input and one output buffer, and none while idle.
 *
 * <p>Threading: used by that loop's thread only.
 */
public record TlsLoopBuffers(BufferPool in, BufferPool out) {
    /** Pools keeping at most {@code maxPooled} free buffers each. */
    public static TlsLoopBuffers create(int maxPooled) {
        return new TlsLoopBuffers(BufferPool.heap(TlsEngine.RECORD_BUFFER_BYTES, maxPooled),
                BufferPool.heap(TlsEngine.BATCH_BUFFER_BYTES, maxPooled));
    }
}

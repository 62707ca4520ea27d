package ferry.services.exec;

import ferry.reactor.BodySink;
import ferry.reactor.Call;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams an {@code EXEC} request body into the command's stdin.
 *
 * <p>The loop side ({@link #onData}, {@link #onEnd}, {@link #close}) copies body chunks into
 * recycled buffers and queues them; above {@code highWater} queued bytes it stops reading the
 * connection ({@link Call#pauseReading()}), so a command that does not read its stdin slows the
 * client through TCP instead of the server buffering the body. The worker side ({@link #pump})
 * writes queued buffers to the process, blocking on the pipe as needed, and asks the loop to
 * resume reading once the queue is down to {@code lowWater}.
 *
 * <p>When the process stops taking input (it exited or closed stdin: the write fails), the rest of
 * the body is dropped as it arrives, so the connection keeps flowing.
 *
 * <p>Threading: {@code onData}/{@code onEnd}/{@code close} on the loop; {@code pump} on one
 * exec thread.
 */
final class StdinFeeder implements BodySink {
    /** Marks the end of the body: close the process's stdin. */
    private static final ByteBuffer EOF = ByteBuffer.allocate(0);
    /** The run ended: stop whatever is left. */
    private static final ByteBuffer STOP = ByteBuffer.allocate(0);

    private final Call call;
    private final ExecStats stats;
    private final int chunkBytes;
    private final long highWater;
    private final long lowWater;
    private final LinkedBlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean discarding;
    private volatile boolean paused; // written on the loop, read by the pump
    private boolean closed; // loop

    StdinFeeder(Call call, ExecStats stats, int chunkBytes, long highWater, long lowWater) {
        this.call = call;
        this.stats = stats;
        this.chunkBytes = chunkBytes;
        this.highWater = highWater;
        this.lowWater = lowWater;
    }

    // ---- loop side ----------------------------------------------------------------------------

    @Override
    public void onData(ByteBuffer chunk) {
        if (discarding || closed) {
            chunk.position(chunk.limit());
            return;
        }
        while (chunk.hasRemaining()) {
            ByteBuffer b = free.poll();
            if (b == null) {
                b = ByteBuffer.allocate(chunkBytes);
            }
            b.clear();
            int n = Math.min(b.remaining(), chunk.remaining());
            int lim = chunk.limit();
            chunk.limit(chunk.position() + n);
            b.put(chunk).flip();
            chunk.limit(lim);
            stats.stdinQueued(queued.addAndGet(n));
            queue.add(b);
        }
        if (!paused && queued.get() > highWater) {
            paused = true;
            stats.stdinPaused(1);
            call.pauseReading();
            maybeResume(); // the pump may have drained everything before it saw the flag
        }
    }

    @Override
    public void onEnd() {
        if (!closed) {
            queue.add(EOF);
        }
    }

    /** The run ended: drop what is queued and never hold the connection paused. Loop thread. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        discarding = true;
        queue.add(STOP);
        if (paused) {
            paused = false;
            stats.stdinPaused(-1);
            call.resumeReading();
        }
    }

    /** Loop thread: resumes reading once the pump took the queue down to low water. */
    private void maybeResume() {
        if (paused && !closed && queued.get() <= lowWater) {
            paused = false;
            stats.stdinPaused(-1);
            call.resumeReading();
        }
    }

    // ---- worker side ---------------------------------------------------------------------------

    /** Writes the body to {@code stdin} until its end (then closes stdin) or the run stops. Blocks. */
    void pump(OutputStream stdin) {
        try {
            while (true) {
                ByteBuffer b = queue.take();
                if (b == EOF || b == STOP) {
                    return;
                }
                int n = b.remaining();
                if (!discarding) {
                    try {
                        stdin.write(b.array(), b.arrayOffset() + b.position(), n);
                        stdin.flush();
                    } catch (IOException e) {
                        discarding = true; // the process closed stdin or exited: drop the rest
                    }
                }
                free.add(b);
                if (queued.addAndGet(-n) <= lowWater && paused) {
                    call.loop().execute(this::maybeResume);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the process is gone already
            }
        }
    }
}

package ferry.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;

/**
 * Flushes a file that is being written to disk in the background (fdatasync on a thread of its
 * own every so many bytes), so the disk writes while the network delivers and the final fsync
 * before the rename has little left to do, instead of all of it.
 *
 * <p>Threading contract: {@link #written} and {@link #close} on the writing thread; the flushes
 * run on the helper thread. Flush errors are kept and thrown by {@link #close}.
 */
final class WriteBehind implements AutoCloseable {
    private final FileChannel file;
    private final long every;
    private long requestedAt;
    private Thread thread;
    private boolean requested; // guarded by this
    private boolean closed;    // guarded by this
    private IOException error; // guarded by this

    WriteBehind(FileChannel file, long everyBytes) {
        this.file = file;
        this.every = everyBytes;
    }

    /** The file now holds {@code position} bytes; flushes in the background every {@code every}. */
    void written(long position) {
        if (every <= 0 || position - requestedAt < every) {
            return;
        }
        requestedAt = position;
        synchronized (this) {
            requested = true;
            notifyAll();
        }
        if (thread == null) {
            thread = new Thread(this::run, "ferry-write-behind");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!requested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!requested) {
                    return;
                }
                requested = false;
            }
            try {
                file.force(false);
            } catch (IOException e) {
                synchronized (this) {
                    error = e;
                }
            }
        }
    }

    /** Stops the helper after its current flush; throws a flush error, if one happened. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            requested = false;
            notifyAll();
        }
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a background flush");
            }
        }
        synchronized (this) {
            if (error != null) {
                throw error;
            }
        }
    }
}

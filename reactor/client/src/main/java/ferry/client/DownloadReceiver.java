package ferry.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * Where a download's body goes: writes each chunk at its offset in the local file, feeds the
 * digest, tells the write-behind flusher how far the file is written, and reports progress at
 * most once per interval.
 *
 * <p>Threading: the downloading thread only, like the {@link FileClient} call that made it.
 */
final class DownloadReceiver implements FerryClient.ChunkConsumer {
    final FileChannel out;
    final MessageDigest md;
    final long total;
    final long start;
    final long startNanos = System.nanoTime();
    final long intervalNanos;
    final TransferProgress progress;
    WriteBehind flusher;
    long pos;
    long lastReport;

    /** @param intervalNanos least time between two progress reports but the last */
    DownloadReceiver(FileChannel out, long pos, MessageDigest md, long total, TransferProgress progress,
            long intervalNanos) {
        this.out = out;
        this.pos = pos;
        this.start = pos;
        this.md = md;
        this.total = total;
        this.progress = progress;
        this.lastReport = startNanos;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public void accept(ByteBuffer chunk) throws IOException {
        if (md != null) {
            md.update(chunk.duplicate());
        }
        while (chunk.hasRemaining()) {
            pos += out.write(chunk, pos);
        }
        flusher.written(pos);
        report(false);
    }

    void report(boolean last) throws IOException {
        long now = System.nanoTime();
        if (!last && now - lastReport < intervalNanos) {
            return;
        }
        lastReport = now;
        long dt = now - startNanos;
        progress.onProgress(pos, total, dt <= 0 ? 0 : (pos - start) * 1e9 / dt);
    }
}

package ferry.services.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Brings a range of a file into the page cache on a worker, so the event loop's
 * {@code transferTo} of that range finds it in memory instead of waiting on the disk (the idea of
 * nginx's {@code aio threads}).
 *
 * <p>How: {@code transferTo} from the file to {@code /dev/null}. On Linux that is a
 * sendfile/splice whose reading side pulls the pages into the cache (with the kernel's own
 * read-ahead) and whose writing side discards them without copying: measured here, a cached
 * 2 GiB file costs about 45 ms to "warm" this way against about 1 s for {@code pread} into a
 * buffer, and a cold one is read from the disk and left resident. Where {@code /dev/null} cannot
 * be opened or does not take a transfer, it falls back to positional reads into a per-thread
 * buffer.
 *
 * <p>A range already cached is not walked at all: one byte every {@link #PROBE_STRIDE_BYTES} is
 * probed first, and only a probe that had to wait for the disk leads to the full warm. Warming
 * cached windows byte by byte cost 12-17% of the server's CPU during a GET (perf: a second
 * page-cache walk beside the send's own) and slowed cached downloads; a cold file still gets
 * warmed window by window (docs/BENCHMARKS.md, "Files").
 *
 * <p>Thread safety: safe from several workers at once (FileChannel is thread-safe); worker
 * threads only.
 */
final class PageCacheWarmer implements Closeable {
    /** Fallback read size. */
    static final int FALLBACK_READ_BYTES = 256 * 1024;
    /** Before warming a range, one byte every this many is read to see whether it is cached already. */
    static final long PROBE_STRIDE_BYTES = 256 * 1024;
    /** A probe that takes longer than this (on average) waited for the disk: the range gets warmed. */
    static final long PROBE_CACHED_NANOS = 50_000;

    private final FileChannel devNull; // null: use the fallback
    private final ThreadLocal<ByteBuffer> scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(FALLBACK_READ_BYTES));

    public PageCacheWarmer() {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not a Unix system: read into a buffer instead
        }
        this.devNull = ch;
    }

    /**
     * Warms bytes [position, position+count) of {@code file}. Stops early without error at the
     * file's end (a file that shrank is the sender's to report). Worker thread.
     */
    public void warm(FileChannel file, long position, long count) throws IOException {
        long pos = position;
        long end = position + count;
        if (devNull != null) {
            try {
                if (cached(file, position, end)) {
                    return;
                }
                while (pos < end) {
                    long n = file.transferTo(pos, end - pos, devNull);
                    if (n <= 0) {
                        return; // end of file
                    }
                    pos += n;
                }
                return;
            } catch (UnsupportedOperationException e) {
                // fall through to reading
            }
        }
        ByteBuffer buf = scratch.get();
        while (pos < end) {
            buf.clear();
            if (buf.remaining() > end - pos) {
                buf.limit((int) (end - pos));
            }
            int n = file.read(buf, pos);
            if (n <= 0) {
                return;
            }
            pos += n;
        }
    }

    /**
     * Probes [from, end): one byte per {@link #PROBE_STRIDE_BYTES} through {@code /dev/null}. All
     * quick means the range is (almost certainly) in the page cache, and warming it byte by byte
     * would only walk the cache a second time, beside the send. A slow probe is a read from the
     * disk: the caller warms the whole range.
     */
    private boolean cached(FileChannel file, long from, long end) throws IOException {
        long t0 = System.nanoTime();
        long probes = 0;
        long p = from;
        while (p < end) {
            if (file.transferTo(p, 1, devNull) <= 0) {
                return true; // end of file: nothing further to warm
            }
            probes++;
            if (System.nanoTime() - t0 > probes * PROBE_CACHED_NANOS) {
                return false;
            }
            if (p == end - 1) {
                break;
            }
            p = Math.min(p + PROBE_STRIDE_BYTES, end - 1); // ... and the last byte
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        if (devNull != null) {
            devNull.close();
        }
    }
}

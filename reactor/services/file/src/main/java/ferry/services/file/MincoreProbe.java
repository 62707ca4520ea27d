package ferry.services.file;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * {@link PageCacheProbe#MINCORE}: maps a chunk of the file (address space only: nothing is read
 * or faulted in) and asks {@code mincore(2)} about one page every {@link #SAMPLE_STRIDE_BYTES} of
 * a window and its last page. All resident means cached. It is a sample, like the warmer's own
 * probe: a window with a few evicted pages between the samples may still be read from the disk
 * by the send (those pages, not the window); a file read cold from the start is cold at every
 * sample.
 *
 * <p>Why sampled: {@code mincore} over every page of a 4 MiB window measured 100-300 µs here
 * (a page-cache lookup per page); each sample costs 4-9 µs (JNI, a {@code malloc}, the system
 * call; load average ~20), so a 4 MiB window gets 5 of them from a mapping kept for the download
 * (mapping per window would add the {@code mmap}/{@code munmap} each time). A session keeps one
 * mapping of up to {@link #CHUNK_BYTES} and unmaps it when the window leaves it or the download
 * ends; any failure (a file that shrank, a mapping refused) answers false, leaving the window to
 * the warmer.
 *
 * <p>Thread safety: the probe is stateless; a session is used by one loop thread.
 */
final class MincoreProbe implements PageCacheProbe {
    /** One sampled page every this many bytes of a window (5 samples for a 4 MiB window). */
    static final int SAMPLE_STRIDE_BYTES = 1024 * 1024;
    /** Largest mapping a session holds (address space, not memory). */
    static final long CHUNK_BYTES = 1L << 30;
    private static final int PAGE_BYTES = 4096;

    /** {@code sun.misc.Unsafe.invokeCleaner}: unmaps now instead of whenever the GC finds the buffer. */
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // jdk.unsupported missing: mappings are unmapped by the GC instead
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = clean;
    }

    @Override
    public boolean isCached(FileChannel file, long position, long length) {
        try (Session s = open(file)) {
            return s.isCached(position, length);
        }
    }

    @Override
    public Session open(FileChannel file) {
        return new MappedSession(file);
    }

    private static final class MappedSession implements Session {
        private final FileChannel file;
        private MappedByteBuffer chunk;
        private long chunkStart;

        MappedSession(FileChannel file) {
            this.file = file;
        }

        @Override
        public boolean isCached(long position, long length) {
            if (length <= 0) {
                return true;
            }
            if (length > CHUNK_BYTES || !covers(position, length) && !map(position, length)) {
                return false;
            }
            try {
                int off = (int) (position - chunkStart);
                int last = off + (int) (length - 1);
                for (long p = off; p <= last; p += SAMPLE_STRIDE_BYTES) {
                    if (!resident((int) p)) {
                        return false;
                    }
                }
                return resident(last);
            } catch (RuntimeException e) {
                return false;
            }
        }

        private boolean resident(int offset) {
            int page = offset - offset % PAGE_BYTES;
            return chunk.slice(page, Math.min(PAGE_BYTES, chunk.capacity() - page)).isLoaded();
        }

        private boolean covers(long position, long length) {
            return chunk != null && position >= chunkStart && position + length <= chunkStart + chunk.capacity();
        }

        /** Maps [position, ...) up to a chunk or the file's end; false if it cannot. */
        private boolean map(long position, long length) {
            close();
            try {
                long size = Math.min(CHUNK_BYTES, Math.max(length, file.size() - position));
                chunk = file.map(FileChannel.MapMode.READ_ONLY, position, size);
                chunkStart = position;
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void close() {
            MappedByteBuffer m = chunk;
            chunk = null;
            if (m != null && INVOKE_CLEANER != null) {
                try {
                    INVOKE_CLEANER.invoke(UNSAFE, m);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // left to the GC
                }
            }
        }
    }
}

package ferry.services.file;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Says whether a range of a file is in the page cache already, so a GET sends it without a
 * read-ahead job: warming a cached window only cost a worker hand-off per window and a second
 * walk of the cache (measured: the default read-ahead was slower than none on cached files).
 *
 * <p>Threading contract: called on the event loop, so it must never wait for the disk.
 */
@FunctionalInterface
public interface PageCacheProbe {
    /** Whether every page of [position, position+length) of {@code file} is resident now. */
    boolean isCached(FileChannel file, long position, long length);

    /** Always "not known to be cached": every window is warmed on a worker, as before this probe. */
    PageCacheProbe NEVER = (file, position, length) -> false;

    /**
     * Asks the kernel ({@code mincore(2)} through {@link MappedByteBuffer#isLoaded}): maps the
     * range, checks residency without touching a page (so no read and no fault), unmaps it at
     * once. Three system calls per window; any failure (a file that shrank, a mapping refused)
     * answers false, leaving the window to the warmer.
     */
    PageCacheProbe MINCORE = Mincore::isCached;

    /** The mapping and unmapping behind {@link #MINCORE}. */
    final class Mincore {
        /** {@code sun.misc.Unsafe.invokeCleaner}: unmaps now instead of when the GC finds the buffer. */
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

        private Mincore() {}

        static boolean isCached(FileChannel file, long position, long length) {
            if (length <= 0) {
                return true;
            }
            if (length > Integer.MAX_VALUE) {
                return false;
            }
            MappedByteBuffer m;
            try {
                m = file.map(FileChannel.MapMode.READ_ONLY, position, length);
            } catch (IOException | RuntimeException e) {
                return false;
            }
            try {
                return m.isLoaded();
            } finally {
                unmap(m);
            }
        }

        private static void unmap(MappedByteBuffer m) {
            if (INVOKE_CLEANER != null) {
                try {
                    INVOKE_CLEANER.invoke(UNSAFE, m);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // left to the GC
                }
            }
        }
    }
}

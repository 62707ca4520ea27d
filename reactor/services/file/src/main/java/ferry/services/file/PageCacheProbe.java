package ferry.services.file;

import java.nio.channels.FileChannel;

/**
 * Says whether a range of a file is in the page cache already, so a GET sends it without a
 * read-ahead job: warming a cached window only cost a worker hand-off per window and a second
 * walk of the cache (measured: the default read-ahead was slower than none on cached files).
 *
 * <p>Threading contract: called on the event loop, so it must never wait for the disk. A
 * {@link Session} belongs to one download on one loop.
 */
@FunctionalInterface
public interface PageCacheProbe {
    /** Whether [position, position+length) of {@code file} is resident now (as far as it can tell cheaply). */
    boolean isCached(FileChannel file, long position, long length);

    /** The probe for one download of {@code file}; the default asks {@link #isCached} each time. */
    default Session open(FileChannel file) {
        return new Session() {
            @Override
            public boolean isCached(long position, long length) {
                return PageCacheProbe.this.isCached(file, position, length);
            }

            @Override
            public void close() {}
        };
    }

    /** One download's questions; closed when the download ends. */
    interface Session extends AutoCloseable {
        boolean isCached(long position, long length);

        @Override
        void close();
    }

    /** Always "not known to be cached": every window is warmed on a worker. */
    PageCacheProbe NEVER = (file, position, length) -> false;

    /**
     * Asks the kernel ({@code mincore(2)}, through {@link java.nio.MappedByteBuffer#isLoaded}) about
     * sample pages of the range, without touching any (no read, no fault): see {@link MincoreProbe}.
     */
    PageCacheProbe MINCORE = new MincoreProbe();
}

package ferry.services.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens files like the default opener and counts the channels the service opens and closes, so a
 * test can prove none is left open. Counting, not file descriptors: a FileChannel nobody closed is
 * closed by its cleaner once the GC finds it unreachable, which would hide the leak from
 * {@code /proc/self/fd}.
 */
final class TrackingOpener implements FileOpener {
    final AtomicLong opened = new AtomicLong();
    final AtomicLong closed = new AtomicLong();
    /** transferTo calls into another file: the page-cache warmer's reads (probes included). */
    final AtomicLong warmTransfers = new AtomicLong();

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return track(FileChannel.open(path, options));
    }

    /** Through the folder handle, as the default opener does: the test exercises the service's real open. */
    @Override
    public FileChannel openIn(SecureDirectoryStream<Path> folder, Path name, Path path, Set<? extends OpenOption> options)
            throws IOException {
        return track(FileOpener.DEFAULT.openIn(folder, name, path, options));
    }

    private FileChannel track(FileChannel real) {
        opened.incrementAndGet();
        return new Tracked(real);
    }

    long open() {
        return opened.get() - closed.get();
    }

    /** Everything goes to the real channel (transferTo too, so sendfile still happens); close is counted. */
    private final class Tracked extends FileChannel {
        private final FileChannel real;

        Tracked(FileChannel real) {
            this.real = real;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            if (target instanceof FileChannel) {
                warmTransfers.incrementAndGet(); // only the read-ahead transfers to a file (/dev/null)
            }
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            closed.incrementAndGet();
            real.close();
        }
    }
}

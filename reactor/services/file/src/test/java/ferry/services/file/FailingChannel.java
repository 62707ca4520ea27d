package ferry.services.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A FileChannel that behaves like a disk that fills up: writes past {@code capacity} bytes fail
 * with the JDK's ENOSPC message. Everything else goes to the real channel. It counts the bytes
 * written through it ({@link #bytesWritten}), so a test can also tell which channel took a write.
 */
final class FailingChannel extends FileChannel {
    private final FileChannel real;
    private final long capacity;
    long bytesWritten;

    FailingChannel(FileChannel real, long capacity) {
        this.real = real;
        this.capacity = capacity;
    }

    private void check(long position, int len) throws IOException {
        if (position + len > capacity) {
            throw new IOException("No space left on device");
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        check(position, src.remaining());
        int n = real.write(src, position);
        bytesWritten += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        check(real.position(), src.remaining());
        int n = real.write(src);
        bytesWritten += n;
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
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
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("No space left on device");
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
        real.close();
    }
}

package ferry.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

/** {@link Transport} straight onto a non-blocking socket; file regions go out with sendfile. */
public final class SocketTransport implements Transport {
    private final SocketChannel channel;

    public SocketTransport(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return length == 1 ? channel.write(srcs[offset]) : channel.write(srcs, offset, length);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        return file.transferTo(position, count, channel);
    }

    @Override
    public boolean isZeroCopy() {
        return true;
    }
}

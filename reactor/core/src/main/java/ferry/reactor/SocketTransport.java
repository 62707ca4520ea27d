package ferry.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * {@link Transport} straight onto a non-blocking socket: readiness from the loop's selector, file
 * regions out with sendfile. The only class a connection's bytes pass through that knows the
 * {@link SocketChannel}.
 *
 * <p>Threading: loop thread after {@link #register}; before, the thread that created it.
 */
public final class SocketTransport implements Transport, EventLoop.Selectable {
    private final SocketChannel channel;
    private final InetSocketAddress remote;
    private Listener listener;
    private SelectionKey key;
    private int interestOps = -1; // what the key has; -1 before registration

    /**
     * @param channel a connected, non-blocking socket
     * @throws IOException when the socket is not connected any more
     */
    public SocketTransport(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        if (remote == null) {
            throw new IOException("socket is not connected");
        }
    }

    @Override
    public void register(EventLoop loop, Listener listener, int ops) throws IOException {
        this.listener = listener;
        if (key == null) {
            key = loop.register(channel, ops, this);
            interestOps = ops;
        } else {
            interest(ops);
        }
    }

    @Override
    public void interest(int ops) {
        if (ops != interestOps && key != null && key.isValid()) {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    @Override
    public void onSelected(SelectionKey k) {
        listener.onReady(k.readyOps() & (READ | WRITE));
    }

    @Override
    public void onLoopError(Throwable error) {
        listener.onError(error);
    }

    @Override
    public void rekey(SelectionKey k) {
        key = k;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public boolean hasBufferedInput() {
        return false;
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

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway; nothing to report
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "socket " + remote;
    }
}

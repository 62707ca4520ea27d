package ferry.services.exec;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A bare blocking client with a small receive buffer (set before connecting, so the kernel does
 * not autotune it): a test can stop reading and know the kernel holds little of what the server sent.
 */
final class RawClient implements AutoCloseable {
    static final int SMALL_SOCKET_BUFFER = 16 * 1024;

    private final SocketChannel ch;
    private final FrameDecoder decoder = new FrameDecoder();
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    RawClient(int port) throws IOException {
        ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_SOCKET_BUFFER);
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        ch.write(ByteBuffer.wrap(Preamble.bytes()));
    }

    void send(Header h) throws IOException {
        ByteBuffer b = new FrameEncoder().encode(h);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads frames up to EXIT, handing output body chunks to {@code body}; returns EXIT. */
    Header readUntilExit(Consumer<ByteBuffer> body) throws IOException {
        Header[] exit = new Header[1];
        FrameSink sink = new FrameSink() {
            @Override
            public boolean onHeader(Header header) {
                if ("EXIT".equals(header.op()) || "ERROR".equals(header.op())) {
                    exit[0] = header;
                }
                return true;
            }

            @Override
            public boolean onBody(ByteBuffer chunk) {
                body.accept(chunk);
                chunk.position(chunk.limit());
                return true;
            }

            @Override
            public boolean onFrameEnd() {
                return true;
            }
        };
        while (exit[0] == null) {
            if (ch.read(in) < 0) {
                throw new EOFException("server closed the connection");
            }
            decoder.decode(in.flip(), sink);
            in.compact();
        }
        return exit[0];
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}

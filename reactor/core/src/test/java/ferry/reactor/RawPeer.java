package ferry.reactor;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A test peer on a plain blocking socket: sends arbitrary bytes (valid frames or garbage) and reads
 * frames back, so tests can misbehave in ways the real client never would.
 */
final class RawPeer implements AutoCloseable {
    /** A decoded frame: its header and its whole body. */
    record Frame(Header header, byte[] body) {
        String op() {
            return header.op();
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    private final FrameDecoder decoder = new FrameDecoder(FrameLimits.DEFAULT);
    private final FrameEncoder encoder = new FrameEncoder();
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private Header current;
    private ByteArrayOutputStream body = new ByteArrayOutputStream();

    RawPeer(int port, boolean sendPreamble) throws IOException {
        this(port, sendPreamble, null);
    }

    /** @param local the local address to connect from (e.g. 127.0.0.2), or null for any */
    RawPeer(int port, boolean sendPreamble, InetSocketAddress local) throws IOException {
        socket = new Socket();
        if (local != null) {
            socket.bind(local);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000); // a hang fails the test instead of blocking the build
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        if (sendPreamble) {
            out.write(Preamble.bytes());
        }
    }

    RawPeer(int port) throws IOException {
        this(port, true);
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Bytes of one frame (header + body) without sending them. */
    byte[] frameBytes(Header h, byte[] bodyBytes) {
        if (bodyBytes.length > 0) {
            h.put(Header.SIZE, (long) bodyBytes.length);
        }
        ByteBuffer b = encoder.encode(h);
        byte[] all = new byte[b.remaining() + bodyBytes.length];
        b.get(all, 0, b.remaining());
        System.arraycopy(bodyBytes, 0, all, all.length - bodyBytes.length, bodyBytes.length);
        return all;
    }

    void send(Header h) throws IOException {
        sendRaw(frameBytes(h, new byte[0]));
    }

    void send(Header h, byte[] bodyBytes) throws IOException {
        sendRaw(frameBytes(h, bodyBytes));
    }

    /** The next whole frame from the server; EOFException if it closed first. */
    Frame read() throws IOException {
        byte[] buf = new byte[8192];
        while (frames.isEmpty()) {
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("server closed the connection");
            }
            decoder.decode(ByteBuffer.wrap(buf, 0, n), sink);
        }
        return frames.pollFirst();
    }

    /** True when the server closed the connection (reads EOF or reset) after any pending frames. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (EOFException e) {
            return true;
        } catch (java.net.SocketException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    private final FrameSink sink = new FrameSink() {
        @Override
        public boolean onHeader(Header h) {
            current = h;
            body = new ByteArrayOutputStream();
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            body.write(b, 0, b.length);
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            frames.addLast(new Frame(current, body.toByteArray()));
            return true;
        }
    };

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

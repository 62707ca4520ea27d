package ferry.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.JsonReader;
import ferry.protocol.ProtocolException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The one raw test peer: a blocking socket that sends whatever the test says (valid frames,
 * garbage, half a header) and reads frames back, so tests can misbehave in ways the real client
 * never would.
 *
 * <p>Reading follows docs/PROTOCOL.md by hand: the server's 8-byte preamble (section 1, checked
 * on the first read), then frames of a {@code u32} length, the header's JSON text and
 * {@code size} body bytes (section 2). Headers are parsed with the protocol module's strict JSON
 * reader. Writing comes in two kinds: the {@code String} methods send the header text exactly as
 * the test wrote it, and are all the conformance tests use, so they see the server the way a
 * client in another language does; the {@link Header} methods use Ferry's encoder, for tests of
 * the server rather than of the specification.
 *
 * <p>Thread safety: one thread at a time, except that {@link #close} may come from another thread
 * to end a blocked write.
 */
public final class RawPeer implements AutoCloseable {
    /** Both sides' preamble, spelled out from PROTOCOL.md section 1 rather than taken from the code. */
    public static final byte[] PREAMBLE = {'F', 'E', 'R', 'R', 'Y', 0, 1, 0};
    /** A hang fails the test instead of blocking the build. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Body bytes handed to a streaming consumer at a time. */
    private static final int STREAM_CHUNK_BYTES = 64 * 1024;

    /** One frame from the server: its header and its whole body. */
    public record Frame(Header header, byte[] body) {
        public String op() {
            return header.op();
        }

        /** The {@code code} of an ERROR frame. */
        public String code() {
            return header.getString("code", null);
        }

        public Object get(String field) {
            return header.get(field);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public final Socket socket;
    /** The raw input, for tests that read bytes themselves (the server's preamble comes first). */
    public final DataInputStream in;
    public final OutputStream out;
    private final FrameEncoder encoder = new FrameEncoder();
    private final JsonReader json = new JsonReader(Json.DEFAULT_MAX_DEPTH);
    private boolean preambleRead;

    /** Connects from any local address and sends the client preamble. */
    public RawPeer(int port) throws IOException {
        this(port, true);
    }

    public RawPeer(int port, boolean sendPreamble) throws IOException {
        this(port, sendPreamble, null);
    }

    /** @param local the local address to connect from (e.g. 127.0.0.2), or null for any */
    public RawPeer(int port, boolean sendPreamble, InetSocketAddress local) throws IOException {
        this(port, sendPreamble, local, 0);
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer, set before connecting so the kernel
     *     does not autotune it (a peer that stops reading then holds little); 0 for the default
     */
    private RawPeer(int port, boolean sendPreamble, InetSocketAddress local, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        if (local != null) {
            socket.bind(local);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (sendPreamble) {
            sendRaw(PREAMBLE);
        }
    }

    /** Sends the preamble after setting a small receive buffer (see the constructor). */
    public static RawPeer withReceiveBuffer(int port, int receiveBufferBytes) throws IOException {
        return new RawPeer(port, true, null, receiveBufferBytes);
    }

    /** Connects, sends the client preamble and checks the server's (section 1). */
    public static RawPeer connect(int port) throws IOException {
        RawPeer p = connectWithoutPreamble(port);
        p.sendRaw(PREAMBLE);
        return p;
    }

    /**
     * Connects and checks the server's preamble, which it sends without waiting (section 1), but
     * sends nothing: the test chooses its own first bytes.
     */
    public static RawPeer connectWithoutPreamble(int port) throws IOException {
        RawPeer p = new RawPeer(port, false);
        p.readPreamble();
        return p;
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    // ---- frames written by hand --------------------------------------------------------------

    /** The bytes of one frame: {@code headerJson} as UTF-8 behind its u32 length, then {@code body}. */
    public static byte[] frame(String headerJson, byte[] body) {
        return frame(headerJson.getBytes(StandardCharsets.UTF_8), body);
    }

    public static byte[] frame(byte[] header, byte[] body) {
        return ByteBuffer.allocate(4 + header.length + body.length)
                .putInt(header.length).put(header).put(body).array();
    }

    /** Sends a frame without a body; the header is sent byte for byte as written. */
    public void send(String headerJson) throws IOException {
        sendRaw(frame(headerJson, new byte[0]));
    }

    public void send(String headerJson, byte[] body) throws IOException {
        sendRaw(frame(headerJson, body));
    }

    /** Sends a request and reads the one frame that answers it. */
    public Frame call(String headerJson) throws IOException {
        send(headerJson);
        return read();
    }

    public Frame call(String headerJson, byte[] body) throws IOException {
        send(headerJson, body);
        return read();
    }

    // ---- frames from Ferry's encoder ---------------------------------------------------------

    /** Bytes of one frame (header + body) without sending them; sets the header's size. */
    public byte[] frameBytes(Header h, byte[] body) {
        if (body.length > 0) {
            h.put(Header.SIZE, (long) body.length);
        }
        ByteBuffer b = encoder.encode(h);
        byte[] all = new byte[b.remaining() + body.length];
        b.get(all, 0, b.remaining());
        System.arraycopy(body, 0, all, all.length - body.length, body.length);
        return all;
    }

    public void send(Header h) throws IOException {
        sendRaw(frameBytes(h, new byte[0]));
    }

    public void send(Header h, byte[] body) throws IOException {
        sendRaw(frameBytes(h, body));
    }

    // ---- reading -----------------------------------------------------------------------------

    /** The next whole frame; EOFException if the server closed first. */
    public Frame read() throws IOException {
        Header h = readHeader();
        return new Frame(h, readBytes(Math.toIntExact(h.size())));
    }

    /** The next frame's length and header only: the caller reads its body with {@link #readBytes}. */
    public Header readHeader() throws IOException {
        readPreamble();
        byte[] header = readBytes(in.readInt());
        Header h = new Header();
        try {
            json.parseObjectInto(ByteBuffer.wrap(header), 0, header.length, h);
        } catch (ProtocolException e) {
            throw new AssertionError("the server sent a header that is not strict JSON: "
                    + new String(header, StandardCharsets.UTF_8), e);
        }
        return h;
    }

    public byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /**
     * Reads frames up to EXIT or ERROR, handing every body on the way to {@code body} in chunks
     * without keeping it (exec output may be large); returns that EXIT or ERROR header.
     */
    public Header readUntilExit(Consumer<ByteBuffer> body) throws IOException {
        byte[] chunk = new byte[STREAM_CHUNK_BYTES];
        while (true) {
            Header h = readHeader();
            for (long left = h.size(); left > 0; ) {
                int n = (int) Math.min(left, chunk.length);
                in.readFully(chunk, 0, n);
                body.accept(ByteBuffer.wrap(chunk, 0, n));
                left -= n;
            }
            if ("EXIT".equals(h.op()) || "ERROR".equals(h.op())) {
                return h;
            }
        }
    }

    /** Reads the next frame and checks it is {@code ERROR} with {@code code} (and {@code id}, unless null). */
    public Frame expectError(String code, Long id) throws IOException {
        Frame f = read();
        assertEquals("ERROR", f.op(), () -> "expected ERROR " + code + ", got " + f.header());
        assertEquals(code, f.code(), () -> "error code of " + f.header());
        assertEquals(id, f.get("id"), () -> "id of " + f.header());
        return f;
    }

    /** True when the server closes the connection (EOF or reset) after any frames still in flight. */
    public boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketException e) {
            return String.valueOf(e.getMessage()).contains("reset");
        }
    }

    private void readPreamble() throws IOException {
        if (!preambleRead) {
            byte[] theirs = readBytes(PREAMBLE.length);
            preambleRead = true;
            assertArrayEquals(PREAMBLE, theirs, "the server's preamble");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

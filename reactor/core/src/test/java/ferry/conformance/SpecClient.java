package ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ferry.protocol.Json;
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
import java.util.Map;

/**
 * A Ferry client written from docs/PROTOCOL.md alone: a blocking socket, the preamble of section 1,
 * and frames of section 2 built by hand ({@code u32 length}, the header's JSON text exactly as the
 * test writes it, the body). Nothing of Ferry's client or encoder is used, so the conformance tests
 * see the server the way a client in another language does. Answers are parsed with the protocol
 * module's strict JSON reader (any conforming JSON parser would do).
 */
final class SpecClient implements AutoCloseable {
    static final byte[] PREAMBLE = {'F', 'E', 'R', 'R', 'Y', 0, 1, 0};

    /** One frame from the server: its header as a JSON object, and its body. */
    record Answer(Map<String, Object> header, byte[] body) {
        String op() {
            return (String) header.get("op");
        }

        String code() {
            return (String) header.get("code");
        }

        Object get(String field) {
            return header.get(field);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects, sends the client preamble and checks the server's (section 1). */
    static SpecClient connect(int port) throws IOException {
        SpecClient c = connectWithoutPreamble(port);
        c.sendRaw(PREAMBLE);
        return c;
    }

    /**
     * Connects and checks the server's preamble, which it sends without waiting (section 1), but
     * sends nothing: the test chooses its own first bytes.
     */
    static SpecClient connectWithoutPreamble(int port) throws IOException {
        SpecClient c = new SpecClient(port);
        byte[] theirs = new byte[PREAMBLE.length];
        c.in.readFully(theirs);
        assertArrayEquals(PREAMBLE, theirs, "the server's preamble");
        return c;
    }

    private SpecClient(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000); // a hang fails the test instead of blocking the build
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The bytes of one frame: {@code headerJson} as UTF-8 behind its u32 length, then {@code body}. */
    static byte[] frame(String headerJson, byte[] body) {
        return frame(headerJson.getBytes(StandardCharsets.UTF_8), body);
    }

    static byte[] frame(byte[] header, byte[] body) {
        return ByteBuffer.allocate(4 + header.length + body.length)
                .putInt(header.length).put(header).put(body).array();
    }

    /** Sends a frame without a body; the header is sent byte for byte as written. */
    void send(String headerJson) throws IOException {
        sendRaw(frame(headerJson, new byte[0]));
    }

    void send(String headerJson, byte[] body) throws IOException {
        sendRaw(frame(headerJson, body));
    }

    /** Sends a request and reads the one frame that answers it. */
    Answer call(String headerJson) throws IOException {
        send(headerJson);
        return read();
    }

    Answer call(String headerJson, byte[] body) throws IOException {
        send(headerJson, body);
        return read();
    }

    /** The next frame; EOFException if the server closed first. */
    Answer read() throws IOException {
        Map<String, Object> h = readHeader();
        Object size = h.get("size");
        return new Answer(h, readBytes(size == null ? 0 : Math.toIntExact((Long) size)));
    }

    /** The next frame's length and header only: the caller reads its body with {@link #readBytes}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> readHeader() throws IOException {
        byte[] header = readBytes(in.readInt());
        try {
            return (Map<String, Object>) Json.parse(header);
        } catch (ProtocolException e) {
            throw new AssertionError("the server sent a header that is not strict JSON: "
                    + new String(header, StandardCharsets.UTF_8), e);
        }
    }

    byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Reads the next frame and checks it is {@code ERROR} with {@code code} (and {@code id}, unless null). */
    Answer expectError(String code, Long id) throws IOException {
        Answer a = read();
        assertEquals("ERROR", a.op(), () -> "expected ERROR " + code + ", got " + a.header());
        assertEquals(code, a.code(), () -> "error code of " + a.header());
        assertEquals(id, a.get("id"), () -> "id of " + a.header());
        return a;
    }

    /** True when the server closes the connection (EOF or reset) after any frames still in flight. */
    boolean closedByServer() throws IOException {
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

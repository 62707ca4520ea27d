package ferry.reactor;

import static org.junit.jupiter.api.Assertions.fail;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The client end of a {@link MemoryServer} connection: encodes requests into the transport's
 * input (whole, or split at chosen points) and decodes the server's output into frames.
 *
 * <p>Threading: the test's thread, which is the hosted loop's thread.
 */
public final class MemoryPeer {
    private final MemoryServer host;
    final MemoryTransport transport;
    private final FrameDecoder decoder = new FrameDecoder(FrameLimits.DEFAULT);
    private final FrameEncoder encoder = new FrameEncoder();
    private final ArrayDeque<RawPeer.Frame> frames = new ArrayDeque<>();
    private Header current;
    private ByteArrayOutputStream body = new ByteArrayOutputStream();

    MemoryPeer(MemoryServer host, MemoryTransport transport) {
        this.host = host;
        this.transport = transport;
    }

    /** Bytes of one frame (header, then body) without sending them. */
    public byte[] frameBytes(Header h, byte[] bodyBytes) {
        if (bodyBytes.length > 0) {
            h.put(Header.SIZE, (long) bodyBytes.length);
        }
        ByteBuffer b = encoder.encode(h);
        byte[] all = new byte[b.remaining() + bodyBytes.length];
        b.get(all, 0, b.remaining());
        System.arraycopy(bodyBytes, 0, all, all.length - bodyBytes.length, bodyBytes.length);
        return all;
    }

    public MemoryPeer send(Header h) {
        return sendRaw(frameBytes(h, new byte[0]));
    }

    public MemoryPeer send(Header h, byte[] bodyBytes) {
        return sendRaw(frameBytes(h, bodyBytes));
    }

    /** Feeds {@code bytes} as one read and runs the loop until idle. */
    public MemoryPeer sendRaw(byte[] bytes) {
        transport.feed(bytes);
        host.runUntilIdle();
        return this;
    }

    /**
     * Feeds {@code bytes} cut at each of {@code cuts} (ascending offsets), running the loop until
     * idle after every piece: each cut is a read boundary the server must handle.
     */
    public MemoryPeer sendSplit(byte[] bytes, int... cuts) {
        int from = 0;
        for (int cut : cuts) {
            transport.feed(bytes, from, cut - from);
            host.runUntilIdle();
            from = cut;
        }
        transport.feed(bytes, from, bytes.length - from);
        host.runUntilIdle();
        return this;
    }

    /** Feeds {@code bytes} in pieces of {@code chunk} bytes, the loop running after each. */
    public MemoryPeer sendInChunks(byte[] bytes, int chunk) {
        for (int from = 0; from < bytes.length; from += chunk) {
            transport.feed(bytes, from, Math.min(chunk, bytes.length - from));
            host.runUntilIdle();
        }
        return this;
    }

    /** The peer half-closes its side (EOF after what it sent). */
    public MemoryPeer endInput() {
        transport.endInput();
        host.runUntilIdle();
        return this;
    }

    /**
     * The next frame from the server, running the loop (waiting for workers to post back) until
     * one is there; fails the test if none comes before the real-time deadline or the server closes.
     */
    public RawPeer.Frame read() {
        long deadline = System.nanoTime() + MemoryServer.ANSWER_DEADLINE_MILLIS * 1_000_000L;
        while (true) {
            decodeOutput();
            if (!frames.isEmpty()) {
                return frames.pollFirst();
            }
            if (!transport.isOpen() || transport.outputShut()) {
                host.runUntilIdle();
                decodeOutput();
                if (!frames.isEmpty()) {
                    return frames.pollFirst();
                }
                fail("server closed the connection with no frame pending");
            }
            if (System.nanoTime() - deadline > 0) {
                fail("no frame from the server within " + MemoryServer.ANSWER_DEADLINE_MILLIS + " ms");
            }
            host.waitPass();
        }
    }

    /** Every whole frame the server wrote so far (the loop run until idle first). */
    public List<RawPeer.Frame> readAvailable() {
        host.runUntilIdle();
        decodeOutput();
        List<RawPeer.Frame> all = new ArrayList<>(frames);
        frames.clear();
        return all;
    }

    /** Whether the server closed (or shut its output of) this connection. */
    public boolean closedByServer() {
        host.runUntilIdle();
        return transport.outputShut();
    }

    private void decodeOutput() {
        byte[] out = transport.takeOutput();
        if (out.length > 0) {
            try {
                decoder.decode(ByteBuffer.wrap(out), sink);
            } catch (ferry.protocol.ProtocolException e) {
                fail("the server wrote a bad frame: " + e.getMessage());
            }
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
            frames.addLast(new RawPeer.Frame(current, body.toByteArray()));
            return true;
        }
    };
}

package ferry.examples;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Ferry's codec inside somebody else's Selector loop: an application with its own NIO server speaks
 * Ferry frames using only {@code ferry.protocol} (no reactor), and Ferry's own client talks to it.
 * docs/EMBEDDING.md quotes this file.
 */
class ForeignSelectorLoopTest {

    /** Per connection: the decoder and the bytes waiting to be written. */
    static final class Conn implements FrameSink {
        final FrameDecoder decoder = new FrameDecoder(FrameLimits.DEFAULT);
        final FrameEncoder encoder = new FrameEncoder();
        ByteBuffer out = ByteBuffer.allocate(256 * 1024);
        ByteBuffer pongBody;

        Conn() {
            Preamble.write(out);
        }

        @Override
        public boolean onHeader(Header h) {
            lastId = h.id();
            if ("PING".equals(h.op())) {
                pongBody = ByteBuffer.allocate((int) h.size());
            } else {
                encoder.encode(Header.reply("ERROR", h.id()).put("code", "unknown_op")
                        .put("message", "this app only knows PING"), out);
            }
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            if (pongBody != null) {
                pongBody.put(chunk);
            }
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            if (pongBody != null) {
                pongBody.flip();
                encoder.encode(Header.op("PONG").put(Header.ID, lastId).put(Header.SIZE, (long) pongBody.remaining()), out);
                out.put(pongBody);
                pongBody = null;
            }
            return true;
        }

        long lastId;
    }

    @Test
    void theCodecServesFramesFromAnApplicationsOwnLoop() throws Exception {
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Thread loop = new Thread(() -> runLoop(selector, server), "app-loop");
            loop.setDaemon(true);
            loop.start();

            byte[] body = new byte[50_000];
            new Random(5).nextBytes(body);
            try (FerryClient c = FerryClient.connect("127.0.0.1", port)) {
                assertArrayEquals(body, c.ping(body));
                assertArrayEquals(new byte[0], c.ping(new byte[0]));
                ferry.client.RemoteException e = assertThrows(ferry.client.RemoteException.class,
                        () -> c.call(Header.op("HELLO")));
                assertEquals("unknown_op", e.code());
            }
            selector.wakeup();
            loop.interrupt();
        }
    }

    /** A plain NIO loop as an application would write it; Ferry only decodes and encodes. */
    private static void runLoop(Selector selector, ServerSocketChannel server) {
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                selector.select(key -> {
                    try {
                        if (key.isAcceptable()) {
                            SocketChannel ch = server.accept();
                            if (ch != null) {
                                ch.configureBlocking(false);
                                // The server side speaks first: its preamble is queued, so ask for OP_WRITE.
                                ch.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, new Conn());
                            }
                            return;
                        }
                        SocketChannel ch = (SocketChannel) key.channel();
                        Conn conn = (Conn) key.attachment();
                        if (key.isReadable()) {
                            in.clear();
                            if (ch.read(in) < 0) {
                                ch.close();
                                return;
                            }
                            in.flip();
                            try {
                                conn.decoder.decode(in, conn); // any split, any number of frames
                            } catch (ProtocolException e) {
                                ch.close(); // a real app would send an ERROR frame first
                                return;
                            }
                        }
                        if (key.isValid() && conn.out.position() > 0) {
                            conn.out.flip();
                            ch.write(conn.out);
                            conn.out.compact();
                        }
                        if (key.isValid()) {
                            // OP_WRITE only while output waits, or the selector spins on a writable socket.
                            key.interestOps(conn.out.position() > 0
                                    ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                        }
                    } catch (IOException e) {
                        key.cancel();
                    }
                }, 100);
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // test over
        }
    }
}

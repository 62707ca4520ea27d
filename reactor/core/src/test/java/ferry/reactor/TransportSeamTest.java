package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport seam over real loopback sockets (the socket under the decorator is the point):
 * a decorator around {@link SocketTransport}, as TLS will be, carries a whole connection without
 * the connection knowing, including input it holds itself and its close.
 */
class TransportSeamTest {
    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads everything the socket has into its own buffer and hands it out a few bytes per read,
     * as a TLS transport holds a decrypted record: the selector never sees those bytes again.
     */
    static final class HoardingTransport implements Transport {
        static final int BYTES_PER_READ = 3;
        private final Transport inner;
        private final ByteBuffer hoard = ByteBuffer.allocate(1 << 20).flip();
        private final AtomicInteger closes;
        final AtomicInteger transferFromCalls = new AtomicInteger();
        private boolean innerEof;

        HoardingTransport(Transport inner, AtomicInteger closes) {
            this.inner = inner;
            this.closes = closes;
        }

        @Override
        public void register(EventLoop loop, Listener listener, int ops) throws IOException {
            inner.register(loop, listener, ops);
        }

        @Override
        public void interest(int ops) {
            inner.interest(ops);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!hoard.hasRemaining() && !innerEof) {
                hoard.compact();
                int n = inner.read(hoard);
                hoard.flip();
                innerEof = n < 0;
            }
            if (!hoard.hasRemaining()) {
                return innerEof ? -1 : 0;
            }
            int n = Math.min(BYTES_PER_READ, Math.min(dst.remaining(), hoard.remaining()));
            dst.put(dst.position(), hoard, hoard.position(), n).position(dst.position() + n);
            hoard.position(hoard.position() + n);
            return n;
        }

        @Override
        public boolean hasBufferedInput() {
            return hoard.hasRemaining();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return inner.write(srcs, offset, length);
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) {
            transferFromCalls.incrementAndGet();
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isZeroCopy() {
            return false;
        }

        @Override
        public void shutdownOutput() throws IOException {
            inner.shutdownOutput();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            inner.close();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return inner.remoteAddress();
        }
    }

    @Test
    void inputHeldInsideTheTransportIsReadWithoutTheSelector() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        FerryServer s = new FerryServer(TestServers.config().build());
        s.decorateTransports(t -> new HoardingTransport(t, closes));
        s.start();
        server = s;
        try (RawPeer p = new RawPeer(server.port())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int n = 50;
            for (int i = 1; i <= n; i++) {
                all.writeBytes(p.frameBytes(Header.op("PING").put(Header.ID, i), ("b" + i).getBytes(StandardCharsets.UTF_8)));
            }
            // One write: the decorator takes it all in its first read, so every request after the
            // first few bytes arrives only through hasBufferedInput(), never through the selector.
            p.sendRaw(all.toByteArray());
            for (int i = 1; i <= n; i++) {
                RawPeer.Frame f = p.read();
                assertEquals("PONG", f.op());
                assertEquals(i, f.header().id());
                assertEquals("b" + i, new String(f.body(), StandardCharsets.UTF_8));
            }
            p.send(Header.op("BYE").put(Header.ID, n + 1));
            assertEquals("BYE", p.read().op());
            assertTrue(p.closedByServer());
        }
        ReactorTest.waitUntil(() -> closes.get() == 1);
    }

    @Test
    void aProtocolErrorClosesThroughTheDecoratorAfterItsErrorFrame() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        FerryServer s = new FerryServer(TestServers.config().build());
        s.decorateTransports(t -> new HoardingTransport(t, closes));
        s.start();
        server = s;
        try (RawPeer p = new RawPeer(server.port())) {
            p.sendRaw(new byte[] {0, 0, 0, 5, '{', 'b', 'a', 'd', '!'});
            RawPeer.Frame f = p.read();
            assertEquals("ERROR", f.op());
            assertEquals(ErrorCode.BAD_FRAME, f.header().getString("code", null));
            assertTrue(p.closedByServer());
        }
        // The lingering close drained input and closed through the decorator, not around it.
        ReactorTest.waitUntil(() -> closes.get() == 1);
    }

    @Test
    void decoratorsComposeLastAddedOutermost() throws Exception {
        StringBuilder order = new StringBuilder();
        FerryServer s = new FerryServer(TestServers.config().build());
        s.decorateTransports(t -> {
            order.append("inner;");
            return t;
        });
        s.decorateTransports(t -> {
            order.append("outer;");
            return t;
        });
        s.start();
        server = s;
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", p.read().op());
        }
        assertEquals("inner;outer;", order.toString());
        assertThrows(IllegalStateException.class, () -> s.decorateTransports(t -> t));
    }

    @Test
    void aTransportWithoutSendfileGetsFileBodiesThroughTheBufferedPath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        byte[] content = new byte[300_000];
        new java.util.Random(5).nextBytes(content);
        java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("f"), content);
        AtomicInteger closes = new AtomicInteger();
        FerryServer s = new FerryServer(TestServers.config().build());
        s.register("FILE", call -> {
            FileChannel ch = FileChannel.open(file);
            call.replyFile(Header.reply("FILE", call.id()), new FileRegion(ch, 0, content.length, true));
            return null;
        });
        java.util.List<HoardingTransport> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        s.decorateTransports(t -> { // isZeroCopy() false: transferFrom would throw
            HoardingTransport h = new HoardingTransport(t, closes);
            made.add(h);
            return h;
        });
        s.start();
        server = s;
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("FILE").put(Header.ID, 1));
            RawPeer.Frame f = p.read();
            assertEquals("FILE", f.op());
            assertArrayEquals(content, f.body());
        }
        assertEquals(0, made.get(0).transferFromCalls.get(), "the connection never asked for sendfile");
        assertEquals(0, server.loopErrors());
    }
}

package ferry.protocol.tls;

import ferry.protocol.BufferPool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two engines talking in memory: every split of the ciphertext, one-byte plaintext buffers, tasks elsewhere. */
class TlsEngineTest {
    /** A one-way in-memory wire that moves at most {@code chunk} bytes per read or write. */
    static final class Wire implements TlsEngine.Sink, TlsEngine.Source {
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        byte[] buffered = new byte[0];
        int readPos;
        final int chunk;
        long moved;

        Wire(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public long write(ByteBuffer src) {
            int n = Math.min(chunk, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            pending.write(b, 0, n);
            moved += n;
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (readPos == buffered.length) {
                buffered = pending.toByteArray();
                pending.reset();
                readPos = 0;
            }
            int n = Math.min(Math.min(chunk, dst.remaining()), buffered.length - readPos);
            dst.put(buffered, readPos, n);
            readPos += n;
            return n;
        }

        boolean isEmpty() {
            return readPos == buffered.length && pending.size() == 0;
        }
    }

    /** Runs posted work when asked to, so a test sees the engine wait for its tasks. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        int executed;

        @Override
        public void execute(Runnable r) {
            queue.add(r);
        }

        boolean runAll() {
            boolean any = false;
            Runnable r;
            while ((r = queue.poll()) != null) {
                executed++;
                r.run();
                any = true;
            }
            return any;
        }
    }

    static final class Side {
        final SSLEngine ssl;
        final TlsEngine tls;
        final BufferPool pool = BufferPool.heap(TlsEngine.RECORD_BUFFER_BYTES, 4);
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        Side(SSLContext ctx, boolean client, Executor tasks, Executor owner, String... protocols) throws SSLException {
            ssl = client ? ctx.createSSLEngine("localhost", 7373) : ctx.createSSLEngine();
            ssl.setUseClientMode(client);
            if (protocols.length > 0) {
                ssl.setEnabledProtocols(protocols);
            }
            tls = new TlsEngine(ssl, pool, tasks, owner, () -> { });
        }

        /** Reads plaintext one byte at a time (the tiniest reader). */
        void drain() throws SSLException {
            ByteBuffer one = ByteBuffer.allocate(1);
            while (tls.readPlaintext(one.clear()) > 0) {
                received.write(one.get(0));
            }
        }
    }

    private static Side client(Executor tasks, Executor owner, String... protocols) throws SSLException {
        return new Side(TestKeys.client(), true, tasks, owner, protocols);
    }

    private static Side server(Executor tasks, Executor owner) throws SSLException {
        return new Side(TestKeys.server(), false, tasks, owner);
    }

    /** Moves bytes both ways until nothing moves; returns whether anything did. */
    static boolean pump(Side a, Side b, Wire ab, Wire ba) throws IOException {
        boolean any = false;
        while (true) {
            long before = ab.moved + ba.moved;
            a.tls.advance();
            b.tls.advance();
            a.tls.flushTo(ab);
            b.tls.flushTo(ba);
            int r1 = ab.isEmpty() ? 0 : b.tls.receiveFrom(ab);
            int r2 = ba.isEmpty() ? 0 : a.tls.receiveFrom(ba);
            a.drain();
            b.drain();
            if (ab.moved + ba.moved == before && r1 == 0 && r2 == 0) {
                return any;
            }
            any = true;
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} from one-byte source buffers, pumping whenever the engine takes nothing. */
    private static void send(Side from, Side to, Wire fw, Wire bw, byte[] data, int srcBytes) throws IOException {
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(srcBytes, data.length - pos);
            ByteBuffer[] srcs = {ByteBuffer.wrap(data, pos, n)};
            long took = from.tls.wrap(srcs, 0, 1);
            pos += (int) took;
            if (took == 0) {
                assertTrue(pump(from, to, fw, bw), "no progress: wrap took nothing and nothing moved");
            }
        }
        pump(from, to, fw, bw);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 64, 517, 16_708, 16_709, 1 << 20})
    void handshakeAndDataSurviveEverySplit(int chunk) throws IOException {
        Side c = client(null, null);
        Side s = server(null, null);
        Wire cs = new Wire(chunk);
        Wire sc = new Wire(chunk);
        pump(c, s, cs, sc);
        assertEquals(TlsEngine.State.OPEN, c.tls.state());
        assertEquals(TlsEngine.State.OPEN, s.tls.state());
        assertEquals("TLSv1.3", s.tls.session().getProtocol());

        byte[] up = random(40_000, chunk);
        byte[] down = random(20_000, ~chunk);
        send(c, s, cs, sc, up, chunk < 64 ? 1 : 4096);
        send(s, c, sc, cs, down, 7);
        assertArrayEquals(up, s.received.toByteArray());
        assertArrayEquals(down, c.received.toByteArray());
    }

    @Test
    void tls12Works() throws IOException {
        Side c = client(null, null, "TLSv1.2");
        Side s = server(null, null);
        Wire cs = new Wire(100);
        Wire sc = new Wire(100);
        pump(c, s, cs, sc);
        assertEquals("TLSv1.2", s.tls.session().getProtocol());
        send(c, s, cs, sc, "hello".getBytes(), 5);
        assertEquals("hello", s.received.toString());
    }

    @Test
    void onlyTls13And12AreEverEnabled() throws SSLException {
        Side c = client(null, null, "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, c.ssl.getEnabledProtocols());
        SSLException e = assertThrows(SSLException.class, () -> client(null, null, "TLSv1.1"));
        assertTrue(e.getMessage().contains("TLS 1.3"), e.getMessage());
    }

    @Test
    void delegatedTasksRunOnTheTaskExecutorAndResumeOnTheOwner() throws IOException {
        ManualExecutor workers = new ManualExecutor();
        ManualExecutor loop = new ManualExecutor();
        Side c = client(null, null);
        Side s = server(workers, loop);
        Wire cs = new Wire(1 << 20);
        Wire sc = new Wire(1 << 20);
        boolean sawTasks = false;
        for (int round = 0; round < 50 && !(c.tls.isHandshakeDone() && s.tls.isHandshakeDone()); round++) {
            pump(c, s, cs, sc);
            if (s.tls.state() == TlsEngine.State.RUNNING_TASKS) {
                sawTasks = true;
                assertFalse(pump(c, s, cs, sc), "nothing moves while the server's tasks run");
                assertTrue(loop.queue.isEmpty());
                workers.runAll();
                assertEquals(TlsEngine.State.RUNNING_TASKS, s.tls.state(), "resumes only on the owner");
                loop.runAll();
            }
        }
        assertTrue(sawTasks, "the server handed out delegated tasks");
        assertTrue(workers.executed > 0);
        assertTrue(s.tls.isHandshakeDone());
        send(c, s, cs, sc, "after tasks".getBytes(), 3);
        assertEquals("after tasks", s.received.toString());
    }

    @Test
    void closeNotifyEndsTheStreamAfterTheData() throws IOException {
        Side c = client(null, null);
        Side s = server(null, null);
        Wire cs = new Wire(33);
        Wire sc = new Wire(33);
        pump(c, s, cs, sc);
        send(c, s, cs, sc, "last words".getBytes(), 10);
        c.tls.closeOutbound();
        assertEquals(0, c.tls.wrap(new ByteBuffer[] {ByteBuffer.wrap(new byte[10])}, 0, 1), "nothing after close");
        pump(c, s, cs, sc);
        assertEquals("last words", s.received.toString());
        assertTrue(s.tls.isInboundDone());
        assertEquals(-1, s.tls.readPlaintext(ByteBuffer.allocate(1)));
    }

    @Test
    void garbageInsteadOfAHandshakeFailsFast() throws IOException {
        Side s = server(null, null);
        Wire junk = new Wire(1 << 20);
        junk.write(ByteBuffer.wrap(random(300, 1)));
        assertThrows(SSLException.class, () -> s.tls.receiveFrom(junk));
    }

    @Test
    void garbageAfterTheClientHelloFailsFast() throws IOException {
        Random r = new Random(42);
        for (int i = 0; i < 20; i++) {
            Side c = client(null, null);
            Side s = server(null, null);
            Wire cs = new Wire(1 << 20);
            c.tls.advance();
            c.tls.flushTo(cs);
            byte[] noise = new byte[1 + r.nextInt(400)];
            r.nextBytes(noise);
            noise[0] = (byte) (r.nextBoolean() ? 0x16 : noise[0]); // sometimes a plausible record type
            cs.write(ByteBuffer.wrap(noise));
            try {
                for (int k = 0; k < 10; k++) {
                    s.tls.receiveFrom(cs);
                    s.tls.flushTo(b -> b.remaining() == 0 ? 0 : skip(b));
                }
                // A plausible record header announcing more bytes: waiting is right (the handshake
                // timeout ends it), accepting is not.
                assertEquals(TlsEngine.State.HANDSHAKING, s.tls.state(), "round " + i);
                assertFalse(s.tls.hasPlaintext());
            } catch (SSLException expected) {
                // the usual outcome: a clear alert
            }
        }
    }

    private static long skip(ByteBuffer b) {
        int n = b.remaining();
        b.position(b.limit());
        return n;
    }

    @Test
    void anUnreadPeerBoundsTheWritersMemory() throws IOException {
        Side c = client(null, null);
        Side s = server(null, null);
        Wire cs = new Wire(1 << 20);
        Wire sc = new Wire(1 << 20);
        pump(c, s, cs, sc);
        long allocatedBefore = s.pool.allocated();
        byte[] big = random(1 << 20, 3);
        ByteBuffer[] srcs = {ByteBuffer.wrap(big)};
        long took = s.tls.wrap(srcs, 0, 1);
        assertTrue(took > 0 && took <= 16_384, "one record at most while unsent: " + took);
        assertEquals(0, s.tls.wrap(srcs, 0, 1), "nothing more until the ciphertext leaves");
        assertTrue(s.pool.allocated() - allocatedBefore <= 1, "one output buffer");
    }

    @Test
    void renegotiationIsRefused() throws IOException {
        Side c = client(null, null, "TLSv1.2");
        Side s = server(null, null);
        Wire cs = new Wire(1 << 20);
        Wire sc = new Wire(1 << 20);
        pump(c, s, cs, sc);
        assertEquals("TLSv1.2", s.tls.session().getProtocol());
        c.ssl.beginHandshake();
        SSLException e = assertThrows(SSLException.class, () -> pump(c, s, cs, sc));
        assertTrue(e.getMessage().contains("renegotiation"), e.getMessage());
    }

    @Test
    void idleEnginesHoldNoBuffers() throws IOException {
        Side c = client(null, null);
        Side s = server(null, null);
        Wire cs = new Wire(1000);
        Wire sc = new Wire(1000);
        pump(c, s, cs, sc);
        send(c, s, cs, sc, random(50_000, 9), 50_000);
        assertTrue(s.tls.isHandshakeDone());
        assertFalse(s.tls.hasOutbound() || s.tls.hasPlaintext() || s.tls.hasBufferedCiphertext());
        assertTrue(s.pool.pooled() > 0, "buffers went back to the pool");
        assertTrue(s.pool.allocated() <= 3, "at most three buffers: " + s.pool.allocated());
    }
}

package ferry.reactor;

import ferry.protocol.BufferPool;
import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbound queue against a fake transport that takes only a few bytes per write. */
class OutboundQueueTest {
    @TempDir
    Path tmp;

    /**
     * Accepts at most {@code capacity} bytes per call, like a nearly full socket buffer; records
     * what it took field by field for the queue's own tests (readiness and closing come from
     * {@link MemoryTransport}).
     */
    static class TrickleTransport extends MemoryTransport {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int capacity;
        boolean zeroCopy = true;
        long writes;

        TrickleTransport(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public int read(ByteBuffer dst) {
            return 0;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            writes++;
            int left = capacity;
            long total = 0;
            for (int i = offset; i < offset + length && left > 0; i++) {
                ByteBuffer b = srcs[i];
                int n = Math.min(left, b.remaining());
                byte[] chunk = new byte[n];
                b.get(chunk);
                received.writeBytes(chunk);
                left -= n;
                total += n;
            }
            return total;
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) throws IOException {
            if (!zeroCopy) {
                throw new UnsupportedOperationException();
            }
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, capacity));
            int n = file.read(b, position);
            if (n <= 0) {
                return 0;
            }
            received.write(b.array(), 0, n);
            return n;
        }

        @Override
        public boolean isZeroCopy() {
            return zeroCopy;
        }
    }

    private static ByteBuffer[] iov() {
        return new ByteBuffer[EventLoop.IOV_MAX_BUFFERS];
    }

    @Test
    void framesBuffersAndFileRegionsLeaveInOrderThroughPartialWrites() throws Exception {
        BufferPool pool = BufferPool.direct(1024, 8);
        OutboundQueue q = new OutboundQueue(pool);
        FrameEncoder enc = new FrameEncoder();
        Random rnd = new Random(7);
        byte[] fileBytes = new byte[50_000];
        rnd.nextBytes(fileBytes);
        Path f = tmp.resolve("f");
        Files.write(f, fileBytes);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();

        for (int i = 0; i < 50; i++) {
            Header h = Header.op("PONG").put(Header.ID, i);
            expected.writeBytes(enc.encode(h.copy()).array());
            q.appendFrame(enc, h);
            byte[] body = new byte[rnd.nextInt(3000)];
            rnd.nextBytes(body);
            expected.writeBytes(body);
            if (i % 3 == 0) {
                q.appendOwned(ByteBuffer.wrap(body.clone()));
            } else if (i % 3 == 1) {
                q.appendCopy(ByteBuffer.wrap(body));
            } else {
                q.appendCopy(body); // byte[]: spans several 1 KiB tails when long
            }
            if (i % 10 == 0) {
                FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                q.appendRegion(new FileRegion(ch, 1000, 20_000, true));
                expected.write(fileBytes, 1000, 20_000);
            }
        }
        assertTrue(q.pendingBytes() > 0);
        TrickleTransport t = new TrickleTransport(777);
        ByteBuffer scratch = ByteBuffer.allocateDirect(1024);
        int rounds = 0;
        while (!q.isEmpty()) {
            q.flush(t, 5000, iov(), scratch);
            assertTrue(++rounds < 100_000, "flush makes progress");
        }
        assertArrayEquals(expected.toByteArray(), t.received.toByteArray());
        assertEquals(0, q.pendingBytes());
        assertTrue(pool.pooled() > 0, "pooled buffers came back");
    }

    @Test
    void steadyTrafficReusesPooledBuffersInsteadOfAllocating() throws Exception {
        BufferPool pool = BufferPool.direct(16 * 1024, 8);
        OutboundQueue q = new OutboundQueue(pool);
        FrameEncoder enc = new FrameEncoder();
        TrickleTransport t = new TrickleTransport(Integer.MAX_VALUE);
        ByteBuffer scratch = ByteBuffer.allocateDirect(1024);
        for (int i = 0; i < 10_000; i++) {
            q.appendFrame(enc, Header.reply("PONG", i));
            q.flush(t, Long.MAX_VALUE, iov(), scratch);
            if (t.received.size() > 1 << 20) {
                t.received.reset();
            }
        }
        assertEquals(1, pool.allocated(), "one pooled buffer served 10,000 frames");
    }

    @Test
    void aHugeFileIsSentInBudgetedSlicesSoOneDownloadCannotHogTheLoop() throws Exception {
        Path f = tmp.resolve("big");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(10L * 1024 * 1024);
        }
        OutboundQueue q = new OutboundQueue(BufferPool.direct(4096, 4));
        q.appendRegion(new FileRegion(FileChannel.open(f, StandardOpenOption.READ), 0, 10L * 1024 * 1024, true));
        FileRegionTest.CountingTransport t = new FileRegionTest.CountingTransport();
        long n = q.flush(t, 1024 * 1024, iov(), ByteBuffer.allocateDirect(4096));
        assertEquals(1024 * 1024, n, "one write event moves one budget's worth");
        assertFalse(q.isEmpty());
    }

    @Test
    void framesAreCoalescedIntoFewWrites() throws Exception {
        BufferPool pool = BufferPool.direct(16 * 1024, 4);
        OutboundQueue q = new OutboundQueue(pool);
        FrameEncoder enc = new FrameEncoder();
        for (int i = 0; i < 200; i++) {
            q.appendFrame(enc, Header.reply("PONG", i));
        }
        TrickleTransport t = new TrickleTransport(Integer.MAX_VALUE);
        q.flush(t, Long.MAX_VALUE, iov(), ByteBuffer.allocateDirect(1024));
        assertTrue(q.isEmpty());
        assertEquals(1, t.writes, "200 small frames in one gathering write");
        List<Header> got = new ArrayList<>();
        new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false)).decode(ByteBuffer.wrap(t.received.toByteArray()), new FrameSink() {
            @Override
            public boolean onHeader(Header header) {
                got.add(header);
                return true;
            }

            @Override
            public boolean onBody(ByteBuffer chunk) {
                return true;
            }

            @Override
            public boolean onFrameEnd() {
                return true;
            }
        });
        assertEquals(200, got.size());
        assertEquals(199, got.get(199).id());
    }

    @Test
    void discardReleasesRegionsAndBuffers() throws Exception {
        BufferPool pool = BufferPool.direct(1024, 8);
        OutboundQueue q = new OutboundQueue(pool);
        q.appendCopy(ByteBuffer.allocate(3000));
        Path f = tmp.resolve("g");
        Files.write(f, new byte[10]);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
        Throwable[] seen = new Throwable[1];
        q.appendRegion(new FileRegion(ch, 0, 10, true).whenDone((r, sent, err) -> seen[0] = err));
        q.discard(new IOException("gone"));
        assertFalse(ch.isOpen(), "the file is closed");
        assertEquals("gone", seen[0].getMessage());
        assertEquals(0, q.pendingBytes());
        assertEquals(3, pool.pooled());
    }
}

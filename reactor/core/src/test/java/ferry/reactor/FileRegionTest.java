package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
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

/** The sendfile traps: 2 GiB per call, a file shrinking underneath, transports without sendfile. */
class FileRegionTest {
    @TempDir
    Path tmp;

    /** Records transferTo requests and pretends to send them all (no data moves). */
    static final class CountingTransport extends OutboundQueueTest.TrickleTransport {
        final List<Long> requested = new ArrayList<>();

        CountingTransport() {
            super(Integer.MAX_VALUE);
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) {
            requested.add(count);
            return count;
        }
    }

    @Test
    void moreThanTwoGibibytesIsSentInSeveralCallsWith64BitPositions() throws Exception {
        Path sparse = tmp.resolve("sparse");
        long size = 5L * 1024 * 1024 * 1024 + 123; // > 4 GiB: costs no disk, it is sparse
        try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(size);
        }
        try (FileChannel ch = FileChannel.open(sparse, StandardOpenOption.READ)) {
            FileRegion r = new FileRegion(ch, 0, size, false);
            CountingTransport t = new CountingTransport();
            long sent = r.sendTo(t, Long.MAX_VALUE, ByteBuffer.allocateDirect(1024));
            assertEquals(size, sent);
            assertTrue(r.isDone());
            assertTrue(t.requested.size() >= 3, "split into calls of at most 2 GiB: " + t.requested);
            for (long c : t.requested) {
                assertTrue(c <= Integer.MAX_VALUE, "one call asked for " + c);
            }
        }
    }

    @Test
    void fileThatShrinksUnderTheTransferEndsWithAnErrorInsteadOfSpinning() throws Exception {
        Path f = tmp.resolve("shrinks");
        Files.write(f, new byte[100_000]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileRegion r = new FileRegion(ch, 0, 100_000, false);
            OutboundQueueTest.TrickleTransport t = new OutboundQueueTest.TrickleTransport(10_000);
            assertEquals(10_000, r.sendTo(t, 10_000, ByteBuffer.allocateDirect(1024)));
            ch.truncate(30_000);
            assertEquals(20_000, r.sendTo(t, 20_000, ByteBuffer.allocateDirect(1024)));
            IOException e = assertThrows(IOException.class, () -> r.sendTo(t, 100_000, ByteBuffer.allocateDirect(1024)));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
    }

    /** A file that only knows its size, and counts how often it is asked (the transports here move no data). */
    static final class SizeCountingFile extends FileChannel {
        final long size;
        int sizeCalls;

        SizeCountingFile(long size) {
            this.size = size;
        }

        @Override
        public long size() {
            sizeCalls++;
            return size;
        }

        @Override public int read(ByteBuffer dst) { throw new UnsupportedOperationException(); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) { throw new UnsupportedOperationException(); }
        @Override public int read(ByteBuffer dst, long position) { throw new UnsupportedOperationException(); }
        @Override public int write(ByteBuffer src) { throw new UnsupportedOperationException(); }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) { throw new UnsupportedOperationException(); }
        @Override public int write(ByteBuffer src, long position) { throw new UnsupportedOperationException(); }
        @Override public long position() { return 0; }
        @Override public FileChannel position(long p) { throw new UnsupportedOperationException(); }
        @Override public FileChannel truncate(long s) { throw new UnsupportedOperationException(); }
        @Override public void force(boolean metaData) { }
        @Override public long transferTo(long p, long c, java.nio.channels.WritableByteChannel t) { throw new UnsupportedOperationException(); }
        @Override public long transferFrom(java.nio.channels.ReadableByteChannel s, long p, long c) { throw new UnsupportedOperationException(); }
        @Override public java.nio.MappedByteBuffer map(MapMode m, long p, long s) { throw new UnsupportedOperationException(); }
        @Override public java.nio.channels.FileLock lock(long p, long s, boolean sh) { throw new UnsupportedOperationException(); }
        @Override public java.nio.channels.FileLock tryLock(long p, long s, boolean sh) { throw new UnsupportedOperationException(); }
        @Override protected void implCloseChannel() { }
    }

    /** A socket whose buffer takes {@code room} bytes until the test drains it. */
    static final class FillingTransport extends OutboundQueueTest.TrickleTransport {
        long room;

        FillingTransport() {
            super(Integer.MAX_VALUE);
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) {
            long n = Math.min(count, room);
            room -= n;
            return n;
        }
    }

    @Test
    void aFullSocketCostsNoSizeLookupOnlyACallThatMovedNothingDoes() throws Exception {
        long mib = 1 << 20;
        SizeCountingFile file = new SizeCountingFile(64 * mib);
        FileRegion r = new FileRegion(file, 0, 64 * mib, false);
        FillingTransport t = new FillingTransport();
        for (int event = 0; event < 8; event++) {
            t.room = mib; // the socket drained: a write event with 1 MiB of room, then full
            assertEquals(mib, r.sendTo(t, 4 * mib, ByteBuffer.allocateDirect(1024)));
        }
        assertEquals(0, file.sizeCalls, "a call that filled the socket is not a shrunk file");
        t.room = 0;
        assertEquals(0, r.sendTo(t, 4 * mib, ByteBuffer.allocateDirect(1024)));
        assertEquals(1, file.sizeCalls, "nothing moved: the size says whether the file shrank (it did not)");
        assertEquals(8 * mib, r.sent());
    }

    @Test
    void copyPathIsUsedWhenTheTransportHasNoSendfile() throws Exception {
        byte[] data = new byte[70_000];
        new Random(3).nextBytes(data);
        Path f = tmp.resolve("copy");
        Files.write(f, data);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            OutboundQueueTest.TrickleTransport t = new OutboundQueueTest.TrickleTransport(3000);
            t.zeroCopy = false;
            FileRegion r = new FileRegion(ch, 5, data.length - 5, false);
            ByteBuffer scratch = ByteBuffer.allocateDirect(8192);
            while (!r.isDone()) {
                r.sendTo(t, 10_000, scratch);
            }
            byte[] expected = java.util.Arrays.copyOfRange(data, 5, data.length);
            assertArrayEquals(expected, t.received.toByteArray());
        }
    }

    @Test
    void transportThatRefusesSendfileFallsBackToCopyForGood() throws Exception {
        byte[] data = new byte[20_000];
        new Random(4).nextBytes(data);
        Path f = tmp.resolve("refuse");
        Files.write(f, data);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            OutboundQueueTest.TrickleTransport t = new OutboundQueueTest.TrickleTransport(Integer.MAX_VALUE) {
                @Override
                public long transferFrom(FileChannel file, long position, long count) {
                    throw new UnsupportedOperationException("no sendfile on this filesystem");
                }
            };
            FileRegion r = new FileRegion(ch, 0, data.length, false);
            r.sendTo(t, Long.MAX_VALUE, ByteBuffer.allocateDirect(4096));
            assertTrue(r.isDone());
            assertTrue(r.isCopyMode());
            assertArrayEquals(data, t.received.toByteArray());
        }
    }

    @Test
    void zeroLengthRegionIsDoneAtOnce() throws Exception {
        Path f = tmp.resolve("empty");
        Files.write(f, new byte[0]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            FileRegion r = new FileRegion(ch, 0, 0, false);
            assertTrue(r.isDone());
            assertEquals(0, r.sendTo(new CountingTransport(), 100, ByteBuffer.allocateDirect(16)));
        }
    }
}

package ferry.reactor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;

/**
 * A {@link Transport} in memory (Ferry's Netty {@code EmbeddedChannel} end): the test feeds input
 * in chunks of its choosing, limits how many bytes each write call takes and how many the "peer"
 * has room for, and reads back what the server wrote. Readiness is delivered as a loop task, level
 * triggered like the selector: while input is there (or room, for a write interest) and the
 * interest holds, the listener hears {@link #READ} / {@link #WRITE} again on the next task run.
 *
 * <p>Threading: the loop thread, which in the in-memory harness is the test's own thread.
 */
public class MemoryTransport implements Transport {
    /** Loopback only: the address the server sees for this peer. */
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ArrayDeque<ByteBuffer> input = new ArrayDeque<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final InetSocketAddress remote;
    private boolean inputEnded;
    private boolean reset; // the peer vanished: reads and writes fail
    private int maxBytesPerWrite = Integer.MAX_VALUE;
    private long room = Long.MAX_VALUE;
    private boolean zeroCopy;
    private long writeCalls;
    private EventLoop loop;
    private Listener listener;
    private int interest;
    private boolean readyQueued;
    private boolean outputShut;
    private boolean open = true;

    public MemoryTransport() {
        this(40_000);
    }

    /** @param remotePort the port part of the peer's loopback address (tells peers apart in logs) */
    public MemoryTransport(int remotePort) {
        this.remote = new InetSocketAddress(LOOPBACK, remotePort);
    }

    // ---- the test's side -------------------------------------------------------------------

    /** Queues {@code bytes} as one read's worth of input from the peer. */
    public MemoryTransport feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /** Queues a slice of {@code bytes} as one read's worth of input. */
    public MemoryTransport feed(byte[] bytes, int offset, int length) {
        if (inputEnded) {
            throw new IllegalStateException("input already ended");
        }
        if (length > 0) {
            input.add(ByteBuffer.wrap(bytes.clone(), offset, length).slice());
            wake();
        }
        return this;
    }

    /** The peer half-closes: reads return -1 once the queued input is read. */
    public MemoryTransport endInput() {
        inputEnded = true;
        wake();
        return this;
    }

    /** The peer resets the connection: every read and write from now on fails, as on a socket. */
    public MemoryTransport reset() {
        reset = true;
        wake();
        return this;
    }

    /** Each write call takes at most {@code n} bytes (at least 1), like a nearly full socket buffer. */
    public MemoryTransport maxBytesPerWrite(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one byte per write, or use room(0)");
        }
        maxBytesPerWrite = n;
        wake();
        return this;
    }

    /** The peer accepts {@code bytes} more in total, then writes return 0 (it stopped reading). */
    public MemoryTransport room(long bytes) {
        room = bytes;
        wake();
        return this;
    }

    /** Whether {@link #transferFrom} is offered (a socket) or not (TLS). Off by default. */
    public MemoryTransport zeroCopy(boolean on) {
        zeroCopy = on;
        return this;
    }

    /** Everything written so far, removed from the transport. */
    public byte[] takeOutput() {
        byte[] b = output.toByteArray();
        output.reset();
        return b;
    }

    /** Bytes written and not yet taken. */
    public int outputSize() {
        return output.size();
    }

    /** Write calls made so far (gathering writes and file transfers). */
    public long writeCalls() {
        return writeCalls;
    }

    /** Whether the server ended its side (FIN) or closed. */
    public boolean outputShut() {
        return outputShut || !open;
    }

    /** Input fed and not read yet, in bytes. */
    public long unreadInput() {
        long n = 0;
        for (ByteBuffer b : input) {
            n += b.remaining();
        }
        return n;
    }

    /** The interest set the listener asked for last. */
    public int interestOps() {
        return interest;
    }

    // ---- Transport -----------------------------------------------------------------------

    @Override
    public void register(EventLoop loop, Listener listener, int ops) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        this.loop = loop;
        this.listener = listener;
        interest(ops);
    }

    @Override
    public void interest(int ops) {
        interest = ops;
        wake();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (reset) {
            throw new IOException("Connection reset by peer");
        }
        ByteBuffer head = input.peek();
        if (head == null) {
            return inputEnded ? -1 : 0;
        }
        int n = Math.min(dst.remaining(), head.remaining());
        dst.put(dst.position(), head, head.position(), n).position(dst.position() + n);
        head.position(head.position() + n);
        if (!head.hasRemaining()) {
            input.poll();
        }
        return n;
    }

    /** Always false: fed input is what the "selector" announces, as the kernel buffer would be. */
    @Override
    public boolean hasBufferedInput() {
        return false;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkWritable();
        writeCalls++;
        long left = allowance();
        long total = 0;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int n = (int) Math.min(left, b.remaining());
            byte[] chunk = new byte[n];
            b.get(chunk);
            output.writeBytes(chunk);
            left -= n;
            total += n;
        }
        room -= room == Long.MAX_VALUE ? 0 : total;
        return total;
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (!zeroCopy) {
            throw new UnsupportedOperationException("no zero-copy on this transport");
        }
        checkWritable();
        writeCalls++;
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, allowance()));
        int n = file.read(b, position);
        if (n <= 0) {
            return 0;
        }
        output.write(b.array(), 0, n);
        room -= room == Long.MAX_VALUE ? 0 : n;
        return n;
    }

    private long allowance() {
        return Math.min(maxBytesPerWrite, room);
    }

    private void checkWritable() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (outputShut) {
            throw new IOException("output shut down");
        }
        if (reset) {
            throw new IOException("Connection reset by peer");
        }
    }

    @Override
    public boolean isZeroCopy() {
        return zeroCopy;
    }

    @Override
    public void shutdownOutput() {
        outputShut = true;
    }

    @Override
    public void close() {
        open = false;
        interest = 0;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    // ---- readiness -------------------------------------------------------------------------

    private int readyOps() {
        if (!open || listener == null) {
            return 0;
        }
        int ready = 0;
        if ((interest & READ) != 0 && (!input.isEmpty() || inputEnded || reset)) {
            ready |= READ;
        }
        if ((interest & WRITE) != 0 && (allowance() > 0 || reset)) {
            ready |= WRITE;
        }
        return ready;
    }

    private void wake() {
        if (!readyQueued && readyOps() != 0) {
            readyQueued = true;
            loop.execute(this::deliver);
        }
    }

    private void deliver() {
        readyQueued = false;
        int ready = readyOps();
        if (ready == 0) {
            return;
        }
        try {
            listener.onReady(ready);
        } catch (RuntimeException e) {
            listener.onError(e);
        }
        wake(); // level triggered: still ready means another turn
    }

    @Override
    public String toString() {
        return "memory " + remote;
    }
}

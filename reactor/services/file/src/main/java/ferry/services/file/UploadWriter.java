package ferry.services.file;

import ferry.reactor.EventLoop;
import ferry.reactor.Workers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayDeque;

/**
 * Takes one upload's full buffers, in file order, to the temp file and through the digest, on
 * workers: the loop never touches the disk or hashes.
 *
 * <p>Two chains run side by side, each one job at a time so each stays in order: <b>writes</b>
 * (positional; every buffer queued when a write job starts goes in that one gathering write) and
 * <b>hashing</b> (the digest must see the bytes in order). So the digest of one buffer runs while
 * the disk takes the next, instead of after it; a buffer goes back to the pool once both are
 * done with it.
 *
 * <p>With a {@link Direct} channel, whole aligned blocks are written with {@code O_DIRECT}: from
 * the buffer to the disk, no copy into the page cache. What is not aligned (the head of an upload
 * resumed mid-block, the last partial block) goes through the ordinary channel.
 *
 * <p>Errors: the first failed write is reported once through {@link Listener#failed}; nothing
 * more is started, and the buffers go back to the pool once the jobs still running return.
 *
 * <p>Threading contract: loop thread, except the jobs, which touch only the channels, the digest
 * and the buffers they were handed; they go out and come back through {@link Workers#trySubmit},
 * whose queues order the accesses. If the loop stops while a job is out, the buffers are not
 * returned to the pool (the server is going; the pool goes with it).
 */
final class UploadWriter {
    /** An {@code O_DIRECT} channel on the temp and the alignment (bytes) its writes need. */
    record Direct(FileChannel channel, int align) {}

    /** Told on the loop. */
    interface Listener {
        /** A job finished: buffers may have been freed, bytes written, or the writer gone idle. */
        void progressed();

        /** A write failed, or no worker took a job ({@code busy}). Reported once. */
        void failed(Throwable error, boolean busy);
    }

    /** A buffer between the loop and the pool. */
    private static final class Slot {
        final ByteBuffer buf; // flipped: the bytes to write are [0, limit)
        boolean written;
        boolean hashed;

        Slot(ByteBuffer buf, boolean hashed) {
            this.buf = buf;
            this.hashed = hashed;
        }
    }

    private final EventLoop loop;
    private final Workers workers;
    private final UploadBufferPool pool;
    private final FileChannel file;
    private final Direct direct;
    private final MessageDigest digest;
    private final Listener listener;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();   // not yet back in the pool, in file order
    private final ArrayDeque<Slot> toWrite = new ArrayDeque<>();
    private final ArrayDeque<Slot> toHash = new ArrayDeque<>();
    private long nextWritePos;
    private long written;      // bytes written, a prefix of what was added
    private boolean writing;   // a write job is on a worker
    private boolean hashing;   // a hash job is on a worker
    private boolean failed;

    /**
     * @param startPos file position of the first byte added
     * @param direct null: everything through {@code file}
     * @param digest null: no hashing
     */
    UploadWriter(EventLoop loop, Workers workers, UploadBufferPool pool, FileChannel file, Direct direct,
                 MessageDigest digest, long startPos, Listener listener) {
        this.loop = loop;
        this.workers = workers;
        this.pool = pool;
        this.file = file;
        this.direct = direct;
        this.digest = digest;
        this.nextWritePos = startPos;
        this.listener = listener;
    }

    /** Queues a full (flipped) buffer; the writer owns it now. */
    void add(ByteBuffer buf) {
        loop.assertInLoop();
        if (failed) {
            pool.release(buf);
            return;
        }
        Slot s = new Slot(buf, digest == null);
        slots.add(s);
        toWrite.add(s);
        if (digest != null) {
            toHash.add(s);
        }
        writeNext();
        hashNext();
    }

    /** Buffers held (queued, being written or hashed). */
    int buffersHeld() {
        return slots.size();
    }

    /** Bytes on disk so far: a prefix of what was added. */
    long written() {
        return written;
    }

    /** Nothing queued and no job out: every byte added is written and hashed (or the writer failed). */
    boolean isIdle() {
        return !writing && !hashing && (failed || (toWrite.isEmpty() && toHash.isEmpty()));
    }

    boolean isDirect() {
        return direct != null;
    }

    /** Stops: nothing more is written; buffers go back once no job uses them. Loop thread. */
    void abort() {
        loop.assertInLoop();
        failed = true;
        toWrite.clear();
        toHash.clear();
        releaseIfStopped();
    }

    // ---- writes ------------------------------------------------------------------------------

    private void writeNext() {
        if (writing || failed || toWrite.isEmpty()) {
            return;
        }
        Slot[] batch = toWrite.toArray(new Slot[0]);
        toWrite.clear();
        ByteBuffer[] bufs = new ByteBuffer[batch.length];
        long bytes = 0;
        for (int i = 0; i < batch.length; i++) {
            bufs[i] = batch[i].buf.duplicate(); // the hash job reads the same bytes with its own position
            bytes += bufs[i].remaining();
        }
        long pos = nextWritePos;
        nextWritePos += bytes;
        writing = true;
        long n = bytes;
        boolean taken = workers.trySubmit(loop, () -> {
            write(file, direct, bufs, pos);
            return null;
        }, (none, error) -> wrote(batch, n, error));
        if (!taken) {
            writing = false;
            fail(null, true);
        }
    }

    private void wrote(Slot[] batch, long bytes, Throwable error) {
        writing = false;
        if (failed) {
            releaseIfStopped();
            return;
        }
        if (error != null) {
            fail(error, false);
            return;
        }
        for (Slot s : batch) {
            s.written = true;
        }
        written += bytes;
        releaseDone();
        writeNext();
        listener.progressed();
    }

    /**
     * Worker: writes {@code bufs} at {@code pos}, runs of whole aligned blocks through
     * {@code direct} (one gathering write each), the rest through {@code file}.
     */
    static void write(FileChannel file, Direct direct, ByteBuffer[] bufs, long pos) throws IOException {
        long p = pos;
        int i = 0;
        boolean useDirect = direct != null;
        while (i < bufs.length) {
            if (!bufs[i].hasRemaining()) {
                i++;
                continue;
            }
            if (useDirect && p % direct.align() == 0) {
                int align = direct.align();
                // the longest run of whole-block buffers from i, plus the whole blocks of the next one
                int end = i;
                long run = 0;
                int cut = -1;
                int cutLimit = 0;
                while (end < bufs.length) {
                    ByteBuffer b = bufs[end];
                    int r = b.remaining();
                    int blocks = r - r % align;
                    if (blocks == r && b.position() % align == 0) {
                        run += r;
                        end++;
                        continue;
                    }
                    if (blocks > 0 && b.position() % align == 0) {
                        cut = end;
                        cutLimit = b.limit();
                        b.limit(b.position() + blocks);
                        run += blocks;
                        end++;
                    }
                    break;
                }
                if (run > 0) {
                    FileChannel ch = direct.channel();
                    long done = 0;
                    try {
                        ch.position(p);
                        while (done < run) {
                            long n = ch.write(bufs, i, end - i);
                            done += n;
                            if (n <= 0 || (p + done) % align != 0) {
                                useDirect = false; // an odd short write: the rest goes through the page cache
                                break;
                            }
                        }
                    } finally {
                        if (cut >= 0) {
                            bufs[cut].limit(cutLimit);
                        }
                    }
                    p += done;
                    continue;
                }
            }
            ByteBuffer b = bufs[i];
            while (b.hasRemaining()) {
                p += file.write(b, p);
            }
            i++;
        }
    }

    // ---- hashing -----------------------------------------------------------------------------

    private void hashNext() {
        if (hashing || failed || toHash.isEmpty()) {
            return;
        }
        Slot[] batch = toHash.toArray(new Slot[0]);
        toHash.clear();
        ByteBuffer[] bufs = new ByteBuffer[batch.length];
        for (int i = 0; i < batch.length; i++) {
            bufs[i] = batch[i].buf.duplicate();
        }
        hashing = true;
        MessageDigest md = digest;
        boolean taken = workers.trySubmit(loop, () -> {
            for (ByteBuffer b : bufs) {
                md.update(b); // a throw, never expected of a MessageDigest, is reported, not left hanging
            }
            return null;
        }, (none, error) -> hashed(batch, error));
        if (!taken) {
            hashing = false;
            fail(null, true);
        }
    }

    private void hashed(Slot[] batch, Throwable error) {
        hashing = false;
        if (failed) {
            releaseIfStopped();
            return;
        }
        if (error != null) {
            fail(error, false);
            return;
        }
        for (Slot s : batch) {
            s.hashed = true;
        }
        releaseDone();
        hashNext();
        listener.progressed();
    }

    // ---- buffers and failure -------------------------------------------------------------------

    /** Gives back the buffers both chains are done with (they finish in file order). */
    private void releaseDone() {
        Slot s;
        while ((s = slots.peekFirst()) != null && s.written && s.hashed) {
            slots.pollFirst();
            pool.release(s.buf);
        }
    }

    private void releaseIfStopped() {
        if (writing || hashing) {
            return; // a job still reads some of these buffers
        }
        Slot s;
        while ((s = slots.pollFirst()) != null) {
            pool.release(s.buf);
        }
    }

    private void fail(Throwable error, boolean busy) {
        if (failed) {
            return;
        }
        abort();
        listener.failed(error, busy);
    }
}

package ferry.services.file;

import ferry.reactor.Call;
import ferry.reactor.FileRegion;
import ferry.reactor.Workers;
import java.nio.channels.FileChannel;

/**
 * Sends one GET's body: a range of an open file, zero-copy, window by window.
 *
 * <p>With read-ahead on, the range is cut into windows. A window is queued on the connection
 * ({@link Call#sendFileBody}) only after a worker has pulled it into the page cache
 * ({@link PageCacheWarmer}); the worker keeps up to the read-ahead distance ahead of what the
 * socket has taken. So the loop's {@code transferTo} reads memory, never waits on the disk, and a
 * cold multi-GiB download does not stall every other connection on the loop. With read-ahead off
 * (0), the whole range is one region: the loop may then block on a cold disk.
 *
 * <p>A window already in the page cache ({@link PageCacheProbe}, asked on the loop: mincore by
 * default) is not handed to a worker at all: consecutive cached windows are queued as one region.
 *
 * <p>If no worker is free to warm a window, the window is queued unwarmed: slower for this
 * loop, never an error in the middle of a body (which the protocol could not express).
 *
 * <p>The file is closed once nothing uses it any more: every queued window released and no warm
 * job running. A region that fails (the file shrank, the socket broke) has already made the
 * connection close; the download just stops.
 *
 * <pre>
 * States:  SENDING --last window queued--> QUEUED_ALL --last window sent--> DONE
 *          SENDING/QUEUED_ALL --region failed or connection closed--> STOPPED
 * (DONE and STOPPED close the file once no window or warm job is outstanding.)
 * </pre>
 *
 * <p>Threading contract: loop thread, except the warm jobs, which only touch the file channel.
 */
final class Download {
    private enum State { SENDING, QUEUED_ALL, DONE, STOPPED }

    private final FileContext ctx;
    private final Call call;
    private final FileChannel file;
    private final long end;
    private final long window;
    private final long ahead;
    private final PageCacheProbe.Session probe;
    private final Runnable onClosed;
    private long next;        // start of the next window to queue
    private long sentUpTo;    // everything before this has left through the socket
    private long warmedUpTo;  // everything before this has been warmed (or is to be sent cold)
    private int regionsOut;   // queued windows not yet released
    private boolean warming;  // a warm job is on a worker
    private boolean closed;
    private State state = State.SENDING;

    /**
     * @param firstWarmed how many bytes from {@code start} the opening worker already warmed
     * @param onClosed runs on the loop right after the file is closed (gives its download slot back)
     */
    Download(FileContext ctx, Call call, FileChannel file, long start, long count, long firstWarmed, Runnable onClosed) {
        this.ctx = ctx;
        this.call = call;
        this.file = file;
        this.next = start;
        this.sentUpTo = start;
        this.end = start + count;
        this.window = ctx.config.readAheadWindowBytes();
        this.ahead = ctx.config.readAheadBytes();
        this.probe = ctx.config.pageCacheProbe().open(file);
        this.warmedUpTo = start + firstWarmed;
        this.onClosed = onClosed;
    }

    /** Queues the body after the FILE header was sent. Loop thread. */
    void start() {
        call.loop().assertInLoop();
        call.onCancel(this::stop);
        if (next == end) {
            finishQueueing();
            state = State.DONE;
            closeIfUnused();
            return;
        }
        if (ahead == 0) {
            queue(end - next);
            return;
        }
        pump();
    }

    /**
     * Queues what is warm. Then, if there is room ahead, windows the {@link PageCacheProbe} finds
     * cached count as warm (queued together, up to the read-ahead distance) and the next one that
     * is not goes to a worker to be warmed.
     */
    private void pump() {
        while (state == State.SENDING) {
            if (next < warmedUpTo && next < end) {
                queue(Math.min(warmedUpTo, end) - next);
                continue;
            }
            if (warming || next >= end || next - sentUpTo >= ahead) {
                return;
            }
            long cachedTo = next;
            while (cachedTo < end && cachedTo - sentUpTo < ahead
                    && probe.isCached(cachedTo, Math.min(window, end - cachedTo))) {
                cachedTo += Math.min(window, end - cachedTo);
            }
            if (cachedTo > next) {
                warmedUpTo = cachedTo;
                continue;
            }
            warm(next, Math.min(window, end - next));
            return;
        }
    }

    /** Hands the window [from, from+len) to a worker to warm; sends it cold if none is free. */
    private void warm(long from, long len) {
        warming = true;
        boolean taken = ctx.bulk.trySubmit(call.loop(), () -> {
            ctx.warmer.warm(file, from, len);
            return null;
        }, new Workers.Completion<Object>() {
            @Override
            public void complete(Object none, Throwable error) {
                warmed(from + len); // an error: the send itself reports a real problem
            }

            @Override
            public void abandoned(Object none) {
                FileContext.closeQuietly(file); // the loop stopped while this job held the file open
            }
        });
        if (!taken) {
            warming = false;
            warmedUpTo = from + len; // no worker free: send it cold rather than fail mid-body
            pump();
        }
    }

    private void warmed(long upTo) {
        warming = false;
        warmedUpTo = Math.max(warmedUpTo, upTo);
        if (state == State.STOPPED) {
            closeIfUnused();
            return;
        }
        pump();
    }

    private void queue(long len) {
        long from = next;
        next += len;
        regionsOut++;
        FileRegion region = new FileRegion(file, from, len, false).whenDone(this::regionDone);
        boolean last = next == end;
        if (last) {
            state = State.QUEUED_ALL;
        }
        call.sendFileBody(region);
        if (last) {
            finishQueueing();
        }
    }

    /** The whole body is queued: the call may end (its output still drains in order). */
    private void finishQueueing() {
        call.end();
    }

    private void regionDone(FileRegion region, long sent, Throwable error) {
        regionsOut--;
        sentUpTo += sent;
        if (error != null) {
            state = State.STOPPED;
        } else if (state == State.QUEUED_ALL && sentUpTo == end) {
            state = State.DONE;
        }
        if (state == State.SENDING) {
            pump();
        } else {
            closeIfUnused();
        }
    }

    private void stop() {
        if (state == State.SENDING || state == State.QUEUED_ALL) {
            state = State.STOPPED;
        }
        closeIfUnused();
    }

    private void closeIfUnused() {
        if (closed || regionsOut > 0 || warming || state == State.SENDING || state == State.QUEUED_ALL) {
            return;
        }
        closed = true;
        probe.close();
        FileContext.closeQuietly(file);
        onClosed.run();
    }
}

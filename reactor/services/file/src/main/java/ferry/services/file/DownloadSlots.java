package ferry.services.file;

import ferry.protocol.ErrorCode;
import ferry.reactor.Call;
import ferry.reactor.EventLoop;
import ferry.reactor.Session;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Bounds the files that downloads hold open, per connection and in total, so that a client that
 * pipelines GETs and never reads cannot take the server's file descriptors. (A GET's call ends
 * once its body is queued, but its file stays open until the socket has taken the body, so
 * request-order alone bounds nothing: 128 pipelined GETs on a connection that never read held
 * 128 descriptors, and 156 such connections exhausted a 20,000-descriptor limit.)
 *
 * <p>A GET takes a {@link Slot} before its file is opened and releases it when the file is closed
 * again (the body was sent, the download stopped, the open or the digest failed, the connection
 * closed). Past the per-connection cap the GET waits, in request order, for one of its own
 * connection's downloads to close its file; past the total cap it is answered {@code busy} at
 * once (waiting there would let one client's stalled downloads hold every other client's GETs).
 *
 * <p>Threading contract: {@link #acquire} and a slot's {@link Slot#release} for a connection run
 * on that connection's loop thread (its state is a {@link Session} attribute); the total is an
 * atomic shared by all loops.
 */
final class DownloadSlots {
    private static final Session.Key<PerConnection> KEY = new Session.Key<>("download-slots");

    private final int perConnection;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();

    DownloadSlots(int perConnection, int total) {
        if (perConnection < 1 || total < 1) {
            throw new IllegalArgumentException("perConnection=" + perConnection + " total=" + total);
        }
        this.perConnection = perConnection;
        this.total = total;
    }

    /** One open file's place in the budget. Released exactly once, however many times asked. */
    final class Slot {
        private final PerConnection owner;
        private boolean released;

        private Slot(PerConnection owner) {
            this.owner = owner;
        }

        /** Gives the slot back and lets the connection's next waiting GET open its file. Loop thread. */
        void release() {
            if (released) {
                return;
            }
            released = true;
            open.decrementAndGet();
            owner.open--;
            if (!owner.waiting.isEmpty() && !owner.startQueued) {
                // Not inline: a release comes from deep inside the loop (a region the socket just
                // finished, inside the outbound queue's flush), and starting a GET may answer at once.
                owner.startQueued = true;
                owner.loop.execute(owner::startNext);
            }
        }
    }

    /** A connection's share: how many of its files are open, and the GETs waiting for room. */
    private final class PerConnection {
        private final EventLoop loop;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>(2);
        private int open;
        private boolean startQueued;

        private PerConnection(EventLoop loop) {
            this.loop = loop;
        }

        private void startNext() {
            startQueued = false;
            Pending p;
            while (open < perConnection && (p = waiting.pollFirst()) != null) {
                if (!p.call.isCancelled() && !p.call.isEnded()) {
                    grant(this, p.call, p.opener);
                }
            }
        }
    }

    private record Pending(Call call, Consumer<Slot> opener) {}

    /**
     * Runs {@code opener} with a slot now, or once the connection has room; answers {@code busy}
     * when the server's total is used up. The opener owns the slot: it must release it when its
     * file is closed, and also when it fails before opening. Loop thread.
     */
    void acquire(Call call, Consumer<Slot> opener) {
        PerConnection pc = call.session().get(KEY);
        if (pc == null) {
            pc = new PerConnection(call.loop());
            call.session().put(KEY, pc);
        }
        if (pc.open >= perConnection || !pc.waiting.isEmpty()) {
            pc.waiting.addLast(new Pending(call, opener));
            return;
        }
        grant(pc, call, opener);
    }

    private void grant(PerConnection pc, Call call, Consumer<Slot> opener) {
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            call.fail(ErrorCode.BUSY, "server busy: " + total + " files are being sent; retry later");
            return;
        }
        pc.open++;
        Slot slot = new Slot(pc);
        call.onCancel(slot::release); // a connection that closes before the open finishes
        opener.accept(slot);
    }

    /** Files held open by downloads now (all connections). */
    int open() {
        return open.get();
    }
}

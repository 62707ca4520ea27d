package ferry.reactor;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Where new connections come in, accepted or adopted: a socket is set up and wrapped in the
 * transport decorators, {@link Admission} counts it or refuses it on loop 0, and an admitted one
 * becomes a {@link Connection} on the next loop, round robin.
 *
 * <p>Threading: {@link #decorate} before the server starts; {@link #accepted} on loop 0;
 * {@link #wrap} and {@link #adopt} from any thread once the loops run.
 */
final class Intake {
    private final FerryServer server;
    private final Admission admission;
    private final AtomicLong connectionIds = new AtomicLong();
    private UnaryOperator<Transport> decorator = UnaryOperator.identity();
    private LoopGroup group;

    Intake(FerryServer server, Admission admission) {
        this.server = server;
        this.admission = admission;
    }

    /** Adds {@code outer} around the decorators so far. Before start. */
    void decorate(UnaryOperator<Transport> outer) {
        Objects.requireNonNull(outer);
        UnaryOperator<Transport> inner = decorator;
        decorator = t -> outer.apply(inner.apply(t));
    }

    /** The loops connections go to, once they exist. */
    void start(LoopGroup loops) {
        this.group = loops;
    }

    /**
     * A connected socket made ready for a connection: non-blocking, the configured options, the
     * decorators around it. Closes the socket and throws when that fails.
     */
    Transport wrap(SocketChannel ch) throws IOException {
        Acceptor.configure(ch, server.config());
        try {
            return decorator.apply(new SocketTransport(ch));
        } catch (IOException | RuntimeException e) {
            FerryServer.closeQuietly(ch);
            throw e;
        }
    }

    /** The acceptor took {@code ch}. Loop 0. */
    void accepted(SocketChannel ch) {
        Transport transport;
        try {
            transport = wrap(ch);
        } catch (IOException | RuntimeException e) {
            return; // closed by wrap; the peer sees its connection end
        }
        admit(transport);
    }

    /** A connection over {@code transport} is admitted on loop 0. Any thread. */
    void adopt(Transport transport) {
        onLoop(group.first(), () -> admit(transport));
    }

    /** Applies the limits to a new connection on loop 0 and hands it to a loop, round robin. */
    private void admit(Transport transport) {
        Admission.Ticket ticket = admission.admit(transport, group.first(), server.isShuttingDown());
        if (ticket == null) {
            return;
        }
        int idx = group.nextIndex();
        EventLoop loop = group.loop(idx);
        String remoteText = Admission.describe(transport.remoteAddress());
        onLoop(loop, () -> {
            Connection c = new Connection(connectionIds.incrementAndGet(), server, loop, group.codec(idx), transport,
                    remoteText, loop.clock().nanoTime(), ticket.counted(), ticket.proxied());
            try {
                c.open();
            } catch (IOException e) {
                c.close("register failed: " + e.getMessage());
                return;
            }
            group.add(idx, c);
            ServerLog log = server.log();
            if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
                log.info(c.name() + " " + remoteText + " open");
            }
        });
    }

    private static void onLoop(EventLoop loop, Runnable r) {
        if (loop.inLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }
}

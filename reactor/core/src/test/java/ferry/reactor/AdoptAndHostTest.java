package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link FerryServer#adopt} and {@link FerryServer#startHosted} over real loopback sockets (the
 * socket is the point): caps, decorators and refusals apply to adopted channels, and a hosted loop
 * belongs to the thread that drives it.
 */
class AdoptAndHostTest {
    /** The application's own listener on loopback. */
    private static ServerSocketChannel listener() throws Exception {
        ServerSocketChannel l = ServerSocketChannel.open();
        l.bind(new InetSocketAddress("127.0.0.1", 0));
        return l;
    }

    private static int port(ServerSocketChannel l) throws Exception {
        return ((InetSocketAddress) l.getLocalAddress()).getPort();
    }

    @Test
    void adoptedChannelsMeetThePerAddressCapAndTheDecorators() throws Exception {
        AtomicInteger decorated = new AtomicInteger();
        FerryServer server = new FerryServer(TestServers.config().maxConnectionsPerAddress(1)
                .perAddressCapCoversLoopback(true).build());
        server.listen(false).decorateTransports(t -> {
            decorated.incrementAndGet();
            return t;
        });
        server.start();
        try (ServerSocketChannel l = listener();
             RawPeer first = new RawPeer(port(l)); RawPeer second = new RawPeer(port(l))) {
            server.adopt(l.accept());
            server.adopt(l.accept());
            first.send(Header.op("PING").put(Header.ID, 1));
            assertEquals("PONG", first.read().op());
            RawPeer.Frame refused = second.read();
            assertEquals(ErrorCode.SERVER_FULL, refused.header().getString("code", null));
            assertTrue(refused.header().getString("message", "").contains("too many connections from 127.0.0.1"));
            assertTrue(second.closedByServer());
            assertEquals(2, decorated.get(), "every adopted channel went through the decorators");
            assertEquals(1, server.stats().connectionsRefused.sum());
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
        ReactorTest.waitUntil(() -> server.perAddressEntries() == 0);
    }

    @Test
    void aServerThatDoesNotListenHasNoPortAndAdoptsOnlyWhileRunning() throws Exception {
        FerryServer server = new FerryServer(TestServers.config().build());
        server.listen(false);
        try (SocketChannel unconnected = SocketChannel.open()) {
            assertThrows(IllegalStateException.class, () -> server.adopt(unconnected), "not started yet");
            assertTrue(unconnected.isOpen(), "a refused hand-over leaves the channel to the caller");
            server.start();
            IllegalStateException noPort = assertThrows(IllegalStateException.class, server::port);
            assertTrue(noPort.getMessage().contains("does not listen"), noPort.getMessage());
            assertThrows(IllegalStateException.class, () -> server.listen(true), "chosen before start");
            assertThrows(java.io.IOException.class, () -> server.adopt(unconnected), "not connected");
            assertFalse(unconnected.isOpen(), "a channel that cannot be set up is closed");
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHostedLoopBelongsToTheThreadThatDrivesItAndStopsFromIt() throws Exception {
        FerryServer server = new FerryServer(TestServers.config().loops(1).build());
        LoopInvoker invoker = server.startHosted();
        try (RawPeer p = new RawPeer(server.port())) {
            p.send(Header.op("PING").put(Header.ID, 1));
            CompletableFuture<RawPeer.Frame> pong = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pong.isDone() && System.nanoTime() < deadline) {
                invoker.runOnce(MemoryServer.WAIT_PASS_MILLIS);
            }
            assertEquals("PONG", pong.get(1, TimeUnit.SECONDS).op());
            CompletableFuture<Throwable> fromElsewhere = CompletableFuture.supplyAsync(() -> {
                try {
                    invoker.doWork();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertInstanceOf(IllegalStateException.class, fromElsewhere.get(10, TimeUnit.SECONDS),
                    "only the host thread may drive the loop");
            server.stop(2, TimeUnit.SECONDS); // from the host: the open connection is told and closed
            RawPeer.Frame bye = p.read();
            assertEquals(ErrorCode.SHUTTING_DOWN, bye.header().getString("code", null));
            assertTrue(p.closedByServer());
        }
        assertFalse(invoker.isRunning());
        assertThrows(IllegalStateException.class, invoker::doWork, "a stopped loop runs no more");
    }

    @Test
    void aHostedServerHasOneLoopAndALoopWithItsOwnThreadCannotBeHosted() throws Exception {
        FerryServer two = new FerryServer(TestServers.config().loops(2).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, two::startHosted);
        assertTrue(e.getMessage().contains("one loop"), e.getMessage());
        EventLoop own = new EventLoop("own", Clock.SYSTEM, 4096, 4096, 1, null);
        own.start();
        try {
            assertThrows(IllegalStateException.class, () -> own.runOnce(0));
        } finally {
            own.shutdown(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anotherThreadMayStopAHostedServerWhileTheHostKeepsInvoking() throws Exception {
        FerryServer server = new FerryServer(TestServers.config().loops(1).build());
        LoopInvoker invoker = server.startHosted();
        invoker.doWork(); // this thread is the host from now on
        try (RawPeer p = new RawPeer(server.port())) {
            Thread stopper = new Thread(() -> server.stop(2, TimeUnit.SECONDS), "stopper");
            stopper.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (invoker.isRunning() && System.nanoTime() < deadline) {
                invoker.runOnce(MemoryServer.WAIT_PASS_MILLIS); // the stop's steps run on these passes
            }
            stopper.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(stopper.isAlive(), "stop() returned");
            assertFalse(invoker.isRunning(), "the host's pass closed the loop");
            assertEquals(ErrorCode.SHUTTING_DOWN, p.read().header().getString("code", null));
            assertTrue(p.closedByServer());
        }
        assertThrows(IllegalStateException.class, invoker::doWork);
    }
}

package ferry.examples;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.LoopInvoker;
import ferry.reactor.Sequencing;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An application that drives Ferry's event loop from a thread of its own (a game tick, a GUI
 * thread, a simulation step), Agrona's AgentInvoker style: Ferry starts no loop thread; each
 * {@code runOnce} waits a little for I/O and does what is due, and the handlers run on the
 * application's thread between its own work. docs/EMBEDDING.md quotes this file; public API only.
 */
class HostedLoopTest {
    /** How long one pass may wait for I/O before the application does its own work again. */
    static final long PASS_MILLIS = 10;

    @Test
    void theApplicationsThreadRunsTheLoop() throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).loops(1).build(), ServerLog.NONE);
        server.install(ctx -> ctx.registerPublic("WHERE", call -> {
            call.reply(Header.reply("WHERE", call.id()).put("thread", Thread.currentThread().getName()));
            return null;
        }, Sequencing.READ));
        LoopInvoker invoker = server.startHosted();             // binds; no loop thread is started
        int port = server.port();

        // A client elsewhere (here another thread of the test) talks to the server meanwhile.
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try (FerryClient c = FerryClient.connect("127.0.0.1", port)) {
                return c.call(Header.op("WHERE")).getString("thread", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long ticks = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answer.isDone() && System.nanoTime() < deadline) {
            invoker.runOnce(PASS_MILLIS);                       // Ferry's share of the tick
            ticks++;                                            // ... the application's own work
        }
        assertEquals(Thread.currentThread().getName(), answer.get(1, TimeUnit.SECONDS),
                "the handler ran on the application's thread");
        assertTrue(ticks > 0);

        server.stop(1, TimeUnit.SECONDS);                       // from the host thread: it drives the loop itself
        assertFalse(invoker.isRunning());
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;

/**
 * Ferry's Netty {@code EmbeddedChannel}: a whole server (dispatch, flow control, timeouts,
 * closing) on one hosted loop that the test steps itself, a fake clock, and peers on
 * {@link MemoryTransport}s instead of sockets. The test's thread is the loop thread, so what a test
 * sees after {@link #runUntilIdle()} is deterministic: no thread races the assertions.
 *
 * <pre>{@code
 * try (MemoryServer s = MemoryServer.start(TestServers.config())) {
 *     MemoryPeer p = s.connect();
 *     p.send(Header.op("PING").put(Header.ID, 1));
 *     assertEquals("PONG", p.read().op());
 * }
 * }</pre>
 *
 * <p>Ops that hand work to worker threads answer when the worker posts back; {@link MemoryPeer#read}
 * runs the loop until a frame arrives (bounded by a real-time deadline so a missing answer fails
 * the test instead of hanging it).
 */
public final class MemoryServer implements AutoCloseable {
    /** Passes {@link #runUntilIdle} allows before it calls the loop stuck (busy for ever). */
    static final int MAX_PASSES = 100_000;
    /** Longest wait of one pass while a peer waits for a worker's answer. */
    static final long WAIT_PASS_MILLIS = 10;
    /** How long a peer waits for an answer before the test fails; real time, only hit by a bug. */
    static final long ANSWER_DEADLINE_MILLIS = 10_000;

    final TestServers.FakeClock clock;
    final FerryServer server;
    final LoopInvoker invoker;
    private int nextPort = 40_000;

    /** A started server on {@code config} (its clock and loop count replaced), with {@code services}. */
    public static MemoryServer start(ServerConfig.Builder config, FerryService... services) throws Exception {
        TestServers.FakeClock clock = new TestServers.FakeClock();
        FerryServer s = new FerryServer(config.clock(clock).loops(1).build());
        for (FerryService svc : services) {
            s.install(svc);
        }
        s.listen(false);
        MemoryServer m = new MemoryServer(s, s.startHosted(), clock);
        m.runUntilIdle();
        return m;
    }

    private MemoryServer(FerryServer server, LoopInvoker invoker, TestServers.FakeClock clock) {
        this.server = server;
        this.invoker = invoker;
        this.clock = clock;
    }

    public FerryServer server() {
        return server;
    }

    /** A new peer whose connection the server adopted; it has sent the preamble. */
    public MemoryPeer connect() {
        return connect(true);
    }

    /** A new peer; with {@code sendPreamble} false it has sent nothing yet. */
    public MemoryPeer connect(boolean sendPreamble) {
        return connect(new MemoryTransport(nextPort++), sendPreamble);
    }

    /** A peer on {@code transport} (set up by the test: write limits, zero copy). */
    public MemoryPeer connect(MemoryTransport transport, boolean sendPreamble) {
        server.adopt(transport);
        MemoryPeer p = new MemoryPeer(this, transport);
        if (sendPreamble) {
            p.sendRaw(ferry.protocol.Preamble.bytes());
        }
        runUntilIdle();
        return p;
    }

    /** Runs passes (none waits) until one does no work. Returns the passes run. */
    public int runUntilIdle() {
        for (int i = 1; i <= MAX_PASSES; i++) {
            if (invoker.doWork() == 0) {
                return i;
            }
        }
        fail("the loop was still busy after " + MAX_PASSES + " passes");
        return MAX_PASSES;
    }

    /** One pass that may wait up to {@link #WAIT_PASS_MILLIS} for a worker to post back. */
    void waitPass() {
        invoker.runOnce(WAIT_PASS_MILLIS);
    }

    /** Moves the fake clock, then runs what became due (timeout sweeps, timers). */
    public void advanceMillis(long ms) {
        clock.advanceMillis(ms);
        runUntilIdle();
    }

    /** Now on the server's clock, in nanoseconds. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    @Override
    public void close() {
        server.stop(0, TimeUnit.MILLISECONDS);
    }
}

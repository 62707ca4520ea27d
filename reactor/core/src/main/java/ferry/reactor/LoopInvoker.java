package ferry.reactor;

/**
 * Drives a server's event loop from a thread of the application's own (Agrona's
 * {@code AgentInvoker}), for hosts that already run a loop of their own (a game tick, a GUI
 * thread, a test) and want no thread from Ferry for I/O. Obtained from
 * {@link FerryServer#startHosted()}.
 *
 * <pre>{@code
 * LoopInvoker invoker = server.startHosted();
 * while (invoker.isRunning()) {
 *     invoker.runOnce(10);   // waits up to 10 ms for I/O, then does what is due
 *     // ... the host's own work ...
 * }
 * }</pre>
 *
 * <p>Threading: the first thread that calls {@link #runOnce} or {@link #doWork} becomes the loop's
 * thread for good; calls from any other thread throw. Handlers run on it, as they would on a loop
 * thread: they must not block it. Workers, timers and {@link EventLoop#execute} work as with a
 * threaded loop; their tasks run at the host's next pass. {@link FerryServer#stop()} may be called
 * from the host thread (it then runs passes itself while connections drain) or from another thread
 * while the host keeps invoking.
 */
public final class LoopInvoker {
    private final FerryServer server;
    private final EventLoop loop;

    LoopInvoker(FerryServer server, EventLoop loop) {
        this.server = server;
        this.loop = loop;
    }

    /**
     * One pass of the loop: waits up to {@code maxWaitMillis} for I/O (0: not at all; less when a
     * timer or task is due sooner), then handles ready sockets, runs queued tasks and due timers,
     * and writes what they produced.
     *
     * @return the work done (ready sockets, tasks, timers, flushes); 0 when the pass was idle
     * @throws IllegalStateException after the server stopped, or from another thread than the host
     */
    public int runOnce(long maxWaitMillis) {
        return loop.runOnce(maxWaitMillis);
    }

    /** A pass that does not wait: what is ready or due now. Same as {@code runOnce(0)}. */
    public int doWork() {
        return loop.runOnce(0);
    }

    /** Whether the server has not finished stopping: the host keeps invoking while this is true. */
    public boolean isRunning() {
        return loop.isOpen();
    }

    /** The loop being driven (for {@link EventLoop#execute} and {@link EventLoop#schedule}). */
    public EventLoop loop() {
        return loop;
    }
}

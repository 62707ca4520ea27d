package ferry.reactor;

import ferry.protocol.FrameLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A Ferry server: one or more event loops, an acceptor, the worker pool, and the ops installed
 * by services.
 *
 * <pre>{@code
 * FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
 * server.install(myService);          // or server.register("MYOP", handler)
 * server.start();
 * int port = server.port();
 * ...
 * server.stop();
 * }</pre>
 *
 * <p>Threading: configure ({@code install}, {@code register}) from one thread before
 * {@link #start()}; after that the op table is read-only. {@link #start()} and {@link #stop()} may
 * be called from any thread except a loop thread. Each connection lives on one loop for its life.
 */
public final class FerryServer implements ServerContext, AutoCloseable {
    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    /** After an error close, input is drained this long so our ERROR frame is not lost to a TCP reset. */
    static final long LINGER_MILLIS = Admission.LINGER_MILLIS;
    /** Refused sockets allowed to linger at once (see {@link Admission#MAX_LINGERING_REFUSALS}). */
    static final int MAX_LINGERING_REFUSALS = Admission.MAX_LINGERING_REFUSALS;
    /** How often {@link #stop} looks whether the connections have drained. */
    private static final long STOP_POLL_MILLIS = 5;

    private final ServerConfig config;
    private final ServerLog log;
    private final ServerStats stats = new ServerStats();
    private final Ops ops = new Ops();
    private final Set<String> features = new LinkedHashSet<>();
    private final List<Runnable> stopHooks = new ArrayList<>();
    private volatile RequestObserver[] requestObservers = new RequestObserver[0];
    private UnaryOperator<Transport> transportDecorator = UnaryOperator.identity();
    private final Workers workers;
    private final Workers bulkWorkers;
    private final Workers loginWorkers;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final Admission admission;
    private boolean listen = true;
    private EventLoop[] loops;
    private LoopCodec[] codecs; // index i owned by loops[i]
    private List<Connection>[] connectionsByLoop; // index i owned by loops[i]
    private Acceptor acceptor; // null when not listening
    private volatile int boundPort = -1;
    private volatile State state = State.NEW;
    private volatile boolean shuttingDown;

    public FerryServer(ServerConfig config, ServerLog log) {
        this.config = config;
        this.log = log;
        this.workers = new Workers("ferry-worker", config.workerThreads(), config.workerQueue());
        this.bulkWorkers = new Workers("ferry-bulk", config.bulkWorkerThreads(), config.workerQueue());
        this.loginWorkers = new Workers("ferry-login", config.loginWorkerThreads(), config.workerQueue());
        this.admission = new Admission(config, log, stats);
        new CoreService(this).install(this);
    }

    public FerryServer(ServerConfig config) {
        this(config, ServerLog.NONE);
    }

    // ---- ServerContext ---------------------------------------------------------------------

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public Workers workers() {
        return workers;
    }

    @Override
    public Workers workers(WorkerLane lane) {
        return switch (lane) {
            case METADATA -> workers;
            case BULK -> bulkWorkers;
            case LOGIN -> loginWorkers;
        };
    }

    @Override
    public ServerLog log() {
        return log;
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    @Override
    public void register(String op, OpHandler handler) {
        add(op, handler, false, Sequencing.WRITE);
    }

    @Override
    public void register(String op, OpHandler handler, Sequencing sequencing) {
        add(op, handler, false, sequencing);
    }

    @Override
    public void registerPublic(String op, OpHandler handler) {
        add(op, handler, true, Sequencing.WRITE);
    }

    @Override
    public void registerPublic(String op, OpHandler handler, Sequencing sequencing) {
        add(op, handler, true, sequencing);
    }

    private synchronized void add(String op, OpHandler handler, boolean isPublic, Sequencing sequencing) {
        if (state != State.NEW) {
            throw new IllegalStateException("register ops before start()");
        }
        ops.add(op, handler, isPublic, sequencing);
    }

    @Override
    public synchronized void addFeature(String feature) {
        features.add(feature);
    }

    @Override
    public synchronized void addRequestObserver(RequestObserver observer) {
        if (state != State.NEW) {
            throw new IllegalStateException("add request observers before start()");
        }
        RequestObserver[] more = java.util.Arrays.copyOf(requestObservers, requestObservers.length + 1);
        more[more.length - 1] = java.util.Objects.requireNonNull(observer);
        requestObservers = more;
    }

    /** The registered observers; fixed once the server runs. */
    RequestObserver[] requestObservers() {
        return requestObservers;
    }

    @Override
    public synchronized void onStop(Runnable hook) {
        stopHooks.add(hook);
    }

    /**
     * Wraps the transport of every connection before anything is written to or read from it (TLS,
     * instrumentation): the connection, and a refusal, talk to the peer only through what
     * {@code decorator} returns. Decorators compose, the last one added outermost. Before
     * {@link #start()}; {@code decorator} then runs on the accepting loop.
     */
    public synchronized FerryServer decorateTransports(UnaryOperator<Transport> decorator) {
        if (state != State.NEW) {
            throw new IllegalStateException("decorate transports before start()");
        }
        UnaryOperator<Transport> inner = transportDecorator;
        UnaryOperator<Transport> outer = java.util.Objects.requireNonNull(decorator);
        transportDecorator = t -> outer.apply(inner.apply(t));
        return this;
    }

    /** Installs a service: its ops, features and hooks. Before {@link #start()}. */
    public FerryServer install(FerryService service) throws Exception {
        if (state != State.NEW) {
            throw new IllegalStateException("install services before start()");
        }
        service.install(this);
        return this;
    }

    /** The op table; read-only once the server runs. */
    Ops opTable() {
        return ops;
    }

    /**
     * The ops registered so far, sorted: the bounded label set a metrics exporter counts requests
     * by (a client may send any op name; the unknown ones must not each become a series).
     */
    public synchronized List<String> ops() {
        return ops.names();
    }

    synchronized List<String> features() {
        return new ArrayList<>(features);
    }

    /** True once {@link #stop} has begun. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /**
     * Whether {@link #start()} binds the configured address (the default) or the server takes only
     * connections the application hands it through {@link #adopt}. Before start.
     */
    public synchronized FerryServer listen(boolean on) {
        if (state != State.NEW) {
            throw new IllegalStateException("choose whether to listen before start()");
        }
        listen = on;
        return this;
    }

    /** Binds (unless {@link #listen listen(false)}) and starts the loop threads. Returns once accepting. */
    public synchronized void start() throws IOException {
        startLoops(false);
    }

    /**
     * Starts the server with its one loop driven by the caller instead of a thread of its own:
     * nothing moves until a host thread calls {@link LoopInvoker#runOnce} (see there). Workers
     * still have their threads. The configuration must ask for one loop.
     */
    public synchronized LoopInvoker startHosted() throws IOException {
        if (config.loops() != 1) {
            throw new IllegalStateException("a hosted server has one loop; the configuration asks for " + config.loops());
        }
        startLoops(true);
        return new LoopInvoker(this, loops[0]);
    }

    @SuppressWarnings("unchecked")
    private void startLoops(boolean hosted) throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("server already started");
        }
        Acceptor acc = listen ? Acceptor.bind(config, log, stats, this::accepted) : null;
        loops = new EventLoop[config.loops()];
        codecs = new LoopCodec[config.loops()];
        connectionsByLoop = new List[config.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop("ferry-loop-" + i, config.clock(), config.readBufferBytes(),
                    config.poolBufferBytes(), config.maxPooledBuffers(),
                    (where, error) -> log.warn("loop error in " + where + ": " + error, error));
            codecs[i] = new LoopCodec(outboundHeaderBytes());
            connectionsByLoop[i] = new ArrayList<>();
        }
        state = State.RUNNING;
        for (int i = 0; i < loops.length; i++) {
            if (!hosted) {
                loops[i].start();
            }
            int idx = i;
            loops[i].execute(() -> scheduleSweep(idx));
        }
        if (acc != null) {
            boundPort = acc.port();
            runOnAllLoops(i -> {
                if (i == 0) {
                    acc.register(loops[0]);
                    acceptor = acc;
                }
            });
            if (acceptor == null) {
                acc.close();
                throw new IOException("could not start accepting on " + config.bindAddress() + ":" + boundPort);
            }
        }
        log.info((acc != null ? "listening on " + config.bindAddress() + ":" + boundPort : "not listening (adopted connections only)")
                + " (loops=" + loops.length + (hosted ? ", hosted" : "")
                + ", workers=" + config.workerThreads() + ", login " + (config.loginRequired() ? "required" : "not required")
                + (config.proxyProtocol() ? ", PROXY protocol from " + config.trustedProxies() : "") + ")");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        if (boundPort < 0) {
            throw new IllegalStateException(state == State.NEW || listen ? "server not started" : "server does not listen");
        }
        return boundPort;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(config.bindAddress(), port());
    }

    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Largest header the server sends. {@code --max-header} limits what the server accepts (its
     * memory per connection); answers are bounded by what clients accept, the protocol's default,
     * unless the operator allows more. Tying the two made a STAT of a 200-byte name fail to encode
     * under {@code --max-header 256}, and then its ERROR too, leaving the client waiting for ever.
     */
    private int outboundHeaderBytes() {
        return Math.max(config.frameLimits().maxHeaderBytes(), FrameLimits.DEFAULT_MAX_HEADER_BYTES);
    }

    /** Errors the loops survived, summed. */
    public long loopErrors() {
        long n = 0;
        for (EventLoop l : loops) {
            n += l.errors();
        }
        return n;
    }

    /**
     * Passes the loops made, summed. A loop that spins (wakes with nothing to do, over and over)
     * shows as a count racing ahead of the work done: tests compare it with the events they caused
     * instead of measuring CPU time.
     */
    public long loopIterations() {
        long n = 0;
        for (EventLoop l : loops) {
            n += l.iterations();
        }
        return n;
    }

    /** Graceful stop with the configured grace period. */
    public void stop() {
        stop(config.shutdownGraceMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops accepting, lets in-flight requests finish and their answers drain for up to
     * {@code grace}, then closes what remains, runs stop hooks, and stops workers and loops.
     * Requests arriving meanwhile get {@code ERROR shutting_down}. Blocks until done. From any
     * thread but a loop's own; a hosted server's host thread may call it (it then drives the loop).
     */
    public void stop(long grace, TimeUnit unit) {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING;
        }
        shuttingDown = true;
        long deadline = System.nanoTime() + unit.toNanos(grace);
        runOnAllLoops(i -> {
            if (i == 0 && acceptor != null) {
                acceptor.close();
            }
            for (Connection c : new ArrayList<>(connectionsByLoop[i])) {
                c.shutdownGracefully();
            }
        });
        while (stats.connectionsOpen.get() > 0 && System.nanoTime() < deadline) {
            waitForLoops();
        }
        runOnAllLoops(i -> {
            for (Connection c : new ArrayList<>(connectionsByLoop[i])) {
                c.close("server stopped");
            }
        });
        runStopHooks();
        try {
            for (Workers w : new Workers[] {workers, bulkWorkers, loginWorkers}) {
                w.shutdown(Math.max(0, deadline - System.nanoTime()));
            }
            for (EventLoop l : loops) {
                l.shutdown(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
        log.info("stopped " + stats);
        log.drain(1000);
    }

    /** A short wait while connections drain: a pass of the loop when we are its host, else a sleep. */
    private void waitForLoops() {
        if (loops[0].inLoop()) {
            loops[0].runOnce(STOP_POLL_MILLIS);
            return;
        }
        try {
            Thread.sleep(STOP_POLL_MILLIS); // stop() is a caller's blocking call, not loop code
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shuttingDown = true;
        }
    }

    private void runStopHooks() {
        List<Runnable> hooks;
        synchronized (this) {
            hooks = new ArrayList<>(stopHooks);
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                log.warn("stop hook failed: " + e, e);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    private interface LoopTask {
        void run(int loopIndex) throws IOException;
    }

    /**
     * Runs {@code task} on every loop and waits for all of them: inline on a loop the caller is the
     * thread of (a hosted loop's host, or before a hosted loop first ran), else as a loop task.
     */
    private void runOnAllLoops(LoopTask task) {
        CountDownLatch done = new CountDownLatch(loops.length);
        for (int i = 0; i < loops.length; i++) {
            int idx = i;
            Runnable r = () -> {
                try {
                    task.run(idx);
                } catch (IOException e) {
                    log.warn("on loop " + idx + ": " + e.getMessage(), e);
                } finally {
                    done.countDown();
                }
            };
            if (loops[i].inLoop() || !loops[i].hasThread()) {
                r.run();
            } else {
                loops[i].execute(r);
            }
        }
        try {
            done.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- new connections ---------------------------------------------------------------------

    /**
     * Takes a connection the application accepted itself (Jetty's {@code SelectorManager.accept}):
     * a connected socket, blocking or not, from the application's own listener, a socket
     * activation, or a port it shares. It is made non-blocking, given the configured socket
     * options and transport decorators, and then counts against the same limits as an accepted one
     * (refused with a reason over them). From any thread, once the server runs.
     *
     * @throws IllegalStateException when the server is not running (the channel stays the caller's)
     * @throws IOException when the socket cannot be set up (it is closed)
     */
    public void adopt(SocketChannel channel) throws IOException {
        if (!isRunning()) {
            throw new IllegalStateException("adopt connections while the server runs");
        }
        Acceptor.configure(channel, config);
        Transport t;
        try {
            t = transportDecorator.apply(new SocketTransport(channel));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        adopt(t);
    }

    /**
     * Takes a connection over any {@link Transport} (one the application built, or an in-memory
     * one in tests). Limits apply as for accepted sockets. From any thread, once the server runs.
     */
    public void adopt(Transport transport) {
        if (!isRunning()) {
            throw new IllegalStateException("adopt connections while the server runs");
        }
        onLoop(loops[0], () -> admit(transport));
    }

    private void accepted(SocketChannel ch) {
        Transport transport;
        try {
            Acceptor.configure(ch, config);
            transport = transportDecorator.apply(new SocketTransport(ch));
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return;
        }
        admit(transport);
    }

    /** Applies the limits to a new connection on loop 0 and hands it to a loop, round robin. */
    private void admit(Transport transport) {
        Admission.Ticket ticket = admission.admit(transport, loops[0], shuttingDown);
        if (ticket == null) {
            return;
        }
        int idx = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
        EventLoop loop = loops[idx];
        String remoteText = Admission.describe(transport.remoteAddress());
        onLoop(loop, () -> {
            Connection c = new Connection(connectionIds.incrementAndGet(), this, loop, codecs[idx], transport, remoteText,
                    loop.clock().nanoTime(), ticket.counted(), ticket.proxied());
            try {
                c.open();
            } catch (IOException e) {
                c.close("register failed: " + e.getMessage());
                return;
            }
            List<Connection> list = connectionsByLoop[idx];
            c.indexInLoop = list.size();
            list.add(c);
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

    boolean admitFrom(InetAddress addr) {
        return admission.admitFrom(addr);
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to report
        }
    }

    // ---- connection bookkeeping (called on the connection's loop) ------------------------------

    void connectionClosed(Connection c, String reason) {
        admission.release(c.countedAddress());
        int loopIdx = indexOf(c.loop());
        List<Connection> list = connectionsByLoop[loopIdx];
        int i = c.indexInLoop;
        if (i >= 0 && i < list.size() && list.get(i) == c) {
            Connection last = list.remove(list.size() - 1);
            if (last != c) {
                list.set(i, last);
                last.indexInLoop = i;
            }
            c.indexInLoop = -1;
        }
        if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            log.info(c.name() + " " + c.session().remoteAddress() + " closed: " + reason);
        }
    }

    private int indexOf(EventLoop loop) {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        throw new IllegalStateException("unknown loop " + loop);
    }

    void countHandlerError() {
        stats.handlerErrors.increment();
    }

    private void scheduleSweep(int idx) {
        loops[idx].schedule(TimeUnit.MILLISECONDS.toNanos(config.timeoutSweepMillis()), () -> {
            sweepTimeouts(idx, loops[idx].clock().nanoTime());
            if (state == State.RUNNING || state == State.STOPPING) {
                scheduleSweep(idx);
            }
        });
    }

    /** Closes this loop's connections whose timeouts passed at {@code nowNanos}. Loop thread. */
    void sweepTimeouts(int idx, long nowNanos) {
        List<Connection> list = connectionsByLoop[idx];
        for (int i = list.size() - 1; i >= 0; i--) {
            if (i >= list.size()) {
                continue; // a close removed more than one
            }
            Connection c = list.get(i);
            c.relieveGlobalPause();
            String reason = c.expiredTimeout(nowNanos);
            if (reason != null) {
                if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
                    log.info(c.name() + " " + c.session().remoteAddress() + " " + reason);
                }
                c.timeout(reason);
            }
        }
    }

    /** Runs {@link #sweepTimeouts} on every loop now and waits (for fake-clock tests). */
    void sweepAllNow() {
        runOnAllLoops(i -> sweepTimeouts(i, loops[i].clock().nanoTime()));
    }

    /** The largest buffered output of any connection now, read on the loops (for tests). */
    long maxPendingBytes() {
        AtomicLong max = new AtomicLong();
        runOnAllLoops(i -> {
            for (Connection c : connectionsByLoop[i]) {
                max.accumulateAndGet(c.pendingBytes(), Math::max);
            }
        });
        return max.get();
    }

    /** Remote addresses with open connections counted against the per-address cap (for tests). */
    int perAddressEntries() {
        return admission.perAddressEntries();
    }

    /** Open connections per loop, read on the loops (for tests and stats). */
    int connectionCount() {
        AtomicInteger n = new AtomicInteger();
        runOnAllLoops(i -> n.addAndGet(connectionsByLoop[i].size()));
        return n.get();
    }
}

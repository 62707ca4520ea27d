package ferry.reactor;

import ferry.protocol.FrameLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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

    private final ServerConfig config;
    private final ServerLog log;
    private final ServerStats stats = new ServerStats();
    private final Ops ops = new Ops();
    private final Set<String> features = new LinkedHashSet<>();
    private final ServerShutdown shutdown;
    private final RequestObservers requestObservers;
    private final WorkerPools pools;
    private final ServiceTimers serviceTimers;
    private final UserRates userRates;
    private final Admission admission;
    private final Intake intake;
    private boolean listen = true;
    private LoopGroup group;
    private EventLoop[] loops; // group's, fixed at start
    private Acceptor acceptor; // null when not listening
    private volatile int boundPort = -1;
    private volatile State state = State.NEW;
    private volatile boolean shuttingDown;

    public FerryServer(ServerConfig config, ServerLog log) {
        this.config = config;
        this.log = log;
        this.pools = new WorkerPools(config);
        this.requestObservers = new RequestObservers(log, stats);
        this.shutdown = new ServerShutdown(log, stats);
        this.admission = new Admission(config, log, stats);
        this.intake = new Intake(this, admission);
        this.serviceTimers = new ServiceTimers(this::workers, log);
        this.userRates = new UserRates(config.clock());
        new CoreService(this).install(this);
        if (config.tls() != null) { // handshake crypto on the login lane, never a loop
            decorateTransports(config.tls().decorator(pools.lane(WorkerLane.LOGIN)::execute, config.maxPooledBuffers()));
        }
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
        return pools.lane(WorkerLane.METADATA);
    }

    @Override
    public Workers workers(WorkerLane lane) {
        return pools.lane(lane);
    }

    @Override
    public ServerLog log() {
        return log;
    }

    @Override
    public ScheduledTask schedule(long delayNanos, WorkerLane lane, Runnable task) {
        return serviceTimers.schedule(delayNanos, lane, task);
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
        requireNew("register ops");
        ops.add(op, handler, isPublic, sequencing);
    }

    @Override
    public synchronized void addFeature(String feature) {
        features.add(feature);
    }

    @Override
    public synchronized void addRequestObserver(RequestObserver observer) {
        requireNew("add request observers");
        requestObservers.add(observer);
    }

    /** The registered observers; fixed once the server runs. */
    RequestObservers requestObservers() {
        return requestObservers;
    }

    @Override
    public void onStop(Runnable hook) {
        shutdown.onStop(hook);
    }

    /**
     * Wraps the transport of every connection before anything is written to or read from it (TLS,
     * instrumentation): the connection, and a refusal, talk to the peer only through what
     * {@code decorator} returns. Decorators compose, the last one added outermost. Before
     * {@link #start()}; {@code decorator} then runs on the accepting loop.
     */
    public synchronized FerryServer decorateTransports(UnaryOperator<Transport> decorator) {
        requireNew("decorate transports");
        intake.decorate(decorator);
        return this;
    }

    /** Installs a service: its ops, features and hooks. Before {@link #start()}. */
    public FerryServer install(FerryService service) throws Exception {
        requireNew("install services");
        service.install(this);
        return this;
    }

    /** Configuration happens before start: after it, {@code what} throws. */
    private void requireNew(String what) {
        if (state != State.NEW) {
            throw new IllegalStateException(what + " before start()");
        }
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
        requireNew("choose whether to listen");
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

    private void startLoops(boolean hosted) throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("server already started");
        }
        Acceptor acc = listen ? Acceptor.bind(config, log, stats, intake::accepted) : null;
        group = new LoopGroup(config, log, outboundHeaderBytes());
        loops = group.loops();
        intake.start(group);
        state = State.RUNNING;
        group.start(hosted, () -> state == State.RUNNING || state == State.STOPPING);
        serviceTimers.attach(loops[0]);
        if (acc != null) {
            boundPort = acc.port();
            group.runOnAll(i -> {
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
        return group.errors();
    }

    /**
     * Passes the loops made, summed. A loop that spins (wakes with nothing to do, over and over)
     * shows as a count racing ahead of the work done: tests compare it with the events they caused
     * instead of measuring CPU time.
     */
    public long loopIterations() {
        return group.iterations();
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
        shutdown.run(unit.toNanos(grace), serviceTimers, group, acceptor, pools, () -> shuttingDown = true);
        state = State.STOPPED;
        log.info("stopped " + stats);
        log.drain(1000);
    }

    @Override
    public void close() {
        stop();
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
        adopt(intake.wrap(channel));
    }

    /**
     * Takes a connection over any {@link Transport} (one the application built, or an in-memory
     * one in tests). Limits apply as for accepted sockets. From any thread, once the server runs.
     */
    public void adopt(Transport transport) {
        if (!isRunning()) {
            throw new IllegalStateException("adopt connections while the server runs");
        }
        intake.adopt(transport);
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
        group.remove(c);
        log.connection(ServerLog.Level.INFO, c.id(), c.session().remoteAddress(), "closed: ", reason);
    }

    /**
     * Runs {@code task} on every loop with a copy of that loop's live connections and waits for all
     * of them: the one way {@link ConnectionAdmin} reads or closes connections (never from its own
     * thread). Not on a loop thread.
     */
    void onEveryLoop(BiConsumer<EventLoop, List<Connection>> task) {
        if (state != State.RUNNING) {
            return;
        }
        group.runOnAll(i -> task.accept(loops[i], group.snapshot(i)));
    }

    /** The bandwidth buckets users' connections share ({@link Bandwidth}). */
    UserRates userRates() {
        return userRates;
    }

    /** The operator's view of live connections: list them, close one or all of a user's. */
    public ConnectionAdmin admin() {
        return new ConnectionAdmin(this);
    }

    void countHandlerError() {
        stats.handlerErrors.increment();
    }

    /** Runs the timeout sweep on every loop now and waits (for fake-clock tests). */
    void sweepAllNow() {
        group.sweepAllNow();
    }

    /** The largest buffered output of any connection now, read on the loops (for tests). */
    long maxPendingBytes() {
        return group.maxPendingBytes();
    }

    /** Remote addresses with open connections counted against the per-address cap (for tests). */
    int perAddressEntries() {
        return admission.perAddressEntries();
    }

    /** Open connections per loop, read on the loops (for tests and stats). */
    int connectionCount() {
        return group.connectionCount();
    }
}

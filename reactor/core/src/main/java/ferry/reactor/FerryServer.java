package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
    record OpSpec(String op, OpHandler handler, boolean allowedBeforeLogin, Sequencing sequencing) {}

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    /** After an error close, input is drained this long so our ERROR frame is not lost to a TCP reset. */
    static final long LINGER_MILLIS = 2000;
    /**
     * Refused sockets allowed to linger at once. Each holds a file descriptor for up to
     * {@link #LINGER_MILLIS}; a connect flood at the cap would otherwise hold (connect rate x 2 s)
     * of them, and a file server out of descriptors cannot open files for its real clients.
     */
    static final int MAX_LINGERING_REFUSALS = 1024;

    private final ServerConfig config;
    private final ServerLog log;
    private final ServerStats stats = new ServerStats();
    private final UserRates userRates;
    private final Map<String, OpSpec> handlers = new HashMap<>();
    private final Set<String> features = new LinkedHashSet<>();
    private final List<Runnable> stopHooks = new ArrayList<>();
    private volatile RequestObserver[] requestObservers = new RequestObserver[0];
    private final Workers workers;
    private final Workers bulkWorkers;
    private final Workers loginWorkers;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** Open connections per remote address; entries go when they reach 0. Updated only through compute() (atomic per key). */
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    /** Refused sockets lingering now; owned by loop 0, where the acceptor refuses. */
    private int lingeringRefusals;
    private EventLoop[] loops;
    private List<Connection>[] connectionsByLoop; // index i owned by loops[i]
    private ServerSocketChannel serverChannel;
    private SelectionKey acceptKey;
    private volatile int boundPort = -1;
    private volatile State state = State.NEW;
    private volatile boolean shuttingDown;

    public FerryServer(ServerConfig config, ServerLog log) {
        this.config = config;
        this.log = log;
        this.userRates = new UserRates(config.clock());
        this.workers = new Workers("ferry-worker", config.workerThreads(), config.workerQueue());
        this.bulkWorkers = new Workers("ferry-bulk", config.bulkWorkerThreads(), config.workerQueue());
        this.loginWorkers = new Workers("ferry-login", config.loginWorkerThreads(), config.workerQueue());
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
        register(op, handler, false);
    }

    @Override
    public void register(String op, OpHandler handler, Sequencing sequencing) {
        register(op, handler, false, sequencing);
    }

    @Override
    public void register(String op, OpHandler handler, boolean allowedBeforeLogin) {
        register(op, handler, allowedBeforeLogin, Sequencing.WRITE);
    }

    @Override
    public synchronized void register(String op, OpHandler handler, boolean allowedBeforeLogin, Sequencing sequencing) {
        if (state != State.NEW) {
            throw new IllegalStateException("register ops before start()");
        }
        if (op == null || op.isEmpty() || handler == null || sequencing == null) {
            throw new IllegalArgumentException("op, handler and sequencing are required");
        }
        if (handlers.containsKey(op)) {
            throw new IllegalStateException("op " + op + " is already registered");
        }
        handlers.put(op, new OpSpec(op, handler, allowedBeforeLogin, sequencing));
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

    /** Installs a service: its ops, features and hooks. Before {@link #start()}. */
    public FerryServer install(FerryService service) throws Exception {
        if (state != State.NEW) {
            throw new IllegalStateException("install services before start()");
        }
        service.install(this);
        return this;
    }

    OpSpec handler(String op) {
        return handlers.get(op);
    }

    /**
     * The ops registered so far, sorted: the bounded label set a metrics exporter counts requests
     * by (a client may send any op name; the unknown ones must not each become a series).
     */
    public synchronized List<String> ops() {
        return handlers.keySet().stream().sorted().toList();
    }

    synchronized List<String> features() {
        return new ArrayList<>(features);
    }

    /** True once {@link #stop} has begun. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /** Binds and starts the loops. Returns once the server accepts connections. */
    @SuppressWarnings("unchecked")
    public synchronized void start() throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("server already started");
        }
        serverChannel = ServerSocketChannel.open();
        try {
            serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            serverChannel.bind(new InetSocketAddress(config.bindAddress(), config.port()), config.acceptBacklog());
            serverChannel.configureBlocking(false);
        } catch (IOException e) {
            serverChannel.close();
            throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        boundPort = ((InetSocketAddress) serverChannel.getLocalAddress()).getPort();
        loops = new EventLoop[config.loops()];
        connectionsByLoop = new List[config.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop("ferry-loop-" + i, config.clock(), config.readBufferBytes(),
                    config.poolBufferBytes(), config.maxPooledBuffers(), outboundHeaderBytes(),
                    (where, error) -> log.warn("loop error in " + where + ": " + error, error));
            connectionsByLoop[i] = new ArrayList<>();
        }
        state = State.RUNNING;
        for (int i = 0; i < loops.length; i++) {
            loops[i].start();
            int idx = i;
            loops[i].execute(() -> scheduleSweep(idx));
        }
        CountDownLatch registered = new CountDownLatch(1);
        IOException[] failure = new IOException[1];
        loops[0].execute(() -> {
            try {
                acceptKey = loops[0].register(serverChannel, SelectionKey.OP_ACCEPT, new Acceptor());
            } catch (IOException e) {
                failure[0] = e;
            }
            registered.countDown();
        });
        try {
            registered.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        log.info("listening on " + config.bindAddress() + ":" + boundPort + " (loops=" + loops.length
                + ", workers=" + config.workerThreads() + ", login " + (config.loginRequired() ? "required" : "not required")
                + (config.proxyProtocol() ? ", PROXY protocol from " + config.trustedProxies() : "") + ")");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        if (boundPort < 0) {
            throw new IllegalStateException("server not started");
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
     * Requests arriving meanwhile get {@code ERROR shutting_down}. Blocks until done.
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
            if (i == 0) {
                closeAcceptor();
            }
            for (Connection c : new ArrayList<>(connectionsByLoop[i])) {
                c.shutdownGracefully();
            }
        });
        while (stats.connectionsOpen.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5); // stop() is a caller's blocking call, not loop code
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        runOnAllLoops(i -> {
            for (Connection c : new ArrayList<>(connectionsByLoop[i])) {
                c.close("server stopped");
            }
        });
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

    @Override
    public void close() {
        stop();
    }

    private interface LoopTask {
        void run(int loopIndex);
    }

    /** Runs {@code task} on every loop and waits for all of them. */
    private void runOnAllLoops(LoopTask task) {
        CountDownLatch done = new CountDownLatch(loops.length);
        for (int i = 0; i < loops.length; i++) {
            int idx = i;
            loops[i].execute(() -> {
                try {
                    task.run(idx);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            done.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeAcceptor() {
        if (acceptKey != null) {
            acceptKey.cancel();
        }
        try {
            serverChannel.close();
        } catch (IOException ignored) {
            // stopping anyway
        }
    }

    // ---- accepting ---------------------------------------------------------------------------

    /** Accepts on loop 0 and hands each connection to a loop, round robin. */
    private final class Acceptor implements EventLoop.Selectable {
        private boolean backingOff;

        @Override
        public void onSelected(SelectionKey key) {
            for (int i = 0; i < config.acceptsPerEvent(); i++) {
                SocketChannel ch;
                try {
                    ch = serverChannel.accept();
                } catch (IOException e) {
                    // Typically EMFILE: out of file descriptors. Back off instead of spinning on a
                    // readiness the kernel will keep reporting.
                    stats.acceptErrors.increment();
                    log.warn("accept failed: " + e.getMessage() + "; pausing accepts for 100 ms");
                    backOff(key);
                    return;
                }
                if (ch == null) {
                    return;
                }
                accepted(ch);
            }
        }

        private void backOff(SelectionKey key) {
            if (backingOff || !key.isValid()) {
                return;
            }
            backingOff = true;
            key.interestOps(0);
            loops[0].schedule(TimeUnit.MILLISECONDS.toNanos(100), () -> {
                backingOff = false;
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            });
        }

        @Override
        public void onLoopError(Throwable error) {
            stats.acceptErrors.increment();
        }

        @Override
        public void rekey(SelectionKey key) {
            acceptKey = key;
        }
    }

    private void accepted(SocketChannel ch) {
        InetSocketAddress remote;
        try {
            remote = (InetSocketAddress) ch.getRemoteAddress();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            if (config.socketSendBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, config.socketSendBufferBytes());
            }
            if (config.socketReceiveBufferBytes() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBufferBytes());
            }
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        if (shuttingDown) {
            refuse(ch, ErrorCode.SHUTTING_DOWN, "server is shutting down");
            return;
        }
        InetAddress addr = remote.getAddress();
        boolean proxied = config.proxyProtocol();
        if (proxied && !config.trustsProxy(addr)) {
            refuse(ch, ErrorCode.FORBIDDEN, "this server accepts connections only through its load balancer: "
                    + addr.getHostAddress() + " is not a trusted proxy (--trusted-proxies)");
            return;
        }
        if (stats.connectionsOpen.incrementAndGet() > config.maxConnections()) {
            stats.connectionsOpen.decrementAndGet();
            refuse(ch, ErrorCode.SERVER_FULL, "server is at its limit of " + config.maxConnections() + " connections");
            return;
        }
        // Behind a proxy the socket's peer is the proxy, carrying everyone: the client it names is
        // counted once its PROXY header is read (Connection.proxyHeaderRead).
        InetAddress counted = null;
        if (!proxied && config.capsConnectionsFrom(addr)) {
            if (!admitFrom(addr)) {
                stats.connectionsOpen.decrementAndGet();
                refuse(ch, ErrorCode.SERVER_FULL, tooManyFrom(addr, config));
                return;
            }
            counted = addr;
        }
        InetAddress countedAddr = counted;
        stats.connectionsAccepted.increment();
        int idx = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
        EventLoop loop = loops[idx];
        String remoteText = addr.getHostAddress() + ":" + remote.getPort();
        Runnable register = () -> {
            Connection c = new Connection(connectionIds.incrementAndGet(), this, loop, ch, remoteText, loop.clock().nanoTime(),
                    countedAddr, proxied);
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
        };
        if (loop.inLoop()) {
            register.run();
        } else {
            loop.execute(register);
        }
    }

    /**
     * Counts a connection from {@code addr} if it is under the per-address cap. Check and increment
     * are one atomic step per key: with several loops, a close on another loop must not remove the
     * entry between our read and our write (which lost counts before, letting the cap drift).
     */
    boolean admitFrom(InetAddress addr) {
        boolean[] admitted = {false};
        perAddress.compute(addr, (a, n) -> {
            int open = n == null ? 0 : n;
            if (open >= config.maxConnectionsPerAddress()) {
                return n;
            }
            admitted[0] = true;
            return open + 1;
        });
        return admitted[0];
    }

    /** The refusal of a client over the per-address cap. */
    static String tooManyFrom(InetAddress addr, ServerConfig config) {
        return "too many connections from " + addr.getHostAddress() + " (limit " + config.maxConnectionsPerAddress() + ")";
    }

    /** The address of a {@code host:port} the server made from a literal address (no lookup). */
    static InetAddress hostAddress(String hostAndPort) {
        try {
            return InetAddress.getByName(hostAndPort.substring(0, hostAndPort.lastIndexOf(':')));
        } catch (IOException e) {
            throw new IllegalStateException("not an address literal: " + hostAndPort, e);
        }
    }

    /**
     * Tells a connection we cannot take it why, then closes it after a short drain, so a client
     * that already sent its first request still reads the reason instead of a reset. Under a flood
     * the drain is skipped past {@link #MAX_LINGERING_REFUSALS}: refused sockets must not pile up
     * file descriptors that the connections being served need.
     */
    private void refuse(SocketChannel ch, String code, String message) {
        stats.connectionsRefused.increment();
        if (log.enabled(ServerLog.Level.INFO)) { // skip building the line when nobody reads it
            log.info("refused " + describe(ch) + ": " + message);
        }
        ByteBuffer out = ByteBuffer.allocate(Preamble.LENGTH + 256 + message.length() * 3);
        Preamble.write(out);
        new FrameEncoder(config.frameLimits().maxHeaderBytes())
                .encode(Header.op("ERROR").put("code", code).put("message", message), out);
        out.flip();
        try {
            ch.write(out); // small and non-blocking: fits in a fresh socket's send buffer
            ch.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        if (lingeringRefusals >= MAX_LINGERING_REFUSALS) {
            LingeringClose.drainAndClose(ch, loops[0].readBuffer());
            return;
        }
        lingeringRefusals++;
        new LingeringClose(ch, loops[0], TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS), () -> lingeringRefusals--).start();
    }

    private static String describe(SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
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
        stats.connectionsClosed.increment();
        stats.connectionsOpen.decrementAndGet();
        InetAddress counted = c.countedAddress();
        if (counted != null) {
            // The very address counted at admission, not the session's text: behind a proxy a
            // connection refused or closed before its header was read was never counted.
            perAddress.computeIfPresent(counted, (a, n) -> n <= 1 ? null : n - 1);
        }
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

    /**
     * Runs {@code task} on every loop with that loop's live connections and waits for all of them:
     * the one way {@link ConnectionAdmin} reads or closes connections (never from its own thread).
     * The list is the loop's own: copy it before closing any of them. Not on a loop thread.
     */
    void onEveryLoop(java.util.function.BiConsumer<EventLoop, List<Connection>> task) {
        if (state != State.RUNNING) {
            return;
        }
        runOnAllLoops(i -> task.accept(loops[i], connectionsByLoop[i]));
    }

    /** The bandwidth buckets users' connections share ({@link Bandwidth}). */
    UserRates userRates() {
        return userRates;
    }

    /** The operator's view of live connections: list them, close one or all of a user's. */
    public ConnectionAdmin admin() {
        return new ConnectionAdmin(this);
    }

    /** Remote addresses with open connections counted against the per-address cap (for tests). */
    int perAddressEntries() {
        return perAddress.size();
    }

    /** Open connections per loop, read on the loops (for tests and stats). */
    int connectionCount() {
        AtomicInteger n = new AtomicInteger();
        runOnAllLoops(i -> n.addAndGet(connectionsByLoop[i].size()));
        return n.get();
    }
}

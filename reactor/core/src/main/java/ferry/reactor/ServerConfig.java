package ferry.reactor;

import ferry.protocol.CoreProtocol;
import static ferry.reactor.ConfigCheck.range;
import static ferry.reactor.ConfigCheck.require;

import ferry.protocol.FrameLimits;
import java.net.InetAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Every setting of a server, with a named default for each. Immutable; build with
 * {@link #builder()}. The CLI maps flags and config-file keys onto the builder one to one.
 */
public final class ServerConfig {
    /** Ferry's port when none is given. */
    public static final int DEFAULT_PORT = CoreProtocol.DEFAULT_PORT;
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    /** Pending connections the kernel queues before accept: enough for a burst of thousands. */
    public static final int DEFAULT_ACCEPT_BACKLOG = 1024;
    /** Connections accepted per readiness event, so an accept storm cannot starve reads. */
    public static final int DEFAULT_ACCEPTS_PER_EVENT = 64;
    public static final int DEFAULT_LOOPS = 1;
    /** Blocking work (open, list, fsync, hash) is short; a handful of threads keeps disks busy. */
    public static final int DEFAULT_WORKER_THREADS = 8;
    public static final int DEFAULT_WORKER_QUEUE = 1024;
    /** Threads of the bulk lane (hashing, read-ahead, upload writes): each may be busy for seconds. */
    public static final int DEFAULT_BULK_WORKER_THREADS = 8;
    /** Threads of the login lane: a SCRAM step costs well under a millisecond of CPU. */
    public static final int DEFAULT_LOGIN_WORKER_THREADS = 2;
    /** The one read buffer each loop shares among its connections. */
    public static final int DEFAULT_READ_BUFFER_BYTES = 64 * 1024;
    /** Pooled outbound buffers: small frames coalesce into these. */
    public static final int DEFAULT_POOL_BUFFER_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_POOLED_BUFFERS = 256;
    /** Stop reading a connection whose buffered output passes this... */
    public static final long DEFAULT_HIGH_WATER_BYTES = 64 * 1024;
    /** ...until it drains below this. */
    public static final long DEFAULT_LOW_WATER_BYTES = 32 * 1024;
    /**
     * Output one connection may buffer before it is closed. Reading pauses at the high-water mark,
     * which bounds what requests produce; only a producer that ignores backpressure (a worker
     * pushing chunks without {@link Call#whenDrained}) gets this far, and closing that connection
     * beats running the server out of memory.
     */
    public static final long DEFAULT_MAX_BUFFERED_OUTPUT_BYTES = 32L * 1024 * 1024;
    /**
     * Answers buffered in memory across all connections before those adding more stop being read:
     * each connection's own bounds (high water, held-back answers) times 10,000 connections would
     * otherwise add up to gigabytes.
     */
    public static final long DEFAULT_MAX_TOTAL_BUFFERED_OUTPUT_BYTES = 256L * 1024 * 1024;
    /** Requests in flight on one connection before reading pauses. */
    public static final int DEFAULT_MAX_INFLIGHT_PER_CONNECTION = 128;
    /** Bytes one connection may write per write event: one big download cannot starve the rest. */
    public static final long DEFAULT_MAX_BYTES_PER_WRITE_EVENT = 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** The highest bandwidth limit, bytes per second (1 TiB/s): beyond any link, and its burst fits a bucket. */
    public static final long MAX_RATE = 1L << 40;
    /**
     * Connections from one remote address (0 = no cap). Without a cap one unauthenticated address
     * could hold every connection slot; 64 leaves room for a NAT of a few dozen people each running
     * several transfers. Loopback is exempt unless {@link Builder#perAddressCapCoversLoopback}:
     * local clients are the operator's own tools, benchmarks and proxies.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 5 * 60 * 1000;
    /** Preamble and (where required) login must finish within this. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 30 * 1000;
    /** A frame header that has started must finish within this (slowloris). */
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 30 * 1000;
    /** How often each loop checks its connections' timeouts. */
    public static final long DEFAULT_TIMEOUT_SWEEP_MILLIS = 250;
    public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 10 * 1000;
    public static final boolean DEFAULT_TCP_NODELAY = true;
    public static final String DEFAULT_SERVER_NAME = "ferry";

    private final String bindAddress;
    private final int port;
    private final int acceptBacklog;
    private final int acceptsPerEvent;
    private final int loops;
    private final int workerThreads;
    private final int workerQueue;
    private final int bulkWorkerThreads;
    private final int loginWorkerThreads;
    private final int readBufferBytes;
    private final int poolBufferBytes;
    private final int maxPooledBuffers;
    private final long highWaterBytes;
    private final long lowWaterBytes;
    private final long maxBufferedOutputBytes;
    private final long maxTotalBufferedOutputBytes;
    private final int maxInflightPerConnection;
    private final long maxBytesPerWriteEvent;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final boolean perAddressCapCoversLoopback;
    private final long maxDownloadRate;
    private final long maxUploadRate;
    private final long maxDownloadRatePerUser;
    private final long maxUploadRatePerUser;
    private final long idleTimeoutMillis;
    private final long handshakeTimeoutMillis;
    private final long headerTimeoutMillis;
    private final long timeoutSweepMillis;
    private final long shutdownGraceMillis;
    private final boolean tcpNoDelay;
    private final int socketSendBufferBytes;
    private final int socketReceiveBufferBytes;
    private final boolean zeroCopy;
    private final boolean proxyProtocol;
    private final TlsSettings tls;
    private final List<AddressRange> trustedProxies;
    private final boolean loginRequired;
    private final Set<Right> anonymousRights;
    private final FrameLimits frameLimits;
    private final String serverName;
    private final Clock clock;

    private ServerConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.acceptBacklog = b.acceptBacklog;
        this.acceptsPerEvent = b.acceptsPerEvent;
        this.loops = b.loops;
        this.workerThreads = b.workerThreads;
        this.workerQueue = b.workerQueue;
        this.bulkWorkerThreads = b.bulkWorkerThreads;
        this.loginWorkerThreads = b.loginWorkerThreads;
        this.readBufferBytes = b.readBufferBytes;
        this.poolBufferBytes = b.poolBufferBytes;
        this.maxPooledBuffers = b.maxPooledBuffers;
        this.highWaterBytes = b.highWaterBytes;
        this.lowWaterBytes = b.lowWaterBytes;
        this.maxBufferedOutputBytes = b.maxBufferedOutputBytes;
        this.maxTotalBufferedOutputBytes = b.maxTotalBufferedOutputBytes;
        this.maxInflightPerConnection = b.maxInflightPerConnection;
        this.maxBytesPerWriteEvent = b.maxBytesPerWriteEvent;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.perAddressCapCoversLoopback = b.perAddressCapCoversLoopback;
        this.maxDownloadRate = b.maxDownloadRate;
        this.maxUploadRate = b.maxUploadRate;
        this.maxDownloadRatePerUser = b.maxDownloadRatePerUser;
        this.maxUploadRatePerUser = b.maxUploadRatePerUser;
        this.idleTimeoutMillis = b.idleTimeoutMillis;
        this.handshakeTimeoutMillis = b.handshakeTimeoutMillis;
        this.headerTimeoutMillis = b.headerTimeoutMillis;
        this.timeoutSweepMillis = b.timeoutSweepMillis;
        this.shutdownGraceMillis = b.shutdownGraceMillis;
        this.tcpNoDelay = b.tcpNoDelay;
        this.socketSendBufferBytes = b.socketSendBufferBytes;
        this.socketReceiveBufferBytes = b.socketReceiveBufferBytes;
        this.zeroCopy = b.zeroCopy;
        this.proxyProtocol = b.proxyProtocol;
        this.tls = b.tls;
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.loginRequired = b.loginRequired;
        this.anonymousRights = Collections.unmodifiableSet(b.anonymousRights.isEmpty()
                ? EnumSet.noneOf(Right.class) : EnumSet.copyOf(b.anonymousRights));
        this.frameLimits = b.frameLimits;
        this.serverName = b.serverName;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: loopback, port {@value #DEFAULT_PORT}. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public String bindAddress() { return bindAddress; }
    public int port() { return port; }
    public int acceptBacklog() { return acceptBacklog; }
    public int acceptsPerEvent() { return acceptsPerEvent; }
    public int loops() { return loops; }
    public int workerThreads() { return workerThreads; }
    public int workerQueue() { return workerQueue; }
    /** Threads of {@link WorkerLane#BULK}; {@link #workerThreads()} is {@link WorkerLane#METADATA}'s. */
    public int bulkWorkerThreads() { return bulkWorkerThreads; }
    /** Threads of {@link WorkerLane#LOGIN}. */
    public int loginWorkerThreads() { return loginWorkerThreads; }
    public int readBufferBytes() { return readBufferBytes; }
    public int poolBufferBytes() { return poolBufferBytes; }
    public int maxPooledBuffers() { return maxPooledBuffers; }
    public long highWaterBytes() { return highWaterBytes; }
    public long lowWaterBytes() { return lowWaterBytes; }
    public long maxBufferedOutputBytes() { return maxBufferedOutputBytes; }
    /** Buffered answers across all connections past which a connection that adds more stops being read. */
    public long maxTotalBufferedOutputBytes() { return maxTotalBufferedOutputBytes; }
    public int maxInflightPerConnection() { return maxInflightPerConnection; }
    public long maxBytesPerWriteEvent() { return maxBytesPerWriteEvent; }
    public int maxConnections() { return maxConnections; }
    public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
    /** Whether {@link #maxConnectionsPerAddress()} also counts connections from loopback addresses. */
    public boolean perAddressCapCoversLoopback() { return perAddressCapCoversLoopback; }

    /** Bytes per second one connection may receive from the server (downloads); 0: no limit. */
    public long maxDownloadRate() { return maxDownloadRate; }
    /** Bytes per second one connection may send to the server (uploads); 0: no limit. */
    public long maxUploadRate() { return maxUploadRate; }
    /** Bytes per second all of one user's connections together may receive, unless the user store says otherwise; 0: none. */
    public long maxDownloadRatePerUser() { return maxDownloadRatePerUser; }
    /** Bytes per second all of one user's connections together may send, unless the user store says otherwise; 0: none. */
    public long maxUploadRatePerUser() { return maxUploadRatePerUser; }

    /** Whether connections from {@code addr} are counted against {@link #maxConnectionsPerAddress()}. */
    public boolean capsConnectionsFrom(InetAddress addr) {
        return maxConnectionsPerAddress > 0 && (perAddressCapCoversLoopback || !addr.isLoopbackAddress());
    }
    public long idleTimeoutMillis() { return idleTimeoutMillis; }
    public long handshakeTimeoutMillis() { return handshakeTimeoutMillis; }
    public long headerTimeoutMillis() { return headerTimeoutMillis; }
    public long timeoutSweepMillis() { return timeoutSweepMillis; }
    public long shutdownGraceMillis() { return shutdownGraceMillis; }
    public boolean tcpNoDelay() { return tcpNoDelay; }
    public int socketSendBufferBytes() { return socketSendBufferBytes; }
    public int socketReceiveBufferBytes() { return socketReceiveBufferBytes; }
    public boolean zeroCopy() { return zeroCopy; }
    /** The server's TLS, or null for plaintext only. */
    public TlsSettings tls() { return tls; }
    /**
     * Whether every connection must begin with a PROXY protocol header (v1 or v2) naming the real
     * client, and may come only from {@link #trustedProxies()}.
     */
    public boolean proxyProtocol() { return proxyProtocol; }
    /** The proxies allowed to connect when {@link #proxyProtocol()} is on; empty otherwise. */
    public List<AddressRange> trustedProxies() { return trustedProxies; }

    /** Whether {@code addr} is in {@link #trustedProxies()}. */
    public boolean trustsProxy(InetAddress addr) {
        for (AddressRange r : trustedProxies) {
            if (r.contains(addr)) {
                return true;
            }
        }
        return false;
    }
    public boolean loginRequired() { return loginRequired; }
    public Set<Right> anonymousRights() { return anonymousRights; }
    public FrameLimits frameLimits() { return frameLimits; }
    public String serverName() { return serverName; }
    public Clock clock() { return clock; }

    long idleTimeoutNanos() { return TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis); }
    long handshakeTimeoutNanos() { return TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMillis); }
    long headerTimeoutNanos() { return TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis); }

    /**
     * Whether only local users can connect: {@link #bindAddress()} is a loopback address and no
     * proxy relays others ({@link #proxyProtocol()} means clients from anywhere, even on loopback).
     */
    public boolean isLoopbackOnly() {
        return !proxyProtocol && Loopback.isLoopbackHost(bindAddress);
    }

    /** Builder; every setter validates its argument. */
    public static final class Builder {
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int port = DEFAULT_PORT;
        private int acceptBacklog = DEFAULT_ACCEPT_BACKLOG;
        private int acceptsPerEvent = DEFAULT_ACCEPTS_PER_EVENT;
        private int loops = DEFAULT_LOOPS;
        private int workerThreads = DEFAULT_WORKER_THREADS;
        private int workerQueue = DEFAULT_WORKER_QUEUE;
        private int bulkWorkerThreads = DEFAULT_BULK_WORKER_THREADS;
        private int loginWorkerThreads = DEFAULT_LOGIN_WORKER_THREADS;
        private int readBufferBytes = DEFAULT_READ_BUFFER_BYTES;
        private int poolBufferBytes = DEFAULT_POOL_BUFFER_BYTES;
        private int maxPooledBuffers = DEFAULT_MAX_POOLED_BUFFERS;
        private long highWaterBytes = DEFAULT_HIGH_WATER_BYTES;
        private long lowWaterBytes = DEFAULT_LOW_WATER_BYTES;
        private long maxBufferedOutputBytes = DEFAULT_MAX_BUFFERED_OUTPUT_BYTES;
        private long maxTotalBufferedOutputBytes = DEFAULT_MAX_TOTAL_BUFFERED_OUTPUT_BYTES;
        private int maxInflightPerConnection = DEFAULT_MAX_INFLIGHT_PER_CONNECTION;
        private long maxBytesPerWriteEvent = DEFAULT_MAX_BYTES_PER_WRITE_EVENT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private boolean perAddressCapCoversLoopback;
        private long maxDownloadRate;
        private long maxUploadRate;
        private long maxDownloadRatePerUser;
        private long maxUploadRatePerUser;
        private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
        private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
        private long headerTimeoutMillis = DEFAULT_HEADER_TIMEOUT_MILLIS;
        private long timeoutSweepMillis = DEFAULT_TIMEOUT_SWEEP_MILLIS;
        private long shutdownGraceMillis = DEFAULT_SHUTDOWN_GRACE_MILLIS;
        private boolean tcpNoDelay = DEFAULT_TCP_NODELAY;
        private int socketSendBufferBytes;
        private int socketReceiveBufferBytes;
        private boolean zeroCopy = true;
        private boolean proxyProtocol;
        private TlsSettings tls;
        private List<AddressRange> trustedProxies = List.of();
        private boolean loginRequired;
        private Set<Right> anonymousRights = EnumSet.of(Right.READ, Right.WRITE, Right.DELETE);
        private FrameLimits frameLimits = FrameLimits.DEFAULT;
        private String serverName = DEFAULT_SERVER_NAME;
        private Clock clock = Clock.SYSTEM;

        Builder() {}

        Builder(ServerConfig c) {
            bindAddress = c.bindAddress;
            port = c.port;
            acceptBacklog = c.acceptBacklog;
            acceptsPerEvent = c.acceptsPerEvent;
            loops = c.loops;
            workerThreads = c.workerThreads;
            workerQueue = c.workerQueue;
            bulkWorkerThreads = c.bulkWorkerThreads;
            loginWorkerThreads = c.loginWorkerThreads;
            readBufferBytes = c.readBufferBytes;
            poolBufferBytes = c.poolBufferBytes;
            maxPooledBuffers = c.maxPooledBuffers;
            highWaterBytes = c.highWaterBytes;
            lowWaterBytes = c.lowWaterBytes;
            maxBufferedOutputBytes = c.maxBufferedOutputBytes;
            maxTotalBufferedOutputBytes = c.maxTotalBufferedOutputBytes;
            maxInflightPerConnection = c.maxInflightPerConnection;
            maxBytesPerWriteEvent = c.maxBytesPerWriteEvent;
            maxConnections = c.maxConnections;
            maxConnectionsPerAddress = c.maxConnectionsPerAddress;
            perAddressCapCoversLoopback = c.perAddressCapCoversLoopback;
            maxDownloadRate = c.maxDownloadRate;
            maxUploadRate = c.maxUploadRate;
            maxDownloadRatePerUser = c.maxDownloadRatePerUser;
            maxUploadRatePerUser = c.maxUploadRatePerUser;
            idleTimeoutMillis = c.idleTimeoutMillis;
            handshakeTimeoutMillis = c.handshakeTimeoutMillis;
            headerTimeoutMillis = c.headerTimeoutMillis;
            timeoutSweepMillis = c.timeoutSweepMillis;
            shutdownGraceMillis = c.shutdownGraceMillis;
            tcpNoDelay = c.tcpNoDelay;
            socketSendBufferBytes = c.socketSendBufferBytes;
            socketReceiveBufferBytes = c.socketReceiveBufferBytes;
            zeroCopy = c.zeroCopy;
            proxyProtocol = c.proxyProtocol;
            tls = c.tls;
            trustedProxies = c.trustedProxies;
            loginRequired = c.loginRequired;
            anonymousRights = EnumSet.noneOf(Right.class);
            anonymousRights.addAll(c.anonymousRights);
            frameLimits = c.frameLimits;
            serverName = c.serverName;
            clock = c.clock;
        }

        public Builder bindAddress(String v) { bindAddress = require(v, "bindAddress"); return this; }
        /** 0 picks a free port; read it back with {@link FerryServer#port()}. */
        public Builder port(int v) { port = range(v, 0, 65535, "port"); return this; }
        public Builder acceptBacklog(int v) { acceptBacklog = range(v, 1, 65535, "acceptBacklog"); return this; }
        public Builder acceptsPerEvent(int v) { acceptsPerEvent = range(v, 1, 1 << 16, "acceptsPerEvent"); return this; }
        public Builder loops(int v) { loops = range(v, 1, 256, "loops"); return this; }
        public Builder workerThreads(int v) { workerThreads = range(v, 1, 4096, "workerThreads"); return this; }
        public Builder workerQueue(int v) { workerQueue = range(v, 1, 1 << 24, "workerQueue"); return this; }
        public Builder bulkWorkerThreads(int v) { bulkWorkerThreads = range(v, 1, 4096, "bulkWorkerThreads"); return this; }
        public Builder loginWorkerThreads(int v) { loginWorkerThreads = range(v, 1, 4096, "loginWorkerThreads"); return this; }
        public Builder readBufferBytes(int v) { readBufferBytes = range(v, 512, 64 << 20, "readBufferBytes"); return this; }
        public Builder poolBufferBytes(int v) { poolBufferBytes = range(v, 512, 64 << 20, "poolBufferBytes"); return this; }
        public Builder maxPooledBuffers(int v) { maxPooledBuffers = range(v, 0, 1 << 20, "maxPooledBuffers"); return this; }
        public Builder highWaterBytes(long v) { highWaterBytes = range(v, 1, Long.MAX_VALUE, "highWaterBytes"); return this; }
        public Builder lowWaterBytes(long v) { lowWaterBytes = range(v, 0, Long.MAX_VALUE, "lowWaterBytes"); return this; }
        /** Output one connection may buffer before it is closed (a producer ignoring backpressure). */
        public Builder maxTotalBufferedOutputBytes(long v) { maxTotalBufferedOutputBytes = range(v, 1, Long.MAX_VALUE, "maxTotalBufferedOutputBytes"); return this; }
        public Builder maxBufferedOutputBytes(long v) { maxBufferedOutputBytes = range(v, 1, Long.MAX_VALUE, "maxBufferedOutputBytes"); return this; }
        public Builder maxInflightPerConnection(int v) { maxInflightPerConnection = range(v, 1, 1 << 20, "maxInflightPerConnection"); return this; }
        public Builder maxBytesPerWriteEvent(long v) { maxBytesPerWriteEvent = range(v, 1, Long.MAX_VALUE, "maxBytesPerWriteEvent"); return this; }
        public Builder maxConnections(int v) { maxConnections = range(v, 1, Integer.MAX_VALUE, "maxConnections"); return this; }
        public Builder perAddressCapCoversLoopback(boolean v) { perAddressCapCoversLoopback = v; return this; }
        public Builder maxDownloadRate(long v) { maxDownloadRate = range(v, 0, MAX_RATE, "maxDownloadRate"); return this; }
        public Builder maxUploadRate(long v) { maxUploadRate = range(v, 0, MAX_RATE, "maxUploadRate"); return this; }
        public Builder maxDownloadRatePerUser(long v) { maxDownloadRatePerUser = range(v, 0, MAX_RATE, "maxDownloadRatePerUser"); return this; }
        public Builder maxUploadRatePerUser(long v) { maxUploadRatePerUser = range(v, 0, MAX_RATE, "maxUploadRatePerUser"); return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = range(v, 0, Integer.MAX_VALUE, "maxConnectionsPerAddress"); return this; }
        public Builder idleTimeoutMillis(long v) { idleTimeoutMillis = range(v, 1, Long.MAX_VALUE / 1_000_000, "idleTimeoutMillis"); return this; }
        public Builder handshakeTimeoutMillis(long v) { handshakeTimeoutMillis = range(v, 1, Long.MAX_VALUE / 1_000_000, "handshakeTimeoutMillis"); return this; }
        public Builder headerTimeoutMillis(long v) { headerTimeoutMillis = range(v, 1, Long.MAX_VALUE / 1_000_000, "headerTimeoutMillis"); return this; }
        public Builder timeoutSweepMillis(long v) { timeoutSweepMillis = range(v, 1, 60_000, "timeoutSweepMillis"); return this; }
        public Builder shutdownGraceMillis(long v) { shutdownGraceMillis = range(v, 0, Long.MAX_VALUE / 1_000_000, "shutdownGraceMillis"); return this; }
        public Builder tcpNoDelay(boolean v) { tcpNoDelay = v; return this; }
        /** 0 leaves the OS default. */
        public Builder socketSendBufferBytes(int v) { socketSendBufferBytes = range(v, 0, Integer.MAX_VALUE, "socketSendBufferBytes"); return this; }
        /** 0 leaves the OS default. */
        public Builder socketReceiveBufferBytes(int v) { socketReceiveBufferBytes = range(v, 0, Integer.MAX_VALUE, "socketReceiveBufferBytes"); return this; }
        /** false sends files through a buffer instead of sendfile (for filesystems where it misbehaves). */
        public Builder zeroCopy(boolean v) { zeroCopy = v; return this; }
        /**
         * When true, connections must start with a PROXY protocol header and come from
         * {@link #trustedProxies}, which is then required.
         */
        public Builder proxyProtocol(boolean v) { proxyProtocol = v; return this; }
        /** TLS on the server's port (null: plaintext only). Not with {@link #proxyProtocol}. */
        public Builder tls(TlsSettings v) { tls = v; return this; }
        /** The load balancers allowed to connect and name clients (with {@link #proxyProtocol}). */
        public Builder trustedProxies(List<AddressRange> v) { trustedProxies = List.copyOf(require(v, "trustedProxies")); return this; }
        /** When true, connections must log in (AUTH) before anything but HELLO, AUTH*, PING, BYE. */
        public Builder loginRequired(boolean v) { loginRequired = v; return this; }
        /** Rights of the anonymous session when login is not required. */
        public Builder anonymousRights(Set<Right> v) { anonymousRights = EnumSet.noneOf(Right.class); anonymousRights.addAll(v); return this; }
        public Builder frameLimits(FrameLimits v) { frameLimits = require(v, "frameLimits"); return this; }
        public Builder serverName(String v) { serverName = require(v, "serverName"); return this; }
        /** The time source for timeouts; tests pass a fake one. */
        public Builder clock(Clock v) { clock = require(v, "clock"); return this; }

        public ServerConfig build() {
            if (lowWaterBytes > highWaterBytes) {
                throw new IllegalArgumentException("lowWaterBytes " + lowWaterBytes + " exceeds highWaterBytes " + highWaterBytes);
            }
            if (maxBufferedOutputBytes < highWaterBytes) {
                throw new IllegalArgumentException("maxBufferedOutputBytes " + maxBufferedOutputBytes
                        + " is below highWaterBytes " + highWaterBytes);
            }
            if (proxyProtocol && trustedProxies.isEmpty()) {
                throw new IllegalArgumentException("proxyProtocol needs trustedProxies: the addresses of the load "
                        + "balancers allowed to name clients (anyone else could claim any address)");
            }
            if (proxyProtocol && tls != null) {
                throw new IllegalArgumentException("TLS with the PROXY protocol is not supported: terminate TLS at the "
                        + "load balancer, or serve TLS without it");
            }
            if (!proxyProtocol && !trustedProxies.isEmpty()) {
                throw new IllegalArgumentException("trustedProxies is set but proxyProtocol is off: turn it on, or "
                        + "drop the trusted proxies");
            }
            if (anonymousRights.contains(Right.ADMIN)) {
                // Seeing every user's address and closing their connections needs a login: the
                // right is never given to whoever connects.
                throw new IllegalArgumentException("anonymousRights may not include admin: only a logged-in user may be an"
                        + " admin (ferry user set NAME --rights ...,admin)");
            }
            ServerConfig c = new ServerConfig(this);
            if (!c.loginRequired && !c.isLoopbackOnly() && !EnumSet.of(Right.READ).containsAll(c.anonymousRights)) {
                throw new IllegalArgumentException("refusing to serve " + c.bindAddress
                        + (c.proxyProtocol ? " behind a proxy" : "") + " without login and with anonymous rights " + Right.toList(c.anonymousRights)
                        + (c.proxyProtocol ? ": behind a proxy clients come from anywhere, so" : ": off loopback,")
                        + " anonymous access may only read (or require login)");
            }
            return c;
        }
    }
}

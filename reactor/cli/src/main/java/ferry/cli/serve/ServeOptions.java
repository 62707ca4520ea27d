package ferry.cli.serve;

import ferry.cli.command.Command;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.reactor.AddressRange;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.DemoUser;
import ferry.services.exec.ExecConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table of {@code ferry serve} settings: every {@link ServerConfig} setting plus the CLI's
 * and services' own, each usable as a flag and as a config-file key of the same name.
 *
 * <p>Names are derived from the ServerConfig property consistently: kebab-case, and the unit
 * suffix dropped because the value carries its unit ({@code idleTimeoutMillis} →
 * {@code idle-timeout = 5m}, {@code highWaterBytes} → {@code high-water = 64k}). The exceptions
 * are names the issues fix or that read better: {@code workerThreads} → {@code workers},
 * bind address and port → {@code listen}, frame limits → {@code max-header}, {@code max-body},
 * {@code max-json-depth}. Booleans are switches with a {@code --no-} form.
 *
 * <p>Services' settings follow the same rule: the file service's keep their names
 * ({@code maxFileBytes} → {@code max-file-size}, {@code tempMaxAgeMillis} → {@code temp-max-age}),
 * the exec service's get an {@code exec-} prefix ({@code maxRunning} → {@code exec-max-running},
 * {@code defaultTimeoutMillis} → {@code exec-timeout}, {@code shell} → {@code exec-shell-path}).
 * Each is applied to the service's builder in {@link ServeSettings} and read back from the built
 * configuration, so help and {@code --print-config} show the service's own defaults.
 *
 * <p>Thread safety: built once, read-only afterwards.
 */
public final class ServeOptions {
    static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;
    private static final String G_SERVE = "";
    private static final String G_ACCESS = "access";
    private static final String G_LOGIN = "failed logins";
    /** AuthSettings' bounds for its delays and the exchange timeout: one hour. */
    private static final long MAX_LOGIN_DELAY_MILLIS = 3_600_000;
    /** AuthSettings' bound for forgetting failures: one week. */
    private static final long MAX_LOGIN_FORGET_MILLIS = 7L * 24 * 3_600_000;
    /** ExecConfig's bound for the kill grace: one hour. */
    private static final long MAX_KILL_GRACE_MILLIS = 3_600_000;
    private static final String G_EXEC = "remote commands (exec; off unless allowed)";
    private static final String G_FILES = "files";
    private static final String G_THREADS = "threads";
    private static final String G_LIMITS = "limits";
    private static final String G_TIMEOUTS = "timeouts";
    private static final String G_BUFFERS = "buffers and flow control";
    private static final String G_SOCKETS = "sockets";

    /**
     * Property names too common as words to replace in messages ("a shell string can run any
     * command" must not become "a --exec-shell-path string...").
     */
    private static final Set<String> UNTRANSLATED = Set.of("shell");

    private final Command command;
    private final ServeSettings defaults = new ServeSettings();
    private final ServerConfig defaultConfig = defaults.checkedConfig();
    private final Map<String, Setting<?>> byName = new LinkedHashMap<>();
    final Setting<Boolean> anonymousRead;
    final Setting<Set<Right>> anonymousRights;

    ServeOptions(Command command) {
        this.command = command;
        addServe();
        addAccess();
        anonymousRights = add(Option.value("anonymous-rights", "LIST", ServeTypes.rightsOrAuto(), null,
                        "what connections may do without login: read, write, delete, exec, all, none, or auto (no "
                        + "users: read,write,delete on loopback, else refuse to start; users: login required)")
                        .defaultText("auto").group(G_ACCESS),
                "anonymousRights", (s, v) -> s.setAnonymousRights(v), (s, c) -> s.anonymousRights(), false);
        anonymousRead = add(Option.flag("anonymous-read",
                        "same as --anonymous-rights read: the only way to serve off loopback without users").group(G_ACCESS),
                null, (s, v) -> {
                    if (v) {
                        s.setAnonymousRights(EnumSet.of(Right.READ));
                    }
                }, null, false);
        addProxyAndDemo();
        addLogin();
        ServeExecOptions.register(this);
        ServeFileOptions.register(this);
        addThreads();
        addLimits();
        addTimeouts();
        addBuffers();
        addSockets();
    }

    /** Where and what to serve, logging. */
    private void addServe() {
        add(Option.value("root", "DIR", ValueType.text(), ServeSettings.DEFAULT_ROOT,
                        "the folder to serve; it must exist (see --create-root)").group(G_SERVE),
                null, (s, v) -> s.setRoot(Path.of(v)), (s, c) -> s.root().toAbsolutePath().normalize().toString(), true);
        add(Option.flag("create-root", "create the --root folder (and its parents) when it is missing, instead of "
                        + "refusing to start (a typo in --root would otherwise serve a new empty folder)").group(G_SERVE),
                null, (s, v) -> s.setCreateRoot(v), (s, c) -> s.createRoot(), false);
        add(Option.value("listen", "HOST:PORT", ListenAddress.type(), null,
                        "address to listen on; port 0 picks a free port (printed at startup)").group(G_SERVE),
                "bindAddress", (s, v) -> s.setListen(v), (s, c) -> s.listen(), false);
        add(Option.value("server-name", "NAME", ValueType.text(), null, "name the server gives in HELLO").group(G_SERVE),
                "serverName", (s, v) -> s.builder.serverName(v), (s, c) -> c.serverName(), false);
        add(Option.value("log-level", "LEVEL", ValueType.choice(ServeSettings.LOG_LEVELS), null,
                        "error, warn, info or debug (--quiet means warn, --verbose debug)").group(G_SERVE),
                null, (s, v) -> s.setLogLevel(v), (s, c) -> s.logLevel(), false);
        add(Option.value("audit-log", "FILE", ValueType.textOrNone(), null,
                        "append one JSON line per file operation, exec and login to FILE (reopened on SIGHUP)")
                        .defaultText("none").group(G_SERVE),
                null, (s, v) -> s.setAuditLog(v.isEmpty() ? null : Path.of(v)), // "": none
                (s, c) -> s.auditLog() == null ? "" : s.auditLog().toAbsolutePath().normalize().toString(), false);
        add(Option.value("metrics-listen", "HOST:PORT", ListenAddress.typeOrNone(ServeSettings.DEFAULT_METRICS_PORT), null,
                        "serve Prometheus metrics at http://HOST:PORT/metrics; a bare PORT is loopback, HOST alone port "
                        + ServeSettings.DEFAULT_METRICS_PORT + "; no authentication, so any other address is warned about")
                        .defaultText(ListenAddress.NONE).group(G_SERVE),
                null, (s, v) -> s.setMetricsListen(v), (s, c) -> s.metricsListen(), false);
        add(Option.value("admin-listen", "HOST:PORT", ListenAddress.typeOrNone(ServeAdmin.DEFAULT_PORT), null,
                        "serve the live connection list and drops for 'ferry admin' at http://HOST:PORT/connections; "
                        + "loopback only (no password); a bare PORT is 127.0.0.1, HOST alone port " + ServeAdmin.DEFAULT_PORT)
                        .defaultText(ListenAddress.NONE).group(G_SERVE),
                null, (s, v) -> s.setAdminListen(v), (s, c) -> s.adminListen(), false);
    }

    /** The user store and who needs to log in. */
    private void addAccess() {
        add(Option.value("config-dir", "DIR", ValueType.text(), ServeSettings.DEFAULT_CONFIG_DIR,
                        "folder of the user store (DIR/users, see 'ferry user') and the demo credentials; must be "
                        + "outside --root").defaultText("./" + ServeSettings.DEFAULT_CONFIG_DIR + ", or $"
                        + ServeSettings.ENV_CONFIG).group(G_ACCESS),
                null, (s, v) -> s.setConfigDir(Path.of(v)), (s, c) -> s.configDir().toAbsolutePath().normalize().toString(),
                true);
        add(Option.flag("login-required", "require login even with no users yet (with users it is required anyway, "
                        + "unless anonymous access is given)").group(G_ACCESS),
                "loginRequired", (s, v) -> s.setLoginRequired(v), (s, c) -> s.loginRequired(), false);
        add(intOption("max-sessions-per-user", "logged-in connections one user holds at once (0: no limit; "
                        + "'ferry user set --max-sessions' sets a user's own); one more login is refused "
                        + "(too_many_sessions)", 0, 100_000_000, G_ACCESS),
                "maxSessionsPerUser", (s, v) -> s.login().setMaxSessionsPerUser(v), (s, c) -> s.login().maxSessionsPerUser(),
                false);
    }

    /** Load balancers in front, and the loopback demo user. */
    private void addProxyAndDemo() {
        add(Option.toggle("proxy-protocol", false, "connections come through a load balancer that starts each with a "
                        + "PROXY header (v1 or v2) naming the client; needs --trusted-proxies").group(G_ACCESS),
                "proxyProtocol", (s, v) -> s.builder.proxyProtocol(v), (s, c) -> c.proxyProtocol(), false);
        add(Option.value("trusted-proxies", "CIDR,...", ValueType.list(), List.of(),
                        "the load balancers allowed to connect with --proxy-protocol, e.g. 10.0.0.0/24,192.0.2.7; "
                        + "any other address is refused").defaultText("none").group(G_ACCESS),
                "trustedProxies", (s, v) -> s.builder.trustedProxies(AddressRange.parseList(v)),
                (s, c) -> c.trustedProxies().stream().map(AddressRange::toString).toList(), false);
        add(Option.toggle("tls", false, "encrypt with TLS (same port: plaintext peers are told or served, see "
                        + "--tls-plaintext); without --tls-cert a self-signed certificate is made in CONFIG-DIR/"
                        + ServeTls.GENERATED_STORE + " on first start; --no-tls serves plaintext beyond loopback, with a warning")
                        .defaultText("auto: on beyond loopback").group(G_ACCESS),
                null, (s, v) -> s.setTls(v), null, false);
        add(Option.value("tls-cert", "FILE", ValueType.text(), null,
                        "the server's certificate chain, PEM (with --tls-key), or a PKCS#12 store (.p12, .pfx; password "
                        + "in $" + ServeTls.ENV_STORE_PASSWORD + ")").defaultText("none: self-signed").group(G_ACCESS),
                null, (s, v) -> s.setTlsCert(Path.of(v)), null, true);
        add(Option.value("tls-key", "FILE", ValueType.text(), null,
                        "the private key for --tls-cert, unencrypted PKCS#8 PEM").group(G_ACCESS),
                null, (s, v) -> s.setTlsKey(Path.of(v)), null, true);
        add(Option.value("tls-plaintext", "WHO", ValueType.choice("never", "loopback", "always"), null,
                        "who may still connect without TLS on a TLS server: never, loopback (local scripts), or always "
                        + "(while clients migrate)").defaultText(ServeTls.DEFAULT_PLAINTEXT).group(G_ACCESS),
                null, (s, v) -> s.setTlsPlaintext(v), null, false);
        add(Option.toggle("demo-user", false, "on loopback with no users, create user '" + DemoUser.NAME + "' with a "
                        + "random password, printed once and saved in CONFIG-DIR/" + DemoUser.CREDENTIALS_FILE_NAME
                        + " (make run does)").group(G_ACCESS),
                null, (s, v) -> s.setDemoUser(v), (s, c) -> s.demoUser(), false);
    }

    /** The failed-login throttle (AuthSettings). */
    private void addLogin() {
        add(intOption("login-free-failures", "failed logins per user and per address that cost no delay", 0, 1_000_000,
                        G_LOGIN),
                "freeFailures", (s, v) -> s.login().setFreeFailures(v), (s, c) -> s.login().freeFailures(), false);
        add(Option.value("login-delay", "DURATION", ValueType.duration(0, MAX_LOGIN_DELAY_MILLIS), null,
                        "answer delay after those; doubles with each further failure").group(G_LOGIN),
                "baseDelayMillis", (s, v) -> s.login().setBaseDelayMillis(v), (s, c) -> s.login().baseDelayMillis(), false);
        add(Option.value("login-max-delay", "DURATION", ValueType.duration(0, MAX_LOGIN_DELAY_MILLIS), null,
                        "longest delay of one answer, right or wrong (at most 3/4 of --handshake-timeout)").group(G_LOGIN),
                "maxDelayMillis", (s, v) -> s.login().setMaxDelayMillis(v), (s, c) -> s.login().maxDelayMillis(), false);
        add(Option.value("login-forget-after", "DURATION", ValueType.duration(1, MAX_LOGIN_FORGET_MILLIS), null,
                        "a user or address without failures this long starts afresh").group(G_LOGIN),
                "forgetAfterMillis", (s, v) -> s.login().setForgetAfterMillis(v), (s, c) -> s.login().forgetAfterMillis(),
                false);
        add(intOption("login-max-tracked", "users and addresses the throttle remembers (least recent dropped)",
                        2, 100_000_000, G_LOGIN),
                "maxTracked", (s, v) -> s.login().setMaxTracked(v), (s, c) -> s.login().maxTracked(), false);
        add(intOption("login-max-failures", "failed logins one connection may make before it is closed", 1, 1_000_000,
                        G_LOGIN),
                "maxFailuresPerConnection", (s, v) -> s.login().setMaxFailuresPerConnection(v),
                (s, c) -> s.login().maxFailuresPerConnection(), false);
        add(Option.value("login-exchange-timeout", "DURATION", ValueType.duration(1, MAX_LOGIN_DELAY_MILLIS), null,
                        "time a client has from AUTH_START to AUTH_FINISH").group(G_LOGIN),
                "exchangeTimeoutMillis", (s, v) -> s.login().setExchangeTimeoutMillis(v),
                (s, c) -> s.login().exchangeTimeoutMillis(), false);
    }

    /** Event loops and worker lanes. */
    private void addThreads() {
        add(intOption("loops", "event-loop threads (each serves its share of connections)", 1, 256, G_THREADS),
                "loops", (s, v) -> s.builder.loops(v), (s, c) -> c.loops(), false);
        add(intOption("workers", "threads for short file-system calls (open, stat, list, mkdir, rename)", 1, 4096,
                        G_THREADS),
                "workerThreads", (s, v) -> s.builder.workerThreads(v), (s, c) -> c.workerThreads(), false);
        add(intOption("bulk-workers", "threads for hashing, read-ahead and upload writes (a lane of their own)", 1, 4096,
                        G_THREADS),
                "bulkWorkerThreads", (s, v) -> s.builder.bulkWorkerThreads(v), (s, c) -> c.bulkWorkerThreads(), false);
        add(intOption("login-workers", "threads for login steps (a lane of their own)", 1, 4096, G_THREADS),
                "loginWorkerThreads", (s, v) -> s.builder.loginWorkerThreads(v), (s, c) -> c.loginWorkerThreads(), false);
        add(intOption("worker-queue", "jobs waiting for a worker, per lane, before requests get 'busy'", 1, 1 << 24,
                        G_THREADS),
                "workerQueue", (s, v) -> s.builder.workerQueue(v), (s, c) -> c.workerQueue(), false);
    }

    /** Connection and frame limits. */
    private void addLimits() {
        add(intOption("max-connections", "connections open at once; more are refused with server_full",
                        1, Integer.MAX_VALUE, G_LIMITS),
                "maxConnections", (s, v) -> s.builder.maxConnections(v), (s, c) -> c.maxConnections(), false);
        add(intOption("max-connections-per-address", "connections from one IP address (0 = no cap)",
                        0, Integer.MAX_VALUE, G_LIMITS),
                "maxConnectionsPerAddress", (s, v) -> s.builder.maxConnectionsPerAddress(v),
                (s, c) -> c.maxConnectionsPerAddress(), false);
        add(sizeOption("max-download-rate", "bytes per second one connection may receive (downloads; 0: no limit)",
                        0, ServerConfig.MAX_RATE, G_LIMITS),
                "maxDownloadRate", (s, v) -> s.builder.maxDownloadRate(v), (s, c) -> c.maxDownloadRate(), false);
        add(sizeOption("max-upload-rate", "bytes per second one connection may send (uploads; 0: no limit)",
                        0, ServerConfig.MAX_RATE, G_LIMITS),
                "maxUploadRate", (s, v) -> s.builder.maxUploadRate(v), (s, c) -> c.maxUploadRate(), false);
        add(sizeOption("max-download-rate-per-user", "bytes per second all of one user's connections may receive "
                        + "('ferry user set --max-download-rate' sets a user's own; 0: no limit)", 0, ServerConfig.MAX_RATE,
                        G_LIMITS),
                "maxDownloadRatePerUser", (s, v) -> s.builder.maxDownloadRatePerUser(v),
                (s, c) -> c.maxDownloadRatePerUser(), false);
        add(sizeOption("max-upload-rate-per-user", "bytes per second all of one user's connections may send "
                        + "('ferry user set --max-upload-rate' sets a user's own; 0: no limit)", 0, ServerConfig.MAX_RATE,
                        G_LIMITS),
                "maxUploadRatePerUser", (s, v) -> s.builder.maxUploadRatePerUser(v), (s, c) -> c.maxUploadRatePerUser(),
                false);
        add(Option.toggle("per-address-cap-on-loopback", false,
                        "count loopback clients against --max-connections-per-address too").group(G_LIMITS),
                "perAddressCapCoversLoopback", (s, v) -> s.builder.perAddressCapCoversLoopback(v),
                (s, c) -> c.perAddressCapCoversLoopback(), false);
        add(intOption("max-inflight-per-connection", "requests in progress on one connection before it is paused",
                        1, 1 << 20, G_LIMITS),
                "maxInflightPerConnection", (s, v) -> s.builder.maxInflightPerConnection(v),
                (s, c) -> c.maxInflightPerConnection(), false);
        add(intOption("accept-backlog", "connections the kernel queues before they are accepted", 1, 65535, G_LIMITS),
                "acceptBacklog", (s, v) -> s.builder.acceptBacklog(v), (s, c) -> c.acceptBacklog(), false);
        add(intOption("accepts-per-event", "connections accepted per wakeup, so a storm cannot starve reads",
                        1, 1 << 16, G_LIMITS),
                "acceptsPerEvent", (s, v) -> s.builder.acceptsPerEvent(v), (s, c) -> c.acceptsPerEvent(), false);
        add(Option.value("max-header", "SIZE", ValueType.size(256, 16 * Units.MIB), null,
                        "largest frame header accepted").group(G_LIMITS),
                "frameLimits.maxHeaderBytes", (s, v) -> s.setFrameLimits(s.frameLimits().withMaxHeaderBytes(v.intValue())),
                (s, c) -> (long) c.frameLimits().maxHeaderBytes(), false);
        add(Option.value("max-body", "SIZE", ServeTypes.sizeOrUnlimited(), null,
                        "largest frame body accepted by the framing layer (services cap their own)").group(G_LIMITS),
                "frameLimits.maxBodyBytes", (s, v) -> s.setFrameLimits(s.frameLimits().withMaxBodyBytes(v)),
                (s, c) -> c.frameLimits().maxBodyBytes(), false);
        add(intOption("max-json-depth", "deepest nesting accepted in a header's JSON", 1, 256, G_LIMITS),
                "frameLimits.maxDepth", (s, v) -> s.setFrameLimits(s.frameLimits().withMaxDepth(v)),
                (s, c) -> c.frameLimits().maxDepth(), false);
    }

    /** Connection timeouts. */
    private void addTimeouts() {
        add(durationOption("idle-timeout", "close connections silent this long", 1, MAX_MILLIS),
                "idleTimeoutMillis", (s, v) -> s.builder.idleTimeoutMillis(v), (s, c) -> c.idleTimeoutMillis(), false);
        add(durationOption("handshake-timeout", "time to send the preamble (and log in, where required)", 1, MAX_MILLIS),
                "handshakeTimeoutMillis", (s, v) -> s.builder.handshakeTimeoutMillis(v),
                (s, c) -> c.handshakeTimeoutMillis(), false);
        add(durationOption("header-timeout", "time to finish a frame header once started (slowloris guard)", 1, MAX_MILLIS),
                "headerTimeoutMillis", (s, v) -> s.builder.headerTimeoutMillis(v), (s, c) -> c.headerTimeoutMillis(), false);
        add(durationOption("timeout-sweep", "how often timeouts are checked", 1, 60_000),
                "timeoutSweepMillis", (s, v) -> s.builder.timeoutSweepMillis(v), (s, c) -> c.timeoutSweepMillis(), false);
        add(durationOption("shutdown-grace", "on stop, time for requests in progress to finish", 0, MAX_MILLIS),
                "shutdownGraceMillis", (s, v) -> s.builder.shutdownGraceMillis(v), (s, c) -> c.shutdownGraceMillis(), false);
    }

    /** Buffers and flow control. */
    private void addBuffers() {
        add(sizeOption("read-buffer", "the read buffer each event loop shares among its connections",
                        512, 64 * Units.MIB, G_BUFFERS),
                "readBufferBytes", (s, v) -> s.builder.readBufferBytes(v.intValue()), (s, c) -> (long) c.readBufferBytes(), false);
        add(sizeOption("pool-buffer", "size of pooled output buffers (small frames coalesce in them)",
                        512, 64 * Units.MIB, G_BUFFERS),
                "poolBufferBytes", (s, v) -> s.builder.poolBufferBytes(v.intValue()), (s, c) -> (long) c.poolBufferBytes(), false);
        add(intOption("max-pooled-buffers", "output buffers kept for reuse per loop", 0, 1 << 20, G_BUFFERS),
                "maxPooledBuffers", (s, v) -> s.builder.maxPooledBuffers(v), (s, c) -> c.maxPooledBuffers(), false);
        add(sizeOption("high-water", "stop reading a connection whose unsent output passes this",
                        1, Long.MAX_VALUE, G_BUFFERS),
                "highWaterBytes", (s, v) -> s.builder.highWaterBytes(v), (s, c) -> c.highWaterBytes(), false);
        add(sizeOption("low-water", "...and resume once it drains below this", 0, Long.MAX_VALUE, G_BUFFERS),
                "lowWaterBytes", (s, v) -> s.builder.lowWaterBytes(v), (s, c) -> c.lowWaterBytes(), false);
        add(sizeOption("max-buffered-output", "close a connection whose unsent output passes this (a producer "
                        + "ignoring backpressure)", 1, Long.MAX_VALUE, G_BUFFERS),
                "maxBufferedOutputBytes", (s, v) -> s.builder.maxBufferedOutputBytes(v),
                (s, c) -> c.maxBufferedOutputBytes(), false);
        add(sizeOption("max-total-buffered-output", "answers buffered across all connections before those adding "
                        + "more stop being read", 1, Long.MAX_VALUE, G_BUFFERS),
                "maxTotalBufferedOutputBytes", (s, v) -> s.builder.maxTotalBufferedOutputBytes(v),
                (s, c) -> c.maxTotalBufferedOutputBytes(), false);
        add(sizeOption("max-bytes-per-write-event", "bytes one connection may send per turn, so one download cannot "
                        + "starve the rest", 1, Long.MAX_VALUE, G_BUFFERS),
                "maxBytesPerWriteEvent", (s, v) -> s.builder.maxBytesPerWriteEvent(v),
                (s, c) -> c.maxBytesPerWriteEvent(), false);
    }

    /** Socket options. */
    private void addSockets() {
        add(Option.toggle("tcp-nodelay", ServerConfig.DEFAULT_TCP_NODELAY,
                        "send small frames at once (disable Nagle's algorithm)").group(G_SOCKETS),
                "tcpNoDelay", (s, v) -> s.builder.tcpNoDelay(v), (s, c) -> c.tcpNoDelay(), false);
        add(Option.toggle("zero-copy", defaultConfig.zeroCopy(),
                        "send files with sendfile; --no-zero-copy copies through a buffer").group(G_SOCKETS),
                "zeroCopy", (s, v) -> s.builder.zeroCopy(v), (s, c) -> c.zeroCopy(), false);
        add(sizeOption("socket-send-buffer", "SO_SNDBUF of each connection (0 = the system's default)",
                        0, Integer.MAX_VALUE, G_SOCKETS),
                "socketSendBufferBytes", (s, v) -> s.builder.socketSendBufferBytes(v.intValue()),
                (s, c) -> (long) c.socketSendBufferBytes(), false);
        add(sizeOption("socket-receive-buffer", "SO_RCVBUF of each connection (0 = the system's default)",
                        0, Integer.MAX_VALUE, G_SOCKETS),
                "socketReceiveBufferBytes", (s, v) -> s.builder.socketReceiveBufferBytes(v.intValue()),
                (s, c) -> (long) c.socketReceiveBufferBytes(), false);
    }

    /** Registers a setting: declares its flag on the command, with the effective default shown in help. */
    <T> Setting<T> add(Option<T> option, String property, Setting.Applier<T> apply, Setting.Reader<T> read,
                       boolean isPath) {
        Option<T> o = option;
        if (read != null && option.defaultValue() == null && !option.repeatable()) {
            // the default shown in help is the core's own default, read back: one source of truth
            T def = read.read(defaults, defaultConfig);
            if (def != null && !"".equals(def)) { // "": an optional setting that is off, its help says how
                o = Option.value(option.name(), option.metavar(), option.type(), def, option.help()).group(option.group());
            }
        }
        command.option(o);
        Setting<T> s = new Setting<>(o, property, apply, read, isPath);
        byName.put(o.name(), s);
        return s;
    }

    List<Setting<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    Setting<?> byName(String name) {
        return byName.get(name);
    }

    List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /**
     * Replaces ServerConfig property names in a core validation message by the flags that set
     * them: "lowWaterBytes 40960 exceeds highWaterBytes 32768" → "--low-water 40960 exceeds
     * --high-water 32768".
     */
    String translate(String message) {
        String m = message;
        for (Setting<?> s : byName.values()) {
            if (s.property() != null && !s.property().contains(".") && !UNTRANSLATED.contains(s.property())) {
                m = m.replaceAll("\\b" + s.property() + "\\b", "--" + s.name());
            }
        }
        return m;
    }

    static Option<Integer> intOption(String name, String help, int min, int max, String group) {
        return Option.value(name, "N", ValueType.integer(min, max), null, help).group(group);
    }

    static Option<Long> sizeOption(String name, String help, long min, long max, String group) {
        return Option.value(name, "SIZE", ValueType.size(min, max), null, help).group(group);
    }

    static Option<Long> durationOption(String name, String help, long min, long max) {
        return Option.value(name, "DURATION", ValueType.duration(min, max), null, help).group(G_TIMEOUTS);
    }
}

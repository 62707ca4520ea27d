package ferry.cli;

import ferry.protocol.DigestAlgorithm;
import ferry.reactor.AddressRange;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.DemoUser;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
final class ServeOptions {
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;
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
        add(Option.value("config-dir", "DIR", ValueType.text(), ServeSettings.DEFAULT_CONFIG_DIR,
                        "folder of the user store (DIR/users, see 'ferry user') and the demo credentials; must be "
                        + "outside --root").defaultText("./" + ServeSettings.DEFAULT_CONFIG_DIR + ", or $"
                        + ServeSettings.ENV_CONFIG).group(G_ACCESS),
                null, (s, v) -> s.setConfigDir(Path.of(v)), (s, c) -> s.configDir().toAbsolutePath().normalize().toString(),
                true);
        add(Option.flag("login-required", "require login even with no users yet (with users it is required anyway, "
                        + "unless anonymous access is given)").group(G_ACCESS),
                "loginRequired", (s, v) -> s.setLoginRequired(v), (s, c) -> s.loginRequired(), false);
        anonymousRights = add(Option.value("anonymous-rights", "LIST", rightsOrAuto(), null,
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
        add(Option.toggle("proxy-protocol", false, "connections come through a load balancer that starts each with a "
                        + "PROXY header (v1 or v2) naming the client; needs --trusted-proxies").group(G_ACCESS),
                "proxyProtocol", (s, v) -> s.builder.proxyProtocol(v), (s, c) -> c.proxyProtocol(), false);
        add(Option.value("trusted-proxies", "CIDR,...", ValueType.list(), List.of(),
                        "the load balancers allowed to connect with --proxy-protocol, e.g. 10.0.0.0/24,192.0.2.7; "
                        + "any other address is refused").defaultText("none").group(G_ACCESS),
                "trustedProxies", (s, v) -> s.builder.trustedProxies(AddressRange.parseList(v)),
                (s, c) -> c.trustedProxies().stream().map(AddressRange::toString).toList(), false);
        add(Option.toggle("demo-user", false, "on loopback with no users, create user '" + DemoUser.NAME + "' with a "
                        + "random password, printed once and saved in CONFIG-DIR/" + DemoUser.CREDENTIALS_FILE_NAME
                        + " (make run does)").group(G_ACCESS),
                null, (s, v) -> s.setDemoUser(v), (s, c) -> s.demoUser(), false);

        add(intOption("max-sessions-per-user", "logged-in connections one user holds at once (0: no limit; "
                        + "'ferry user set --max-sessions' sets a user's own); one more login is refused "
                        + "(too_many_sessions)", 0, 100_000_000, G_ACCESS),
                "maxSessionsPerUser", (s, v) -> s.login().setMaxSessionsPerUser(v), (s, c) -> s.login().maxSessionsPerUser(),
                false);

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

        add(Option.list("exec-allow", "CMD,...", "commands clients may run, e.g. ls,df,uptime (repeatable)").group(G_EXEC),
                null, (s, v) -> s.exec().setAllowed(v), (s, c) -> new ArrayList<>(s.exec().allowed()), false);
        add(Option.toggle("exec-allow-all", false, "let clients with the exec right run any command (trusted admins only)")
                        .group(G_EXEC),
                null, (s, v) -> s.exec().setAllowAll(v), (s, c) -> s.exec().allowAll(), false);
        add(Option.toggle("exec-shell", false, "also accept shell command lines (sh -c), not only argument lists").group(G_EXEC),
                null, (s, v) -> s.exec().setShell(v), (s, c) -> s.exec().shell(), false);
        add(intOption("exec-max-running", "commands running at once; one more is answered busy", 1, 4096, G_EXEC),
                "maxRunning", (s, v) -> s.execConfig.maxRunning(v), (s, c) -> s.execSettings().maxRunning(), false);
        add(intOption("exec-max-running-per-user", "commands one user runs at once (0: no per-user limit; "
                        + "'ferry user set --max-exec' sets a user's own); one more is answered busy", 0, 4096, G_EXEC),
                "maxRunningPerUser", (s, v) -> s.execConfig.maxRunningPerUser(v),
                (s, c) -> s.execSettings().maxRunningPerUser(), false);
        add(Option.value("exec-max-output", "SIZE", sizeOrUnlimited(1), null,
                        "stdout plus stderr of one run; past it the command is stopped (the client is told)").group(G_EXEC),
                "maxOutputBytes", (s, v) -> s.execConfig.maxOutputBytes(v), (s, c) -> s.execSettings().maxOutputBytes(), false);
        add(Option.value("exec-timeout", "DURATION", ValueType.duration(1, MAX_MILLIS), null,
                        "time limit of a run that asks for none").group(G_EXEC),
                "defaultTimeoutMillis", (s, v) -> s.execConfig.defaultTimeoutMillis(v),
                (s, c) -> s.execSettings().defaultTimeoutMillis(), false);
        add(Option.value("exec-max-timeout", "DURATION", ValueType.duration(1, MAX_MILLIS), null,
                        "the longest time limit a client may ask for").group(G_EXEC),
                "maxTimeoutMillis", (s, v) -> s.execConfig.maxTimeoutMillis(v), (s, c) -> s.execSettings().maxTimeoutMillis(),
                false);
        add(Option.value("exec-kill-grace", "DURATION", ValueType.duration(0, MAX_KILL_GRACE_MILLIS), null,
                        "between SIGTERM and SIGKILL when a run is stopped").group(G_EXEC),
                "killGraceMillis", (s, v) -> s.execConfig.killGraceMillis(v), (s, c) -> s.execSettings().killGraceMillis(),
                false);
        add(Option.value("exec-env-allow", "NAME,...", ValueType.list(), null,
                        "environment variables a client may set (loader and interpreter variables are always refused)")
                        .group(G_EXEC),
                "envAllow", (s, v) -> s.execConfig.envAllow(v), (s, c) -> sorted(s.execSettings().envAllow()), false);
        add(Option.value("exec-inherit-env", "NAME,...", ValueType.list(), null,
                        "variables copied from the server's own environment into every command's").group(G_EXEC),
                "inheritedEnv", (s, v) -> s.execConfig.inheritedEnv(v), (s, c) -> sorted(s.execSettings().inheritedEnv()),
                false);
        add(Option.value("exec-search-path", "DIR:...", ValueType.text(), null,
                        "where bare command names are looked up (never the client's PATH)").group(G_EXEC),
                "searchPath", (s, v) -> s.execConfig.searchPath(v), (s, c) -> joinPath(s.execSettings().searchPath()), false);
        add(Option.value("exec-shell-path", "FILE", ValueType.text(), null,
                        "the shell that runs shell command lines (with --exec-shell)").group(G_EXEC),
                "shell", (s, v) -> s.execConfig.shell(v), (s, c) -> s.execSettings().shell(), false);
        add(Option.toggle("exec-process-groups", ExecConfig.DEFAULT_PROCESS_GROUPS,
                        "run each command in its own process group, so a stop reaches its children").group(G_EXEC),
                "processGroups", (s, v) -> s.execConfig.processGroups(v), (s, c) -> s.execSettings().processGroups(), false);
        add(sizeOption("exec-chunk", "largest output frame (one read from a command's pipe)", 512, 16 * Units.MIB, G_EXEC),
                "chunkBytes", (s, v) -> s.execConfig.chunkBytes(v.intValue()), (s, c) -> (long) s.execSettings().chunkBytes(),
                false);
        add(intOption("exec-chunks-in-flight", "output frames per stream on their way to a client before the command "
                        + "is made to wait", 1, 64, G_EXEC),
                "chunksInFlight", (s, v) -> s.execConfig.chunksInFlight(v), (s, c) -> s.execSettings().chunksInFlight(), false);
        add(sizeOption("exec-stdin-high-water", "stdin queued for a command before the connection stops being read",
                        1, 1L << 40, G_EXEC),
                "stdinHighWaterBytes", (s, v) -> s.execConfig.stdinHighWaterBytes(v),
                (s, c) -> s.execSettings().stdinHighWaterBytes(), false);
        add(sizeOption("exec-stdin-low-water", "...and resumes once the command has taken it down to this",
                        0, 1L << 40, G_EXEC),
                "stdinLowWaterBytes", (s, v) -> s.execConfig.stdinLowWaterBytes(v),
                (s, c) -> s.execSettings().stdinLowWaterBytes(), false);
        add(Option.value("exec-death-check", "DURATION", ValueType.duration(1, 10_000), null,
                        "how often a stopped run checks that its processes are gone").group(G_EXEC),
                "deathCheckMillis", (s, v) -> s.execConfig.deathCheckMillis(v), (s, c) -> s.execSettings().deathCheckMillis(),
                false);

        add(Option.value("max-file-size", "SIZE", sizeOrUnlimited(0), null, "largest file an upload may store")
                        .group(G_FILES),
                "maxFileBytes", (s, v) -> s.files.maxFileBytes(v), (s, c) -> s.fileConfig().maxFileBytes(), false);
        add(intOption("max-concurrent-uploads", "uploads receiving at once; one more is answered busy", 1, 1 << 20,
                        G_FILES),
                "maxConcurrentUploads", (s, v) -> s.files.maxConcurrentUploads(v),
                (s, c) -> s.fileConfig().maxConcurrentUploads(), false);
        add(intOption("max-uploads-per-user", "uploads one user runs at once (anonymous users are one user; "
                        + "'ferry user set --max-uploads' sets a user's own); one more is answered busy", 1, 1 << 20, G_FILES),
                "maxUploadsPerUser", (s, v) -> s.files.maxUploadsPerUser(v), (s, c) -> s.fileConfig().maxUploadsPerUser(),
                false);
        add(intOption("max-uploads-per-address", "uploads one client address runs at once; one more is answered busy",
                        1, 1 << 20, G_FILES),
                "maxUploadsPerAddress", (s, v) -> s.files.maxUploadsPerAddress(v),
                (s, c) -> s.fileConfig().maxUploadsPerAddress(), false);
        add(sizeOption("min-upload-rate", "bytes per second an upload must average over --upload-rate-window, or it "
                        + "is stopped (kept for a resume) and its connection closed (0: no minimum)", 0, 1L << 40, G_FILES),
                "minUploadRateBytesPerSecond", (s, v) -> s.files.minUploadRateBytesPerSecond(v),
                (s, c) -> s.fileConfig().minUploadRateBytesPerSecond(), false);
        add(Option.value("upload-rate-window", "DURATION", ValueType.duration(1_000, FileServiceConfig.MAX_UPLOAD_TIMER_MILLIS), null,
                        "time --min-upload-rate is averaged over (time the server paused reading does not count)")
                        .group(G_FILES),
                "uploadRateWindowMillis", (s, v) -> s.files.uploadRateWindowMillis(v),
                (s, c) -> s.fileConfig().uploadRateWindowMillis(), false);
        add(Option.value("upload-takeover-after", "DURATION", ValueType.duration(0, FileServiceConfig.MAX_UPLOAD_TIMER_MILLIS), null,
                        "a running upload silent this long is taken over by its own user's new request for it")
                        .group(G_FILES),
                "uploadTakeoverAfterMillis", (s, v) -> s.files.uploadTakeoverAfterMillis(v),
                (s, c) -> s.fileConfig().uploadTakeoverAfterMillis(), false);
        add(Option.value("digest-algorithm", "ALG", digestType(), null,
                        "digest an upload computes when the client names none: sha-256, md5 or none").group(G_FILES),
                "digestAlgorithm", (s, v) -> s.files.digestAlgorithm(v), (s, c) -> s.fileConfig().digestAlgorithm(), false);
        add(Option.toggle("sync-on-commit", FileServiceConfig.DEFAULT_SYNC_ON_COMMIT,
                        "force an upload to disk before it appears under its name (--no-sync-on-commit: faster, "
                        + "a crash may lose it)").group(G_FILES),
                "syncOnCommit", (s, v) -> s.files.syncOnCommit(v), (s, c) -> s.fileConfig().syncOnCommit(), false);
        add(sizeOption("write-behind", "with sync on commit, flush an upload in the background every this much "
                        + "(0: only at the end)", 0, Long.MAX_VALUE, G_FILES),
                "writeBehindBytes", (s, v) -> s.files.writeBehindBytes(v), (s, c) -> s.fileConfig().writeBehindBytes(),
                false);
        add(sizeOption("default-quota-bytes", "bytes of files each user's home may hold; an upload that would pass "
                        + "it is refused (quota_exceeded; 0: no quota)", 0, Long.MAX_VALUE, G_FILES),
                "defaultQuotaBytes", (s, v) -> s.files.defaultQuotaBytes(v), (s, c) -> s.fileConfig().defaultQuotaBytes(),
                false);
        add(intOption("default-quota-files", "files each user's home may hold (0: no quota)", 0, Integer.MAX_VALUE,
                        G_FILES),
                "defaultQuotaFiles", (s, v) -> s.files.defaultQuotaFiles(v),
                (s, c) -> (int) Math.min(Integer.MAX_VALUE, s.fileConfig().defaultQuotaFiles()), false);
        add(Option.value("quota-rescan-interval", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "a home's usage counted longer ago than this is counted again at its next upload, which bounds "
                        + "drift from other writers such as servers sharing the root (0: count once, then keep track)")
                        .group(G_FILES),
                "quotaRescanIntervalMillis", (s, v) -> s.files.quotaRescanIntervalMillis(v),
                (s, c) -> s.fileConfig().quotaRescanIntervalMillis(), false);
        add(Option.value("temp-max-age", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "an unfinished upload untouched this long is deleted (it can be resumed until then)")
                        .group(G_FILES),
                "tempMaxAgeMillis", (s, v) -> s.files.tempMaxAgeMillis(v), (s, c) -> s.fileConfig().tempMaxAgeMillis(),
                false);
        add(Option.value("temp-sweep-interval", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "how often the tree is searched for stale unfinished uploads (0: never)").group(G_FILES),
                "tempSweepIntervalMillis", (s, v) -> s.files.tempSweepIntervalMillis(v),
                (s, c) -> s.fileConfig().tempSweepIntervalMillis(), false);
        add(sizeOption("read-ahead", "how far ahead of the socket a download's pages are read into memory by "
                        + "workers (0: off)", 0, Long.MAX_VALUE, G_FILES),
                "readAheadBytes", (s, v) -> s.files.readAheadBytes(v), (s, c) -> s.fileConfig().readAheadBytes(), false);
        add(sizeOption("read-ahead-window", "a download is sent in windows of this size, each warmed first",
                        4096, 1L << 30, G_FILES),
                "readAheadWindowBytes", (s, v) -> s.files.readAheadWindowBytes(v),
                (s, c) -> s.fileConfig().readAheadWindowBytes(), false);
        add(intOption("digest-cache-entries", "file digests remembered by version (about 200 bytes each)",
                        0, 1 << 24, G_FILES),
                "digestCacheEntries", (s, v) -> s.files.digestCacheEntries(v), (s, c) -> s.fileConfig().digestCacheEntries(),
                false);
        add(sizeOption("hash-buffer", "read size when hashing a file", 4096, 64 * Units.MIB, G_FILES),
                "hashBufferBytes", (s, v) -> s.files.hashBufferBytes(v.intValue()),
                (s, c) -> (long) s.fileConfig().hashBufferBytes(), false);
        add(intOption("max-list-entries", "largest folder a listing answers; bigger ones get too_large", 1, 1 << 24,
                        G_FILES),
                "maxListEntries", (s, v) -> s.files.maxListEntries(v), (s, c) -> s.fileConfig().maxListEntries(), false);
        add(intOption("max-open-downloads-per-connection", "files one connection's downloads hold open; its further "
                        + "GETs wait their turn", 1, 1 << 16, G_FILES),
                "maxOpenDownloadsPerConnection", (s, v) -> s.files.maxOpenDownloadsPerConnection(v),
                (s, c) -> s.fileConfig().maxOpenDownloadsPerConnection(), false);
        add(intOption("max-open-downloads", "files all downloads hold open; one more GET is answered busy", 1, 1 << 24,
                        G_FILES),
                "maxOpenDownloads", (s, v) -> s.files.maxOpenDownloads(v), (s, c) -> s.fileConfig().maxOpenDownloads(), false);
        add(sizeOption("max-path", "longest request path, in bytes of UTF-8", 1, 1 << 16, G_FILES),
                "maxPathBytes", (s, v) -> s.files.maxPathBytes(v.intValue()), (s, c) -> (long) s.fileConfig().maxPathBytes(),
                false);
        add(sizeOption("max-name", "longest single name in a path, in bytes of UTF-8", 1, 4096, G_FILES),
                "maxNameBytes", (s, v) -> s.files.maxNameBytes(v.intValue()), (s, c) -> (long) s.fileConfig().maxNameBytes(),
                false);
        add(sizeOption("upload-buffer", "uploads are copied off the loop into buffers of this size", 4096,
                        64 * Units.MIB, G_FILES),
                "uploadBufferBytes", (s, v) -> s.files.uploadBufferBytes(v.intValue()),
                (s, c) -> (long) s.fileConfig().uploadBufferBytes(), false);
        add(intOption("upload-buffers-per-upload", "buffers one upload may hold before its connection is paused",
                        2, 1024, G_FILES),
                "uploadBuffersPerUpload", (s, v) -> s.files.uploadBuffersPerUpload(v),
                (s, c) -> s.fileConfig().uploadBuffersPerUpload(), false);
        add(Option.value("upload-direct-io-min", "SIZE", sizeOrUnlimited(0), null,
                        "uploads this big are written with O_DIRECT, bypassing the page cache (unlimited = never)")
                        .group(G_FILES),
                "uploadDirectIoMinBytes", (s, v) -> s.files.uploadDirectIoMinBytes(v),
                (s, c) -> s.fileConfig().uploadDirectIoMinBytes(), false);
        add(intOption("max-pooled-upload-buffers", "free upload buffers kept for reuse", 0, 1 << 20, G_FILES),
                "maxPooledUploadBuffers", (s, v) -> s.files.maxPooledUploadBuffers(v),
                (s, c) -> s.fileConfig().maxPooledUploadBuffers(), false);

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
        add(Option.value("max-body", "SIZE", sizeOrUnlimited(), null,
                        "largest frame body accepted by the framing layer (services cap their own)").group(G_LIMITS),
                "frameLimits.maxBodyBytes", (s, v) -> s.setFrameLimits(s.frameLimits().withMaxBodyBytes(v)),
                (s, c) -> c.frameLimits().maxBodyBytes(), false);
        add(intOption("max-json-depth", "deepest nesting accepted in a header's JSON", 1, 256, G_LIMITS),
                "frameLimits.maxDepth", (s, v) -> s.setFrameLimits(s.frameLimits().withMaxDepth(v)),
                (s, c) -> c.frameLimits().maxDepth(), false);

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

    private static Option<Integer> intOption(String name, String help, int min, int max, String group) {
        return Option.value(name, "N", ValueType.integer(min, max), null, help).group(group);
    }

    private static Option<Long> sizeOption(String name, String help, long min, long max, String group) {
        return Option.value(name, "SIZE", ValueType.size(min, max), null, help).group(group);
    }

    private static Option<Long> durationOption(String name, String help, long min, long max) {
        return Option.value(name, "DURATION", ValueType.duration(min, max), null, help).group(G_TIMEOUTS);
    }

    /** read,write,delete,exec / all / none. */
    static ValueType<Set<Right>> rightsType() {
        return new ValueType<>() {
            @Override
            public Set<Right> parse(String text) {
                String t = text.trim();
                if (t.equalsIgnoreCase("none")) {
                    return EnumSet.noneOf(Right.class);
                }
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("empty list of rights (write none for no rights)");
                }
                return Right.parseList(t);
            }

            @Override
            public String format(Set<Right> value) {
                return value.isEmpty() ? "none" : Right.toList(value);
            }
        };
    }

    /** Rights as {@link #rightsType()}, or {@code auto} (null): the secure default decided at start-up. */
    static ValueType<Set<Right>> rightsOrAuto() {
        ValueType<Set<Right>> rights = rightsType();
        return new ValueType<>() {
            @Override
            public Set<Right> parse(String text) {
                return text.trim().equalsIgnoreCase("auto") ? null : rights.parse(text);
            }

            @Override
            public String format(Set<Right> value) {
                return value == null ? "auto" : rights.format(value);
            }
        };
    }

    /** A size, or {@code unlimited} for Long.MAX_VALUE. */
    static ValueType<Long> sizeOrUnlimited() {
        return sizeOrUnlimited(0);
    }

    /** A size of at least {@code min}, or {@code unlimited} for Long.MAX_VALUE. */
    static ValueType<Long> sizeOrUnlimited(long min) {
        ValueType<Long> size = ValueType.size(min, Long.MAX_VALUE);
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                return text.trim().equalsIgnoreCase("unlimited") ? Long.MAX_VALUE : size.parse(text);
            }

            @Override
            public String format(Long value) {
                return value == Long.MAX_VALUE ? "unlimited" : size.format(value);
            }
        };
    }

    /** A digest algorithm by its wire name. */
    static ValueType<DigestAlgorithm> digestType() {
        return new ValueType<>() {
            @Override
            public DigestAlgorithm parse(String text) {
                String t = text.trim().toLowerCase(Locale.ROOT);
                for (DigestAlgorithm a : DigestAlgorithm.values()) {
                    if (a.wireName().equals(t)) {
                        return a;
                    }
                }
                throw new IllegalArgumentException("'" + text + "' is not one of sha-256, md5, none");
            }

            @Override
            public String format(DigestAlgorithm value) {
                return value.wireName();
            }
        };
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    private static String joinPath(List<Path> dirs) {
        StringBuilder sb = new StringBuilder();
        for (Path d : dirs) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(d);
        }
        return sb.toString();
    }
}

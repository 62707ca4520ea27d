package ferry.cli.serve;

import ferry.protocol.FrameLimits;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.auth.AuthPolicy;
import ferry.services.auth.AuthSettings;
import ferry.services.exec.ExecConfig;
import ferry.services.exec.ExecPolicy;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Everything {@code ferry serve} was told, from defaults, a config file and flags, before the
 * server exists: the {@link ServerConfig} being built, plus what belongs to the CLI or to
 * services rather than to the core (the root folder, the exec policy, the log level).
 *
 * <p>Services read their part here: the file service {@link #root()}, the exec service
 * {@link #exec()}, the login service {@link #configDir()} (its user store), {@link #login()} (its
 * throttle) and {@link #demoUser()}. Who may do what without logging in is decided at start-up
 * by {@link ServeAccess} from {@link #loginRequired()}, {@link #anonymousRights()} and the number of
 * users, and applied with {@link #buildConfig(AuthPolicy.Decision)}.
 *
 * <p>Thread safety: none; filled and read on the main thread.
 */
public final class ServeSettings {
    /** Served when no root is given; relative to the working folder (make run's ./data). */
    static final String DEFAULT_ROOT = "data";
    static final String DEFAULT_LOG_LEVEL = "info";
    static final String[] LOG_LEVELS = {"error", "warn", "info", "debug"};
    /**
     * The config folder (user store, demo credentials) when neither {@code --config-dir} nor
     * {@value #ENV_CONFIG} says otherwise; relative to the working folder, so with the default root
     * it sits next to it ({@code ./data} and {@code ./config}), outside what is served.
     */
    static final String DEFAULT_CONFIG_DIR = "config";
    /** Environment variable naming the config folder, for serve, {@code ferry user} and the client's demo lookup. */
    public static final String ENV_CONFIG = "FERRY_CONFIG";
    /** The metrics endpoint's port when {@code --metrics-listen} names only a host: the server's 7373 with a 9 for its first digit. */
    static final int DEFAULT_METRICS_PORT = 9373;

    final ServerConfig.Builder builder = ServerConfig.builder();
    /** The file service's settings; its root is set from {@link #root()} when the service is installed. */
    final FileServiceConfig.Builder files = FileServiceConfig.builder(Path.of(DEFAULT_ROOT));
    /** The exec service's settings; root and policy are set from {@link #root()} and {@link #exec()} at install. */
    final ExecConfig.Builder execConfig = ExecConfig.builder(Path.of(DEFAULT_ROOT));
    private final ExecSettings exec = new ExecSettings();
    private Path root = Path.of(DEFAULT_ROOT);
    private ListenAddress listen = ListenAddress.DEFAULT;
    private FrameLimits frameLimits = FrameLimits.DEFAULT;
    private String logLevel = DEFAULT_LOG_LEVEL;
    private Path configDir = Path.of(DEFAULT_CONFIG_DIR);
    private Path auditLog; // null: no audit log
    private ListenAddress metricsListen; // null: no metrics endpoint (the default: it has no authentication)
    private ListenAddress adminListen; // null: no admin endpoint (the default)
    private boolean demoUser;
    private boolean createRoot;
    private boolean loginRequired;
    private Set<Right> anonymousRights; // null: decided by ServeAccess
    private final LoginSettings login = new LoginSettings();
    private Boolean tls; // null: on when listening beyond loopback (ServeTls)
    private Path tlsCert;
    private Path tlsKey;
    private String tlsPlaintext = ServeTls.DEFAULT_PLAINTEXT;

    /** The config folder {@code ferry serve} and {@code ferry user} use: {@code $FERRY_CONFIG}, else ./config. */
    public static Path defaultConfigDir(String envValue) {
        return Path.of(envValue != null && !envValue.isEmpty() ? envValue : DEFAULT_CONFIG_DIR);
    }

    Path root() { return root; }
    ListenAddress listen() { return listen; }
    FrameLimits frameLimits() { return frameLimits; }
    String logLevel() { return logLevel; }
    ExecSettings exec() { return exec; }
    Path configDir() { return configDir; }
    Path auditLog() { return auditLog; }
    /** {@code --metrics-listen}: where the Prometheus endpoint listens, or null when it is off. */
    ListenAddress metricsListen() { return metricsListen; }
    boolean demoUser() { return demoUser; }
    /** {@code --create-root}: create a missing root folder rather than refuse to start. */
    boolean createRoot() { return createRoot; }
    /** {@code --login-required}: login even where the policy would not ask for it (no users yet). */
    boolean loginRequired() { return loginRequired; }
    /** {@code --anonymous-rights}/{@code --anonymous-read}, or null for the secure default ({@link ServeAccess}). */
    Set<Right> anonymousRights() { return anonymousRights; }
    LoginSettings login() { return login; }
    /** {@code --tls}/{@code --no-tls}, or null for the default (TLS beyond loopback). */
    Boolean tls() { return tls; }
    Path tlsCert() { return tlsCert; }
    Path tlsKey() { return tlsKey; }
    String tlsPlaintext() { return tlsPlaintext; }
    void setTls(boolean v) { tls = v; }
    void setTlsCert(Path p) { tlsCert = p; }
    void setTlsKey(Path p) { tlsKey = p; }
    void setTlsPlaintext(String v) { tlsPlaintext = v; }

    void setRoot(Path p) { root = p; }
    void setListen(ListenAddress a) { listen = a; }
    void setFrameLimits(FrameLimits f) { frameLimits = f; }
    void setLogLevel(String l) { logLevel = l; }
    void setConfigDir(Path p) { configDir = p; }
    void setAuditLog(Path p) { auditLog = p; }
    void setMetricsListen(ListenAddress a) { metricsListen = a; }
    /** {@code --admin-listen}: where the loopback-only admin endpoint listens, or null when it is off. */
    ListenAddress adminListen() { return adminListen; }
    void setAdminListen(ListenAddress a) { adminListen = a; }
    void setDemoUser(boolean v) { demoUser = v; }
    void setCreateRoot(boolean v) { createRoot = v; }
    void setLoginRequired(boolean v) { loginRequired = v; }

    void setAnonymousRights(Set<Right> r) {
        anonymousRights = r == null ? null
                : Right.frozen(r);
    }

    ServerLog.Level logLevelEnum() {
        return ServerLog.Level.valueOf(logLevel.toUpperCase(Locale.ROOT));
    }

    /**
     * The server's configuration with the access {@code decision} applied; cross-setting checks
     * (low vs high water, anonymous rights off loopback) happen here and throw
     * IllegalArgumentException in ServerConfig's property names.
     */
    ServerConfig buildConfig(AuthPolicy.Decision decision) {
        builder.bindAddress(listen.host()).port(listen.port()).frameLimits(frameLimits);
        return decision.applyTo(builder).build();
    }

    /**
     * The configuration for checking the settings before the user store is read (and for
     * {@code --print-config}): login required, the one access decision every bind address accepts.
     * The real one comes from {@link #buildConfig(AuthPolicy.Decision)}.
     */
    ServerConfig checkedConfig() {
        return buildConfig(new AuthPolicy.Decision(true, EnumSet.noneOf(Right.class), "checking the settings"));
    }

    /**
     * The file service's settings serving {@code root} (IllegalArgumentException in
     * FileServiceConfig's property names).
     */
    FileServiceConfig fileConfig(Path root) {
        return files.root(root).build();
    }

    /** {@link #fileConfig(Path)} for the configured root, to read the settings back. */
    FileServiceConfig fileConfig() {
        return fileConfig(root);
    }

    /**
     * The exec service's settings for {@code root} with the policy of {@link #exec()}: a bad
     * combination throws IllegalArgumentException, in ExecConfig's property names for its own
     * settings and in flag names for the policy ({@link ExecPolicy#parse}).
     */
    ExecConfig execConfig(Path root) {
        ExecPolicy policy = exec.enabled()
                ? ExecPolicy.parse(exec.allowed().isEmpty() ? null : String.join(",", exec.allowed()), exec.allowAll(),
                        exec.shell())
                : ExecPolicy.DISABLED;
        return execConfig.root(root).policy(policy).build();
    }

    /** {@link #execConfig(Path)} without the policy, to read the exec service's own settings back. */
    ExecConfig execSettings() {
        return execConfig.root(root).policy(ExecPolicy.DISABLED).build();
    }

    /** The login service's settings (IllegalArgumentException in AuthSettings' property names). */
    AuthSettings authSettings() {
        return login.build();
    }
}

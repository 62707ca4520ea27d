package ferry.cli;

import ferry.protocol.FrameLimits;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Everything {@code ferry serve} was told, from defaults, a config file and flags, before the
 * server exists: the {@link ServerConfig} being built, plus what belongs to the CLI or to
 * services rather than to the core (the root folder, the exec policy, the log level).
 *
 * <p>Round 2 services read their part here: the file service {@link #root()}, the exec service
 * {@link #exec()}, the login service the settings it adds (user store, demo user).
 *
 * <p>Thread safety: none; filled and read on the main thread.
 */
final class ServeSettings {
    /** Served when no root is given; relative to the working folder (make run's ./data). */
    static final String DEFAULT_ROOT = "data";
    static final String DEFAULT_LOG_LEVEL = "info";
    static final String[] LOG_LEVELS = {"error", "warn", "info", "debug"};

    final ServerConfig.Builder builder = ServerConfig.builder();
    private final ExecSettings exec = new ExecSettings();
    private Path root = Path.of(DEFAULT_ROOT);
    private ListenAddress listen = ListenAddress.DEFAULT;
    private FrameLimits frameLimits = FrameLimits.DEFAULT;
    private String logLevel = DEFAULT_LOG_LEVEL;

    Path root() { return root; }
    ListenAddress listen() { return listen; }
    FrameLimits frameLimits() { return frameLimits; }
    String logLevel() { return logLevel; }
    ExecSettings exec() { return exec; }

    void setRoot(Path p) { root = p; }
    void setListen(ListenAddress a) { listen = a; }
    void setFrameLimits(FrameLimits f) { frameLimits = f; }
    void setLogLevel(String l) { logLevel = l; }

    ServerLog.Level logLevelEnum() {
        return ServerLog.Level.valueOf(logLevel.toUpperCase(Locale.ROOT));
    }

    /** The server's configuration; cross-setting checks (low vs high water, anonymous rights off loopback) happen here. */
    ServerConfig buildConfig() {
        return builder.bindAddress(listen.host()).port(listen.port()).frameLimits(frameLimits).build();
    }
}

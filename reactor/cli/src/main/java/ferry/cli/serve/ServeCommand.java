package ferry.cli.serve;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Suggest;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.reactor.AuditLog;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.reactor.Version;
import ferry.services.FerryServices;
import ferry.services.auth.AuthPolicy;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.DemoUser;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserStore;
import ferry.services.file.FileService;
import ferry.services.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferry serve}: runs a server in the foreground until SIGINT (Ctrl-C) or SIGTERM.
 *
 * <p>Settings come from three layers, each overriding the one before: the built-in defaults,
 * the {@code --config} file, the flags. Every {@link ServerConfig} setting is reachable (see
 * {@link ServeOptions}); {@code --print-config} shows the result as a config file.
 *
 * <p>Access: the login service is always installed, reading users from
 * {@code CONFIG-DIR/users} (re-read when it changes); {@link ServeAccess} decides from the flags,
 * the bind address and the number of users whether login is required and what anonymous
 * connections may do, or refuses to start (exit 1, one line) off loopback without users or
 * anonymous read access. The config folder must lie outside the root. {@code --demo-user} (make
 * run) creates a demo account on a loopback server without users ({@link #demoUser}).
 *
 * <p>Output: stdout gets one line once the server accepts connections,
 * {@code ferry 0.1.0 listening on 127.0.0.1:7373, root /abs/data} (with the real port when
 * {@code --listen} asked for port 0: scripts and tests read it), preceded with {@code --demo-user}
 * by one line about the demo account (its password, the one time it is created). stderr gets the server log,
 * one line per event ({@code 2026-11-25T07:51:40.123Z INFO  c1 127.0.0.1:50412 open}): warnings
 * only with {@code --quiet}, debug detail with {@code --verbose}.
 *
 * <p>Observing: {@code --audit-log} adds an {@link AuditLog}, {@code --metrics-listen} a Prometheus
 * endpoint ({@link ServeMetrics}); both are request observers, added once every service has
 * registered its ops, and closed when the server stops.
 *
 * <p>Stopping: a JVM shutdown hook (run on SIGINT and SIGTERM) calls {@link FerryServer#stop()},
 * which stops accepting, lets requests in progress finish for up to {@code --shutdown-grace},
 * then closes; the process then exits with status 0 rather than the JVM's 128+signal, because a
 * requested, completed stop is a success (service managers and {@code make} see it as one).
 *
 * <p>Thread safety: runs on the main thread; the shutdown hook runs on its own.
 */
public final class ServeCommand extends Command {
    private final ServeOptions settings;
    private final Option<String> config;
    private final Option<Boolean> printConfig;

    public ServeCommand() {
        super("serve", "serve a folder over the Ferry protocol");
        arguments();
        settings = new ServeOptions(this);
        config = option(Option.value("config", "FILE", ValueType.text(), null,
                "read settings from FILE ('key = value' lines, see below); flags override it"));
        printConfig = option(Option.flag("print-config", "print the effective settings as a config file and exit"));
    }

    @Override
    public String description() {
        return "Serve a folder over the Ferry protocol, in the foreground, until Ctrl-C or SIGTERM (which stop "
                + "it gracefully). Prints one line on stdout once it listens (with the real port when --listen "
                + "asks for port 0) and logs one line per connection and transfer to stderr.\n\n"
                + "Access is secure by default. Users live in CONFIG-DIR/users (manage them with 'ferry user'); "
                + "when there are any, connections must log in. Without users, a server on loopback lets anyone on "
                + "this machine read, write and delete, and a server listening elsewhere refuses to start unless "
                + "--anonymous-read lets anyone read. The config folder must be outside --root.";
    }

    @Override
    public String epilog() {
        return "Values: sizes take k, m, g, t (powers of 1024: 64k, 1m); durations take ms, s, m, h, d (500ms, 30s, "
                + "1m30s); lists are comma-separated.\n\n"
                + "Config file (--config FILE): one 'key = value' per line, keys are the flags above without --; "
                + "'#' starts a comment; switches take true or false; quote values containing ' #'; relative paths "
                + "are relative to the file; an unknown or repeated key is an error; flags win over the file. "
                + "'ferry serve --print-config' prints a complete example.\n\n"
                + "Examples:\n\n"
                + "  ferry serve --root ~/share                      # this machine only, 127.0.0.1:7373\n"
                + "  ferry serve --root ~/share --listen 0.0.0.0:7373 --anonymous-read\n"
                + "  ferry user add alice --config-dir /etc/ferry && ferry serve --root /srv/share --config-dir "
                + "/etc/ferry --listen 0.0.0.0:7373\n"
                + "  ferry serve --config /etc/ferry.conf --workers 16 --verbose\n"
                + "  ferry serve --listen 127.0.0.1:0                # any free port, printed at startup";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Console console = inv.console();
        ServeSettings s = resolve(inv.args(), console.env(ServeSettings.ENV_CONFIG));
        ServerConfig checked = buildConfig(s);
        AuthSettings auth = authSettings(s);
        if (inv.args().get(printConfig)) {
            printConfig(console.out(), s, checked);
            return Command.EXIT_OK;
        }
        checkListenHost(s.listen(), InetAddress::getByName); // before the access rules judge the address
        ServeFolders.checkRoot(s.root(), s.createRoot()); // before anything is written (the demo user): a typo changes nothing
        Path configDir = ServeFolders.checkConfigDir(s.configDir(), s.root().toAbsolutePath().normalize());
        ServerLog log = serverLog(console, s);
        UserStore store = UserStore.inConfigDir(configDir);
        if (s.demoUser()) {
            String demo = demoUser(store, configDir, checked.isLoopbackOnly(), log);
            if (demo != null) {
                console.out().println(demo); // before starting: the password is shown even if the port is busy
                console.out().flush();
            }
        }
        AuthPolicy.Decision access = decideAccess(s, checked, store);
        ServeTls.Setup tls = ServeTls.setUp(s, configDir, checked.isLoopbackOnly(), console.environment());
        ServerConfig cfg = buildConfig(s, access).toBuilder().tls(tls.settings()).build();
        Path root = ServeFolders.prepareRoot(s.root()); // only once the server may start: a refusal leaves no folder behind
        FerryServer server = new FerryServer(cfg, log);
        MetricsEndpoint metrics = installServices(server, store, auth, s, root, log);
        start(server, metrics);
        if (s.adminListen() != null) {
            ServeAdmin.start(server, s.adminListen(), log);
        }
        log.info("access: " + access.summary());
        CountDownLatch stopped = stopOnSignal(server, log, console);
        console.out().println("ferry " + Version.VERSION + " listening on "
                + ListenAddress.format(cfg.bindAddress(), server.port()) + ", root " + root);
        if (tls.startLine() != null) {
            (tls.settings() == null ? console.err() : console.out()).println(tls.startLine());
        }
        console.out().flush();
        stopped.await();
        return Command.EXIT_OK;
    }

    /** The server's log: --quiet and --verbose win over the log-level setting. */
    private static ServerLog serverLog(Console console, ServeSettings s) {
        ServerLog.Level level = console.quiet() ? ServerLog.Level.WARN
                : console.verbose() ? ServerLog.Level.DEBUG : s.logLevelEnum();
        return new ServerLog(console.err(), level);
    }

    /**
     * Who may log in and do what, given the settings, the bind address and the users there are;
     * a refusal fails the run.
     */
    private static AuthPolicy.Decision decideAccess(ServeSettings s, ServerConfig checked, UserStore store)
            throws CliException {
        try {
            return ServeAccess.decide(s, checked.isLoopbackOnly(), store.countUsers());
        } catch (AuthPolicy.RefusedException e) {
            throw new CliException(e.getMessage() + " (users are read from " + store.file() + ")", e);
        } catch (IOException e) {
            throw new CliException(ErrorMessages.describe(e), e);
        }
    }

    /**
     * Installs the standard services, the audit log and the metrics endpoint on {@code server},
     * before it starts.
     *
     * @return the metrics endpoint, bound but not serving; null without --metrics-listen
     */
    private static MetricsEndpoint installServices(FerryServer server, UserStore store, AuthSettings auth,
            ServeSettings s, Path root, ServerLog log) throws CliException {
        try {
            FileService files = FerryServices.standard(server, store, auth, s.fileConfig(root), s.execConfig(root)).files();
            if (s.auditLog() != null) {
                AuditLog audit = new AuditLog(s.auditLog(), log);
                server.addRequestObserver(audit);
                server.onStop(audit::close);
                reopenOnSighup(audit, log);
            }
            return s.metricsListen() != null ? ServeMetrics.install(server, files, s.metricsListen(), log) : null;
        } catch (IOException e) {
            throw new CliException(ErrorMessages.describe(e), e);
        }
    }

    /** Starts the server, then the metrics endpoint (null: none); a failed start closes the endpoint. */
    private static void start(FerryServer server, MetricsEndpoint metrics) throws CliException {
        try {
            server.start();
        } catch (IOException e) {
            if (metrics != null) {
                metrics.close();
            }
            throw new CliException(ErrorMessages.oneLine(e.getMessage())
                    + (e.getMessage() != null && e.getMessage().contains("in use")
                    ? " (another server there? choose another port with --listen HOST:PORT)" : ""), e);
        }
        if (metrics != null) {
            metrics.start(); // only now: a scrape reads the running server's loops
        }
    }

    /** On a signal (Ctrl-C, SIGTERM) stops the server, flushes the log and exits 0; the latch counts down then. */
    private static CountDownLatch stopOnSignal(FerryServer server, ServerLog log, Console console) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping (signal received)");
            server.stop();
            log.drain(2_000); // the log writes on its own thread: halt() would drop what it has not written yet
            console.err().flush();
            console.out().flush();
            stopped.countDown();
            Runtime.getRuntime().halt(Command.EXIT_OK); // a requested, completed stop is a success
        }, "ferry-shutdown"));
        return stopped;
    }

    /** logrotate's convention: after moving the file it sends SIGHUP, and the server opens the path again. */
    @SuppressWarnings("restriction")
    private static void reopenOnSighup(AuditLog audit, ServerLog log) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> audit.reopen());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("no SIGHUP on this platform: the audit log is not reopened on a signal (" + e.getMessage() + ")");
        }
    }

    /** {@link #resolve(ParsedArgs, String)} without {@code FERRY_CONFIG}. */
    ServeSettings resolve(ParsedArgs args) throws UsageException {
        return resolve(args, null);
    }

    /**
     * Defaults ({@code envConfigDir}, the value of {@code FERRY_CONFIG}, among them), then the
     * config file, then the flags.
     */
    ServeSettings resolve(ParsedArgs args, String envConfigDir) throws UsageException {
        ServeSettings s = new ServeSettings();
        s.setConfigDir(ServeSettings.defaultConfigDir(envConfigDir));
        if (args.has(config)) {
            Path file = Path.of(args.get(config));
            List<ConfigFile.Entry> entries = ConfigFile.read(file);
            Path base = file.toAbsolutePath().getParent();
            boolean read = false;
            boolean rights = false;
            for (ConfigFile.Entry e : entries) {
                String where = file + ":" + e.line();
                Setting<?> st = settings.byName(e.key());
                if (st == null) {
                    if (e.key().equals(config.name()) || e.key().equals(printConfig.name())) {
                        throw new UsageException(where + ": '" + e.key() + "' is a command-line flag only");
                    }
                    String close = Suggest.closest(e.key(), settings.names());
                    throw new UsageException(where + ": unknown key '" + e.key() + "'"
                            + (close != null ? " (did you mean '" + close + "'?)" : " (see ferry serve --help)"));
                }
                read |= st == settings.anonymousRead;
                rights |= st == settings.anonymousRights;
                String value = st.isPath() ? ServeFolders.pathValue(e.value(), base) : e.value();
                Object parsed;
                try {
                    parsed = st.option().type().parse(value);
                } catch (IllegalArgumentException ex) {
                    throw new UsageException(where + ": invalid value for " + e.key() + ": " + ex.getMessage());
                }
                apply(st, parsed, s, where + ": " + e.key());
            }
            if (read && rights) {
                throw new UsageException(file + ": set either anonymous-read or anonymous-rights, not both");
            }
        }
        if (args.has(settings.anonymousRead.option()) && args.has(settings.anonymousRights.option())) {
            throw new UsageException("give either --anonymous-read or --anonymous-rights, not both");
        }
        for (Setting<?> st : settings.all()) {
            if (args.has(st.option())) {
                apply(st, args.get(st.option()), s, "--" + st.name());
            }
        }
        if (s.loginRequired() && s.anonymousRights() != null) {
            throw new UsageException("--login-required contradicts anonymous access (--anonymous-read, "
                    + "--anonymous-rights): give one or the other");
        }
        s.exec().validate();
        return s;
    }

    /**
     * Checks the settings the core and the services validate (before the user store is read, so the
     * access part is a placeholder: see {@link ServeSettings#checkedConfig()}); a combination they
     * refuse is a usage error in flag names. Explicit anonymous rights are checked too (more than read
     * off loopback is refused).
     */
    ServerConfig buildConfig(ServeSettings s) throws UsageException {
        try {
            ServerConfig c = s.checkedConfig();
            if (s.anonymousRights() != null) {
                s.buildConfig(new AuthPolicy.Decision(false, s.anonymousRights(), "checking anonymous rights"));
            }
            s.fileConfig();
            s.execConfig(s.root()); // cross-checks (timeouts, stdin water marks) and the exec policy
            return c;
        } catch (IllegalArgumentException e) {
            throw new UsageException(settings.translate(e.getMessage()));
        }
    }

    /** The configuration the server runs with: {@code access} applied. */
    ServerConfig buildConfig(ServeSettings s, AuthPolicy.Decision access) throws UsageException {
        try {
            return s.buildConfig(access);
        } catch (IllegalArgumentException e) {
            throw new UsageException(settings.translate(e.getMessage()));
        }
    }

    /** The login service's settings; a bad combination is a usage error in flag names. */
    AuthSettings authSettings(ServeSettings s) throws UsageException {
        try {
            return s.authSettings();
        } catch (IllegalArgumentException e) {
            throw new UsageException(settings.translate(e.getMessage()));
        }
    }

    /**
     * {@code --demo-user}: creates the demo user on a loopback server without users and returns the
     * one-time message with its password; when it exists already, a message saying where its
     * password is. Off loopback it only warns: a demo account is for this machine's own user.
     */
    static String demoUser(UserStore store, Path configDir, boolean loopbackOnly, ServerLog log) throws CliException {
        if (!loopbackOnly) {
            log.warn("--demo-user ignored: a demo account is only created for a server that listens on loopback");
            return null;
        }
        try {
            Optional<DemoUser.Created> created = DemoUser.ensure(store, configDir, true, PasswordHasher.DEFAULT_ITERATIONS);
            if (created.isPresent()) {
                return created.get().announcement();
            }
            if (!store.load().contains(DemoUser.NAME)) {
                log.info("demo user: not created, " + store.file() + " has users already");
                return null;
            }
        } catch (IOException e) {
            throw new CliException("cannot create the demo user: " + ErrorMessages.describe(e), e);
        }
        Path file = configDir.resolve(DemoUser.CREDENTIALS_FILE_NAME);
        return Files.exists(file)
                ? "demo user \"" + DemoUser.NAME + "\": its password is in " + file
                : "demo user \"" + DemoUser.NAME + "\" exists but " + file + " is gone: set a new password with "
                        + "'ferry user passwd " + DemoUser.NAME + " --config-dir " + configDir + "'";
    }

    @SuppressWarnings("unchecked")
    private <T> void apply(Setting<T> st, Object value, ServeSettings s, String where) throws UsageException {
        try {
            st.apply().apply(s, (T) value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid value for " + where + ": " + settings.translate(e.getMessage()));
        }
    }

    private void printConfig(PrintStream out, ServeSettings s, ServerConfig cfg) {
        out.println("# ferry " + Version.VERSION + " serve settings (ferry serve --config FILE reads this format)");
        String group = null;
        for (Setting<?> st : settings.all()) {
            String v = st.format(s, cfg);
            if (v == null) {
                continue;
            }
            if (!st.option().group().equals(group)) {
                group = st.option().group();
                out.println();
                out.println("# " + (group.isEmpty() ? "server" : group));
            }
            boolean quote = v.isEmpty() || v.contains(" #") || v.startsWith("\"") || v.startsWith("#")
                    || !v.equals(v.strip());
            out.println(st.name() + " = " + (quote ? "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v));
        }
    }

    /** How a listen host becomes an address; tests pass one that never asks the network. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    /**
     * Refuses a listen host that does not resolve, naming it: otherwise the access rules, which
     * cannot tell it is loopback, refuse it as an address off loopback without login, which sends
     * the user looking in the wrong place.
     */
    public static void checkListenHost(ListenAddress listen, HostResolver resolver) throws CliException {
        try {
            resolver.resolve(listen.host());
        } catch (UnknownHostException e) {
            throw new CliException("cannot listen on " + listen + ": unknown host '" + listen.host() + "'", e);
        }
    }

}

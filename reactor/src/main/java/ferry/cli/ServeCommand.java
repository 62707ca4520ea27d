package ferry.cli;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.reactor.Version;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferry serve}: runs a server in the foreground until SIGINT (Ctrl-C) or SIGTERM.
 *
 * <p>Settings come from three layers, each overriding the one before: the built-in defaults,
 * the {@code --config} file, the flags. Every {@link ServerConfig} setting is reachable (see
 * {@link ServeOptions}); {@code --print-config} shows the result as a config file.
 *
 * <p>Output: stdout gets exactly one line once the server accepts connections,
 * {@code ferry 0.1.0 listening on 127.0.0.1:7373, root /abs/data} (with the real port when
 * {@code --listen} asked for port 0: scripts and tests read it). stderr gets the server log,
 * one line per event ({@code 2026-11-25T07:51:40.123Z INFO  c1 127.0.0.1:50412 open}): warnings
 * only with {@code --quiet}, debug detail with {@code --verbose}.
 *
 * <p>Stopping: a JVM shutdown hook (run on SIGINT and SIGTERM) calls {@link FerryServer#stop()},
 * which stops accepting, lets requests in progress finish for up to {@code --shutdown-grace},
 * then closes; the process then exits with status 0 rather than the JVM's 128+signal, because a
 * requested, completed stop is a success (service managers and {@code make} see it as one).
 *
 * <p>Thread safety: runs on the main thread; the shutdown hook runs on its own.
 */
final class ServeCommand extends Command {
    private final ServeOptions settings;
    private final Option<String> config;
    private final Option<Boolean> printConfig;

    ServeCommand() {
        super("serve", "serve a folder over the Ferry protocol");
        arguments();
        settings = new ServeOptions(this);
        config = option(Option.value("config", "FILE", ValueType.text(), null,
                "read settings from FILE ('key = value' lines, see below); flags override it"));
        printConfig = option(Option.flag("print-config", "print the effective settings as a config file and exit"));
    }

    @Override
    String description() {
        return "Serve a folder over the Ferry protocol, in the foreground, until Ctrl-C or SIGTERM (which stop "
                + "it gracefully). Prints one line on stdout once it listens (with the real port when --listen "
                + "asks for port 0) and logs one line per connection and transfer to stderr.\n\n"
                + "By default it listens on loopback only, where anyone on this machine may read and write without "
                + "logging in. Off loopback, anonymous users may at most read (--anonymous-read), or log in.";
    }

    @Override
    String epilog() {
        return "Values: sizes take k, m, g, t (powers of 1024: 64k, 1m); durations take ms, s, m, h, d (500ms, 30s, "
                + "1m30s); lists are comma-separated.\n\n"
                + "Config file (--config FILE): one 'key = value' per line, keys are the flags above without --; "
                + "'#' starts a comment; switches take true or false; quote values containing ' #'; relative paths "
                + "are relative to the file; an unknown or repeated key is an error; flags win over the file. "
                + "'ferry serve --print-config' prints a complete example.\n\n"
                + "Examples:\n\n"
                + "  ferry serve --root ~/share                      # this machine only, 127.0.0.1:7373\n"
                + "  ferry serve --root ~/share --listen 0.0.0.0:7373 --anonymous-read\n"
                + "  ferry serve --config /etc/ferry.conf --workers 16 --verbose\n"
                + "  ferry serve --listen 127.0.0.1:0                # any free port, printed at startup";
    }

    @Override
    int run(Invocation inv) throws Exception {
        Console console = inv.console();
        ServeSettings s = resolve(inv.args());
        ServerConfig cfg = buildConfig(s);
        if (inv.args().get(printConfig)) {
            printConfig(console.out(), s, cfg);
            return Cli.EXIT_OK;
        }
        Path root = prepareRoot(s.root());
        ServerLog.Level level = console.quiet() ? ServerLog.Level.WARN
                : console.verbose() ? ServerLog.Level.DEBUG : s.logLevelEnum();
        ServerLog log = new ServerLog(console.err(), level);
        FerryServer server = new FerryServer(cfg, log);
        ServerServices.install(server, s, root, log);
        try {
            server.start();
        } catch (IOException e) {
            throw new CliException(ErrorMessages.oneLine(e.getMessage())
                    + (e.getMessage() != null && e.getMessage().contains("in use")
                    ? " (another server there? choose another port with --listen HOST:PORT)" : ""), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping (signal received)");
            server.stop();
            console.err().flush();
            console.out().flush();
            stopped.countDown();
            Runtime.getRuntime().halt(Cli.EXIT_OK); // a requested, completed stop is a success
        }, "ferry-shutdown"));
        console.out().println("ferry " + Version.VERSION + " listening on "
                + ListenAddress.format(cfg.bindAddress(), server.port()) + ", root " + root);
        console.out().flush();
        stopped.await();
        return Cli.EXIT_OK;
    }

    /** Defaults, then the config file, then the flags. */
    ServeSettings resolve(ParsedArgs args) throws UsageException {
        ServeSettings s = new ServeSettings();
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
                String value = e.value();
                if (st.isPath() && (value.equals("~") || value.startsWith("~/"))) {
                    value = System.getProperty("user.home") + value.substring(1); // no shell expands it here
                }
                if (st.isPath() && !value.isEmpty() && !Path.of(value).isAbsolute()) {
                    value = base.resolve(value).normalize().toString();
                }
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
        s.exec().validate();
        return s;
    }

    /** The server's configuration; a combination the core refuses is a usage error in flag names. */
    ServerConfig buildConfig(ServeSettings s) throws UsageException {
        try {
            return s.buildConfig();
        } catch (IllegalArgumentException e) {
            throw new UsageException(settings.translate(e.getMessage()));
        }
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

    private static Path prepareRoot(Path configured) throws CliException {
        Path root = configured.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new CliException("root " + root + " is not a folder");
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new CliException("cannot create root folder " + root + ": " + ErrorMessages.reason(e), e);
        }
        return root;
    }
}

package ferry.cli.serve;

import ferry.cli.Cli;
import ferry.cli.command.Console;
import ferry.cli.args.ArgParser;
import ferry.cli.args.Option;
import ferry.cli.args.UsageException;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.AuthPolicy;
import ferry.services.auth.AuthSettings;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ServeSettingsTest {
    /**
     * Getters that are not operator settings: ServerConfig's clock and derived values, the
     * services' root (--root), exec's policy (--exec-allow...), and test hooks (clock, opener,
     * page-cache probe, events).
     */
    private static final Set<String> NOT_SETTINGS = Set.of("clock", "isLoopbackOnly", "toBuilder", "frameLimits",
            "getClass", "hashCode", "toString", "root", "policy", "wallClock", "opener", "pageCacheProbe", "events");

    /** A non-default value for every setting backed by ServerConfig, as a flag would give it. */
    private static final Map<String, String> SAMPLES = new TreeMap<>(Map.ofEntries(
            Map.entry("listen", "0.0.0.0:9000"),
            Map.entry("server-name", "nas"),
            Map.entry("audit-log", "/var/log/ferry/audit.jsonl"),
            Map.entry("metrics-listen", "127.0.0.1:9400"),
            Map.entry("proxy-protocol", "true"),
            Map.entry("trusted-proxies", "10.0.0.0/8,192.0.2.7/32"),
            Map.entry("login-required", "true"),
            Map.entry("anonymous-rights", "read"),
            Map.entry("loops", "3"),
            Map.entry("workers", "5"),
            Map.entry("bulk-workers", "6"),
            Map.entry("login-workers", "3"),
            Map.entry("worker-queue", "77"),
            Map.entry("max-connections", "99"),
            Map.entry("max-connections-per-address", "4"),
            Map.entry("per-address-cap-on-loopback", "true"),
            Map.entry("max-open-downloads-per-connection", "2"),
            Map.entry("max-open-downloads", "300"),
            Map.entry("max-inflight-per-connection", "9"),
            Map.entry("accept-backlog", "12"),
            Map.entry("accepts-per-event", "3"),
            Map.entry("max-header", "8k"),
            Map.entry("max-body", "1g"),
            Map.entry("max-json-depth", "4"),
            Map.entry("idle-timeout", "7m"),
            Map.entry("handshake-timeout", "3s"),
            Map.entry("header-timeout", "4s"),
            Map.entry("timeout-sweep", "100ms"),
            Map.entry("shutdown-grace", "2s"),
            Map.entry("read-buffer", "128k"),
            Map.entry("pool-buffer", "4k"),
            Map.entry("max-pooled-buffers", "8"),
            Map.entry("high-water", "1m"),
            Map.entry("low-water", "512k"),
            Map.entry("max-bytes-per-write-event", "256k"),
            Map.entry("max-buffered-output", "8m"),
            Map.entry("max-total-buffered-output", "100m"),
            Map.entry("tcp-nodelay", "false"),
            Map.entry("zero-copy", "false"),
            Map.entry("socket-send-buffer", "1m"),
            Map.entry("socket-receive-buffer", "2m"),
            Map.entry("login-free-failures", "5"),
            Map.entry("login-delay", "1s"),
            Map.entry("login-max-delay", "30s"),
            Map.entry("login-forget-after", "1h"),
            Map.entry("login-max-tracked", "1000"),
            Map.entry("login-max-failures", "2"),
            Map.entry("max-sessions-per-user", "7"),
            Map.entry("max-download-rate", "1m"),
            Map.entry("max-upload-rate", "2m"),
            Map.entry("max-download-rate-per-user", "3m"),
            Map.entry("max-upload-rate-per-user", "4m"),
            Map.entry("login-exchange-timeout", "20s"),
            Map.entry("max-file-size", "10g"),
            Map.entry("max-concurrent-uploads", "7"),
            Map.entry("max-uploads-per-user", "3"),
            Map.entry("max-uploads-per-address", "5"),
            Map.entry("min-upload-rate", "4k"),
            Map.entry("upload-rate-window", "2m"),
            Map.entry("upload-takeover-after", "10s"),
            Map.entry("digest-algorithm", "md5"),
            Map.entry("sync-on-commit", "false"),
            Map.entry("write-behind", "8m"),
            Map.entry("default-quota-bytes", "5g"),
            Map.entry("default-quota-files", "1000"),
            Map.entry("quota-rescan-interval", "1h"),
            Map.entry("temp-max-age", "2h"),
            Map.entry("temp-sweep-interval", "0"),
            Map.entry("read-ahead", "0"),
            Map.entry("read-ahead-window", "1m"),
            Map.entry("digest-cache-entries", "50"),
            Map.entry("hash-buffer", "64k"),
            Map.entry("max-list-entries", "500"),
            Map.entry("max-path", "512"),
            Map.entry("max-name", "100"),
            Map.entry("upload-buffer", "64k"),
            Map.entry("upload-buffers-per-upload", "3"),
            Map.entry("upload-direct-io-min", "64m"),
            Map.entry("max-pooled-upload-buffers", "5"),
            Map.entry("exec-max-running", "2"),
            Map.entry("exec-max-running-per-user", "1"),
            Map.entry("exec-max-output", "1m"),
            Map.entry("exec-timeout", "2m"),
            Map.entry("exec-max-timeout", "30m"),
            Map.entry("exec-kill-grace", "500ms"),
            Map.entry("exec-env-allow", "LANG,TZ"),
            Map.entry("exec-inherit-env", "LANG"),
            Map.entry("exec-search-path", "/usr/bin:/bin"),
            Map.entry("exec-shell-path", "/bin/bash"),
            Map.entry("exec-process-groups", "false"),
            Map.entry("exec-chunk", "4k"),
            Map.entry("exec-chunks-in-flight", "4"),
            Map.entry("exec-stdin-high-water", "1m"),
            Map.entry("exec-stdin-low-water", "32k"),
            Map.entry("exec-death-check", "50ms")));

    private final ServeCommand serve = new ServeCommand();
    private final ServeOptions table = new ServeOptions(new ServeCommand());

    private ServeSettings resolve(String... args) throws UsageException {
        List<Option<?>> opts = new ArrayList<>(serve.options());
        return serve.resolve(new ArgParser(opts).parse(List.of(args)));
    }

    private String error(String... args) {
        return assertThrows(UsageException.class, () -> serve.buildConfig(resolve(args))).getMessage();
    }

    /** The configuration a server without users would run with. */
    private static ServerConfig config(ServeSettings s) throws Exception {
        return s.buildConfig(ServeAccess.decide(s, s.checkedConfig().isLoopbackOnly(), 0));
    }

    /** Flag arguments for one sample (switches as --x / --no-x). */
    private List<String> flag(String name, String value) {
        Option<?> o = table.byName(name).option();
        if (o.isSwitch()) {
            return List.of(value.equals("true") ? "--" + name : "--no-" + name);
        }
        return List.of("--" + name, value);
    }

    @Test
    void defaultsAreTheCoreDefaults() throws Exception {
        ServeSettings s = resolve();
        ServerConfig c = config(s);
        ServerConfig d = ServerConfig.defaults();
        for (Method m : getters(ServerConfig.class)) {
            assertEquals(m.invoke(d), m.invoke(c), m.getName());
        }
        AuthSettings a = s.authSettings();
        AuthSettings ad = AuthSettings.defaults();
        for (Method m : getters(AuthSettings.class)) {
            assertEquals(m.invoke(ad), m.invoke(a), m.getName());
        }
        FileServiceConfig f = s.fileConfig();
        FileServiceConfig fd = FileServiceConfig.builder(Path.of("x")).build();
        for (Method m : getters(FileServiceConfig.class)) {
            assertEquals(m.invoke(fd), m.invoke(f), m.getName());
        }
        ExecConfig e = s.execSettings();
        ExecConfig ed = ExecConfig.builder(Path.of("x")).build();
        for (Method m : getters(ExecConfig.class)) {
            assertEquals(m.invoke(ed), m.invoke(e), m.getName());
        }
        assertEquals(d.frameLimits(), c.frameLimits());
        assertEquals(Path.of("data"), s.root());
        assertEquals(Path.of("config"), s.configDir(), "./config, as ferry user's default");
        assertEquals(Path.of("/etc/ferry"), serve.resolve(new ArgParser(serve.options()).parse(List.of()), "/etc/ferry")
                .configDir(), "FERRY_CONFIG");
        assertFalse(s.demoUser());
        assertFalse(s.loginRequired());
        assertNull(s.anonymousRights(), "auto: decided at start-up");
        assertFalse(s.exec().enabled());
        assertEquals("info", s.logLevel());
    }

    @Test
    void everyServerConfigSettingHasAFlagThatChangesIt() throws Exception {
        Set<String> covered = new HashSet<>();
        for (Setting<?> st : table.all()) {
            if (st.property() != null) {
                covered.add(st.property().replaceFirst("\\..*", ""));
            }
        }
        covered.add("port"); // --listen sets bindAddress and port
        covered.add("tls"); // --[no-]tls, --tls-cert, --tls-key, --tls-plaintext: applied at start by ServeTls (TlsCliTest)
        for (Class<?> type : List.of(ServerConfig.class, AuthSettings.class, FileServiceConfig.class, ExecConfig.class)) {
            for (Method m : getters(type)) {
                assertTrue(covered.contains(m.getName()), type.getSimpleName() + "." + m.getName() + "() has no serve flag");
            }
        }
        ServerConfig d = ServerConfig.defaults();
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            Setting<?> st = table.byName(e.getKey());
            assertNotNull(st, e.getKey());
            List<String> args = new ArrayList<>(flag(e.getKey(), e.getValue()));
            if (e.getKey().equals("listen")) {
                args.add("--anonymous-read"); // off loopback anonymous may only read
            }
            if (e.getKey().equals("proxy-protocol") || e.getKey().equals("trusted-proxies")) {
                // one needs the other; behind a proxy anonymous may only read, as off loopback
                args.addAll(List.of("--proxy-protocol", "--trusted-proxies", "10.0.0.0/8,192.0.2.7/32", "--anonymous-read"));
            }
            if (e.getKey().equals("high-water")) {
                args.addAll(List.of("--low-water", "1k"));
            }
            if (e.getKey().equals("low-water")) {
                args.addAll(List.of("--high-water", "1m"));
            }
            ServeSettings s = resolve(args.toArray(String[]::new));
            ServerConfig c = config(s);
            if (e.getKey().startsWith("login-")) {
                serve.authSettings(s); // a valid combination
            }
            serve.buildConfig(s); // the services accept the combination too
            assertNotEquals(st.format(new ServeSettings(), d), st.format(s, c), "--" + e.getKey() + " had no effect");
            assertEquals(roundTrip(st, e.getValue()), st.format(s, c), e.getKey());
        }
        for (Setting<?> st : table.all()) {
            if (st.property() != null) {
                assertTrue(SAMPLES.containsKey(st.name()), "no sample for " + st.name());
            }
        }
    }

    /** The text as the setting's type prints it back ("90s" → "1m30s"). */
    private static <T> String roundTrip(Setting<T> st, String text) {
        return st.option().type().format(st.option().type().parse(text));
    }

    @Test
    void flagsWinOverTheConfigFileWhichWinsOverDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ferry.conf");
        Files.writeString(f, """
                workers = 3
                loops = 2
                idle-timeout = 90s
                tcp-nodelay = false
                exec-allow = ls,df
                root = shared        # relative to this file
                """);
        ServeSettings s = resolve("--config", f.toString(), "--workers", "6", "--tcp-nodelay", "--exec-allow", "uptime");
        ServerConfig c = config(s);
        assertEquals(6, c.workerThreads(), "flag wins");
        assertEquals(2, c.loops(), "file wins over default");
        assertEquals(90_000, c.idleTimeoutMillis());
        assertTrue(c.tcpNoDelay(), "--tcp-nodelay overrides the file's false");
        assertEquals(Set.of("uptime"), s.exec().allowed(), "a list flag replaces the file's list");
        assertEquals(dir.resolve("shared"), s.root());
        assertEquals(ServerConfig.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, c.handshakeTimeoutMillis());
    }

    @Test
    void tildeInAConfigFileIsTheHomeFolder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ferry.conf");
        Files.writeString(f, "root = ~/ferry-share\n");
        assertEquals(Path.of(System.getProperty("user.home"), "ferry-share"), resolve("--config", f.toString()).root());
    }

    @Test
    void configFileErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ferry.conf");
        Files.writeString(f, "workers = 2\nwokers = 3\n");
        assertEquals(f + ":2: unknown key 'wokers' (did you mean 'workers'?)", error("--config", f.toString()));
        Files.writeString(f, "workers = many\n");
        assertEquals(f + ":1: invalid value for workers: 'many' is not a whole number", error("--config", f.toString()));
        Files.writeString(f, "config = other.conf\n");
        assertEquals(f + ":1: 'config' is a command-line flag only", error("--config", f.toString()));
        Files.writeString(f, "anonymous-read = true\nanonymous-rights = read\n");
        assertTrue(error("--config", f.toString()).contains("either anonymous-read or anonymous-rights"));
        Files.writeString(f, "idle-timeout = 30\n");
        assertTrue(error("--config", f.toString()).contains("needs a unit"));
    }

    @Test
    void coreValidationSpeaksInFlags() {
        assertEquals("--low-water 65536 exceeds --high-water 32768",
                error("--high-water", "32k", "--low-water", "64k"));
        String offLoopback = error("--listen", "0.0.0.0:7373", "--anonymous-rights", "read,write");
        assertTrue(offLoopback.startsWith("refusing to serve 0.0.0.0 without login and with anonymous rights read,write"),
                offLoopback);
        assertEquals("--login-delay 2000 exceeds --login-max-delay 1000", assertThrows(UsageException.class,
                () -> serve.authSettings(resolve("--login-delay", "2s", "--login-max-delay", "1s"))).getMessage());
        assertTrue(error("--login-required", "--anonymous-read").contains("--login-required contradicts anonymous access"));
        String admin = error("--anonymous-rights", "read,admin");
        assertTrue(admin.contains("admin is never an anonymous right"), admin);
        assertTrue(error("--anonymous-rights", "all,admin").contains("admin is never an anonymous right"));
        assertTrue(error("--workers", "0").contains("out of range (1 to 4096)"));
        assertTrue(error("--read-buffer", "100").contains("out of range (512 to 64m)"));
        assertEquals("give either --anonymous-read or --anonymous-rights, not both",
                error("--anonymous-read", "--anonymous-rights", "read"));
        assertEquals("--exec-shell needs --exec-allow or --exec-allow-all (exec is off otherwise)",
                error("--exec-shell"));
        assertTrue(error("--listen", "host:99999").contains("invalid port '99999'"));
        assertEquals("exec --exec-timeout 7200000 exceeds --exec-max-timeout 3600000", error("--exec-timeout", "2h"));
        assertEquals("exec --exec-stdin-low-water 1048576 exceeds --exec-stdin-high-water 262144",
                error("--exec-stdin-low-water", "1m"));
        assertTrue(error("--exec-env-allow", "LANG,LD_PRELOAD").contains("may not contain LD_PRELOAD"),
                error("--exec-env-allow", "LANG,LD_PRELOAD"));
        assertEquals("--exec-shell needs --exec-allow-all: a shell string can run any command, so it would bypass "
                + "the allowlist", error("--exec-allow", "ls", "--exec-shell"));
        assertTrue(error("--digest-algorithm", "crc32").contains("'crc32' is not one of sha-256, md5, none"));
    }

    @Test
    void serviceSettingsReachTheServices(@TempDir Path dir) throws Exception {
        ServeSettings s = resolve("--max-file-size", "1g", "--digest-algorithm", "md5", "--no-sync-on-commit",
                "--exec-allow-all", "--exec-max-running", "3", "--exec-timeout", "5s");
        FileServiceConfig f = s.fileConfig(dir);
        assertEquals(dir, f.root());
        assertEquals(1L << 30, f.maxFileBytes());
        assertEquals(ferry.protocol.DigestAlgorithm.MD5, f.digestAlgorithm());
        assertFalse(f.syncOnCommit());
        ExecConfig e = s.execConfig(dir);
        assertEquals(ferry.services.exec.ExecPolicy.Mode.ALLOW_ALL, e.policy().mode(), "--exec-allow-all alone works");
        assertEquals(3, e.maxRunning());
        assertEquals(5000, e.defaultTimeoutMillis());
        assertEquals(ferry.services.exec.ExecPolicy.Mode.DISABLED, resolve().execConfig(dir).policy().mode());
    }

    @Test
    void accessAndExecSettings() throws Exception {
        ServeSettings s = resolve("--listen", "*:7373", "--anonymous-read");
        assertEquals("0.0.0.0", s.listen().host());
        assertEquals(EnumSet.of(Right.READ), config(s).anonymousRights());
        ServeSettings e = resolve("--exec-allow", "ls,df", "--exec-allow", "uptime", "--exec-shell");
        assertEquals(List.of("ls", "df", "uptime"), new ArrayList<>(e.exec().allowed()));
        assertTrue(e.exec().shell());
        assertTrue(e.exec().enabled());
        assertTrue(resolve("--exec-allow-all").exec().enabled());
        assertEquals(EnumSet.noneOf(Right.class), config(resolve("--anonymous-rights", "none")).anonymousRights());
        assertTrue(config(resolve("--login-required")).loginRequired());
        assertNull(resolve("--anonymous-rights", "read", "--anonymous-rights", "auto").anonymousRights(), "auto resets");
    }

    /** ServeAccess: AuthPolicy's table, then the explicit flags. */
    @Test
    void accessDecisions() throws Exception {
        ServeSettings plain = resolve();
        assertEquals(AuthPolicy.LOOPBACK_ANONYMOUS_RIGHTS, ServeAccess.decide(plain, true, 0).anonymousRights());
        assertFalse(ServeAccess.decide(plain, true, 0).loginRequired(), "loopback, no users: no login");
        assertTrue(ServeAccess.decide(plain, true, 1).loginRequired(), "users: login required, loopback too");
        ServeSettings wide = resolve("--listen", "0.0.0.0:7373");
        String refused = assertThrows(AuthPolicy.RefusedException.class, () -> ServeAccess.decide(wide, false, 0))
                .getMessage();
        assertTrue(refused.startsWith("refusing to listen on 0.0.0.0 without login"), refused);
        assertTrue(ServeAccess.decide(wide, false, 2).loginRequired());

        ServeSettings read = resolve("--listen", "0.0.0.0:7373", "--anonymous-read");
        AuthPolicy.Decision r0 = ServeAccess.decide(read, false, 0);
        assertFalse(r0.loginRequired());
        assertEquals(EnumSet.of(Right.READ), r0.anonymousRights());
        assertFalse(ServeAccess.decide(read, false, 3).loginRequired(), "anonymous read: login optional with users");
        assertEquals(EnumSet.of(Right.READ), ServeAccess.decide(resolve("--anonymous-rights", "read"), false, 0)
                .anonymousRights(), "rights 'read' is --anonymous-read");

        AuthPolicy.Decision forced = ServeAccess.decide(resolve("--login-required", "--listen", "0.0.0.0:1"), false, 0);
        assertTrue(forced.loginRequired(), "--login-required is never refused, even without users");
        assertTrue(forced.summary().contains("no users yet"), forced.summary());
        AuthPolicy.Decision open = ServeAccess.decide(resolve("--anonymous-rights", "read,write"), true, 4);
        assertFalse(open.loginRequired(), "explicit anonymous rights: login optional");
        assertEquals(EnumSet.of(Right.READ, Right.WRITE), open.anonymousRights());
    }

    @Test
    void listenForms() {
        assertEquals(new ListenAddress("127.0.0.1", 0), ListenAddress.parse("127.0.0.1:0"));
        assertEquals(new ListenAddress("127.0.0.1", 9000), ListenAddress.parse(":9000"));
        assertEquals(new ListenAddress("127.0.0.1", 9000), ListenAddress.parse("9000"));
        assertEquals(new ListenAddress("nas", ServerConfig.DEFAULT_PORT), ListenAddress.parse("nas"));
        assertEquals(new ListenAddress("::1", 9000), ListenAddress.parse("[::1]:9000"));
        assertEquals(new ListenAddress("::", ServerConfig.DEFAULT_PORT), ListenAddress.parse("::"));
        assertEquals(new ListenAddress("0.0.0.0", 1), ListenAddress.parse("*:1"));
        assertEquals("[::1]:9000", ListenAddress.parse("[::1]:9000").toString());
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("nas:x"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("n a s:1"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(""));
    }

    /** Off by default (the endpoint has no authentication); a bare port is loopback, a bare host gets 9373. */
    @Test
    void metricsListenForms() throws Exception {
        assertNull(resolve().metricsListen(), "off unless asked for");
        assertEquals(new ListenAddress("127.0.0.1", 9400), resolve("--metrics-listen", "9400").metricsListen());
        assertEquals(new ListenAddress("0.0.0.0", ServeSettings.DEFAULT_METRICS_PORT),
                resolve("--metrics-listen", "0.0.0.0").metricsListen());
        assertEquals(new ListenAddress("::1", 9400), resolve("--metrics-listen", "[::1]:9400").metricsListen());
        assertNull(resolve("--metrics-listen", "9400", "--metrics-listen", "none").metricsListen(), "none turns it off");
        assertTrue(assertThrows(UsageException.class, () -> resolve("--metrics-listen", "host:99999")).getMessage()
                .contains("invalid port '99999'"));
    }

    @Test
    void printedConfigIsAConfigFileThatReadsBackTheSame(@TempDir Path dir) throws Exception {
        String[] args = {"--workers", "6", "--idle-timeout", "90s", "--no-zero-copy", "--exec-allow", "ls,df",
                "--server-name", "ferry #2", "--root", dir.resolve("r").toString(), "--max-body", "1g"};
        String printed = printConfig(args);
        assertTrue(printed.contains("\nworkers = 6\n"), printed);
        assertTrue(printed.contains("\nidle-timeout = 1m30s\n"), printed);
        assertTrue(printed.contains("\nserver-name = \"ferry #2\"\n"), printed);
        assertTrue(printed.contains("\nmax-body = 1g\n"), printed);
        for (Setting<?> st : table.all()) {
            if (st.read() != null) {
                assertTrue(printed.contains("\n" + st.name() + " = "), "missing " + st.name());
            }
        }
        Path f = dir.resolve("printed.conf");
        Files.writeString(f, printed);
        assertEquals(printed, printConfig("--config", f.toString()));
    }

    private String printConfig(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), System.in, Map.of());
        List<String> all = new ArrayList<>(List.of("serve", "--print-config"));
        all.addAll(List.of(args));
        int status = new Cli(console).run(all.toArray(String[]::new));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<Method> getters(Class<?> type) {
        List<Method> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers())
                    && !NOT_SETTINGS.contains(m.getName()) && m.getDeclaringClass() == type
                    && !Objects.equals(m.getReturnType(), void.class)) {
                out.add(m);
            }
        }
        assertTrue(out.size() >= 7, "found the getters of " + type);
        return out;
    }
}

package ferry.cli;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
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

class ServeSettingsTest {
    /** ServerConfig getters that are not operator settings. */
    private static final Set<String> NOT_SETTINGS = Set.of("clock", "isLoopbackOnly", "toBuilder", "frameLimits",
            "getClass", "hashCode", "toString");

    /** A non-default value for every setting backed by ServerConfig, as a flag would give it. */
    private static final Map<String, String> SAMPLES = new TreeMap<>(Map.ofEntries(
            Map.entry("listen", "0.0.0.0:9000"),
            Map.entry("server-name", "nas"),
            Map.entry("login-required", "true"),
            Map.entry("anonymous-rights", "read"),
            Map.entry("loops", "3"),
            Map.entry("workers", "5"),
            Map.entry("worker-queue", "77"),
            Map.entry("max-connections", "99"),
            Map.entry("max-connections-per-address", "4"),
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
            Map.entry("tcp-nodelay", "false"),
            Map.entry("zero-copy", "false"),
            Map.entry("socket-send-buffer", "1m"),
            Map.entry("socket-receive-buffer", "2m")));

    private final ServeCommand serve = new ServeCommand();
    private final ServeOptions table = new ServeOptions(new ServeCommand());

    private ServeSettings resolve(String... args) throws UsageException {
        List<Option<?>> opts = new ArrayList<>(serve.options());
        return serve.resolve(new ArgParser(opts).parse(List.of(args)));
    }

    private String error(String... args) {
        return assertThrows(UsageException.class, () -> serve.buildConfig(resolve(args))).getMessage();
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
        ServerConfig c = s.buildConfig();
        ServerConfig d = ServerConfig.defaults();
        for (Method m : getters()) {
            assertEquals(m.invoke(d), m.invoke(c), m.getName());
        }
        assertEquals(d.frameLimits(), c.frameLimits());
        assertEquals(Path.of("data"), s.root());
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
        for (Method m : getters()) {
            assertTrue(covered.contains(m.getName()), "ServerConfig." + m.getName() + "() has no serve flag");
        }
        ServerConfig d = ServerConfig.defaults();
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            Setting<?> st = table.byName(e.getKey());
            assertNotNull(st, e.getKey());
            List<String> args = new ArrayList<>(flag(e.getKey(), e.getValue()));
            if (e.getKey().equals("listen")) {
                args.add("--anonymous-read"); // off loopback anonymous may only read
            }
            if (e.getKey().equals("high-water")) {
                args.addAll(List.of("--low-water", "1k"));
            }
            if (e.getKey().equals("low-water")) {
                args.addAll(List.of("--high-water", "1m"));
            }
            ServeSettings s = resolve(args.toArray(String[]::new));
            ServerConfig c = s.buildConfig();
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
        ServerConfig c = s.buildConfig();
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
        String offLoopback = error("--listen", "0.0.0.0:7373");
        assertTrue(offLoopback.startsWith("refusing to serve 0.0.0.0 without login"), offLoopback);
        assertTrue(error("--workers", "0").contains("out of range (1 to 4096)"));
        assertTrue(error("--read-buffer", "100").contains("out of range (512 to 64m)"));
        assertEquals("give either --anonymous-read or --anonymous-rights, not both",
                error("--anonymous-read", "--anonymous-rights", "read"));
        assertEquals("--exec-shell needs --exec-allow or --exec-allow-all (exec is off otherwise)",
                error("--exec-shell"));
        assertTrue(error("--listen", "host:99999").contains("invalid port '99999'"));
    }

    @Test
    void accessAndExecSettings() throws Exception {
        ServeSettings s = resolve("--listen", "*:7373", "--anonymous-read");
        assertEquals("0.0.0.0", s.listen().host());
        assertEquals(EnumSet.of(Right.READ), s.buildConfig().anonymousRights());
        ServeSettings e = resolve("--exec-allow", "ls,df", "--exec-allow", "uptime", "--exec-shell");
        assertEquals(List.of("ls", "df", "uptime"), new ArrayList<>(e.exec().allowed()));
        assertTrue(e.exec().shell());
        assertTrue(e.exec().enabled());
        assertTrue(resolve("--exec-allow-all").exec().enabled());
        assertEquals(EnumSet.noneOf(Right.class), resolve("--anonymous-rights", "none").buildConfig().anonymousRights());
        assertTrue(resolve("--login-required").buildConfig().loginRequired());
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

    private static List<Method> getters() {
        List<Method> out = new ArrayList<>();
        for (Method m : ServerConfig.class.getMethods()) {
            if (m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers())
                    && !NOT_SETTINGS.contains(m.getName()) && m.getDeclaringClass() == ServerConfig.class
                    && !Objects.equals(m.getReturnType(), void.class)) {
                out.add(m);
            }
        }
        assertTrue(out.size() > 20, "found the getters");
        return out;
    }
}

package ferry.multihost;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import ferry.multihost.tool.HostTool;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.LogMessageWaitStrategy;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * JUnit 5 fixture: N Ferry hosts as containers on one private Docker network, started once per
 * test class (in parallel) and removed after it. Register it on a static field of a
 * {@link MultiHost} class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FerryHosts HOSTS = FerryHosts.builder()
 *         .server("ferry-a").server("ferry-b", "--anonymous-read").client("ferry-c")
 *         .build();
 * ...
 * FerryHost b = HOSTS.get("ferry-b");
 * }</pre>
 *
 * Each host gets: the image {@link DockerRequirement#image()} (built locally, never pulled);
 * reactor/target/ferry.jar copied to {@link FerryHost#JAR} (not baked into the image, so a code
 * change needs no rebuild); the HostTool classes at {@link FerryHost#TOOL_CLASSPATH}; its own
 * Docker volume at {@link FerryHost#DATA}; its name as hostname and DNS alias. A server host runs
 * {@code ferry serve --root /data --config-dir /etc/ferry --listen 0.0.0.0:7373 ARGS}, after
 * {@code ferry user add} for each of its {@link Builder#user users}, and counts as started once it
 * prints that it listens; a client host just stays up.
 *
 * <p>After each test every host is healed (reconnected, unpaused, restarted) so a fault cannot
 * leak into the next test; when a test fails, every host's log is printed. Containers, network and volumes carry the labels
 * {@code ferry.multihost=true} and {@code ferry.run=$FERRY_RUN_ID} so .ci/docker-stop.sh can
 * remove what a crashed JVM left.
 *
 * <p>Thread safety: built and started by JUnit on one thread; {@link #get} is safe from any thread
 * once started.
 */
public final class FerryHosts implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    /** What a server host without users adds after {@code serve --root --config-dir --listen} by default. */
    public static final List<String> DEFAULT_SERVE_ARGS = List.of("--anonymous-read");
    /** Longest time all hosts together may take to start (they start in parallel). */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    /**
     * A user a server host creates with the real {@code ferry user add} (in the container, before
     * {@code ferry serve} starts, so the server decides its access from the users it finds).
     *
     * @param rights   {@code ferry user add --rights}: {@code read,write}, {@code read}, {@code all}...
     * @param password at least 8 characters; reaches {@code --password-stdin} through an
     *                 environment variable, never a command line
     */
    public record User(String name, String rights, String password) {
    }

    /**
     * PBKDF2 rounds of the test users: the protocol's minimum (RFC 7677's 4096), not the 600,000
     * real users get, so the many logins of a test class cost milliseconds instead of seconds of
     * the 2 shared cores. What a login checks does not depend on the count.
     */
    public static final int TEST_USER_ITERATIONS = 4096;

    /**
     * @param defaultArgs whether {@code serveArgs} are {@link #DEFAULT_SERVE_ARGS} because the test
     *                    gave none: a server with users then gets none, so it requires login
     */
    private record Spec(String name, boolean server, List<String> serveArgs, boolean defaultArgs, List<User> users,
                        boolean published) {
        Spec withUser(User u) {
            List<User> more = new ArrayList<>(users);
            more.add(u);
            return new Spec(name, server, serveArgs, defaultArgs, List.copyOf(more), published);
        }

        /** What follows {@code serve --root --config-dir --listen}. */
        List<String> effectiveServeArgs() {
            return defaultArgs && !users.isEmpty() ? List.of() : serveArgs;
        }
    }

    private final List<Spec> specs;
    private final Map<String, String> volumeOf; // host -> the key of its volume: its own name, or a shared group's
    private final Map<String, FerryHost> hosts = new LinkedHashMap<>();
    private final List<String> volumes = new ArrayList<>();
    private Network network;
    private long startMillis = -1;

    private FerryHosts(List<Spec> specs, Map<String, String> volumeOf) {
        this.specs = List.copyOf(specs);
        this.volumeOf = Map.copyOf(volumeOf);
    }

    /** Shorthand: server hosts with the default serve arguments. */
    public static FerryHosts servers(String... names) {
        Builder b = builder();
        for (String n : names) {
            b.server(n);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Declares the hosts; nothing touches Docker before the class starts. */
    public static final class Builder {
        private final List<Spec> specs = new ArrayList<>();
        private final Map<String, String> volumeOf = new LinkedHashMap<>();

        /**
         * A host running {@code ferry serve}; {@code serveArgs} replace the defaults when given.
         * The defaults are {@link #DEFAULT_SERVE_ARGS} for a server without users (listening on
         * 0.0.0.0, it needs them to start) and nothing for a server with {@link #user users},
         * which therefore requires login.
         */
        public Builder server(String name, String... serveArgs) {
            specs.add(new Spec(name, true, serveArgs.length == 0 ? DEFAULT_SERVE_ARGS : List.of(serveArgs),
                    serveArgs.length == 0, List.of(), true));
            return this;
        }

        /**
         * A user of server {@code host} (declared before), created with {@code ferry user add} in
         * {@link FerryHost#CONFIG_DIR} before its server starts. A server with users listening on
         * 0.0.0.0 requires login unless its serve arguments say otherwise ({@code --anonymous-read}).
         */
        public Builder user(String host, String name, String rights, String password) {
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                if (s.name().equals(host)) {
                    if (!s.server()) {
                        throw new IllegalArgumentException(host + " is a client host: it has no server for users");
                    }
                    specs.set(i, s.withUser(new User(name, rights, password)));
                    return this;
                }
            }
            throw new IllegalArgumentException("declare server " + host + " before its users");
        }

        /** A host without a server, for clients only. */
        public Builder client(String name) {
            specs.add(new Spec(name, false, List.of(), false, List.of(), false));
            return this;
        }

        /**
         * A host without a Ferry server whose port {@value FerryHost#PORT} is published like a
         * server's, for a program the test starts in it that listens there (a load balancer):
         * {@link FerryHost#connect} then reaches that program.
         */
        public Builder balancer(String name) {
            specs.add(new Spec(name, false, List.of(), false, List.of(), true));
            return this;
        }

        /**
         * The hosts named (declared before) mount one Docker volume at {@link FerryHost#DATA}
         * instead of one each: servers over shared storage, as behind a load balancer over NFS. Being
         * one kernel's filesystem, the hosts' file locks see each other.
         */
        public Builder sharedData(String... names) {
            String group = "shared-" + String.join("-", names);
            for (String n : names) {
                if (specs.stream().noneMatch(sp -> sp.name().equals(n))) {
                    throw new IllegalArgumentException("declare host " + n + " before sharing its data");
                }
                volumeOf.put(n, group);
            }
            return this;
        }

        public FerryHosts build() {
            if (specs.isEmpty()) {
                throw new IllegalStateException("no hosts declared");
            }
            return new FerryHosts(specs, volumeOf);
        }
    }

    /** The host called {@code name}. */
    public FerryHost get(String name) {
        FerryHost h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name + " (hosts: " + hosts.keySet() + ")");
        }
        return h;
    }

    public List<FerryHost> all() {
        return List.copyOf(hosts.values());
    }

    /** The hosts' shared network. */
    public Network network() {
        return network;
    }

    /** How long creating and starting all hosts took, in milliseconds. */
    public long startMillis() {
        return startMillis;
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        long t0 = System.nanoTime();
        Path jar = ferryJar();
        Path toolClasses = toolClasses();
        Map<String, String> labels = labels(context);
        DockerClient docker = DockerClientFactory.instance().client();
        network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withLabels(labels)).build();
        network.getId(); // created now, before the parallel starts race for it
        String prefix = "ferry-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<Startable> starting = new ArrayList<>();
        for (Spec spec : specs) {
            String volume = prefix + volumeOf.getOrDefault(spec.name(), spec.name());
            if (!volumes.contains(volume)) {
                docker.createVolumeCmd().withName(volume).withLabels(labels).exec();
                volumes.add(volume);
            }
            GenericContainer<?> c = container(spec, jar, toolClasses, labels, volume);
            hosts.put(spec.name(), new FerryHost(spec.name(), spec.server(), c, network, volume));
            starting.add(c);
        }
        Startables.deepStart(starting).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        startMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    private GenericContainer<?> container(Spec spec, Path jar, Path toolClasses, Map<String, String> labels,
                                          String volume) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(DockerRequirement.image()))
                .withImagePullPolicy(image -> false) // no registry: a missing image fails at once
                .withNetwork(network)
                .withNetworkAliases(spec.name())
                .withLabels(labels)
                .withEnv("FERRY_TLS", "off") // every ferry command in the host talks plaintext to the --no-tls servers
                .withCopyFileToContainer(MountableFile.forHostPath(jar, 0644), FerryHost.JAR)
                .withCopyFileToContainer(MountableFile.forHostPath(toolClasses),
                        FerryHost.TOOL_CLASSPATH + "/ferry/multihost/tool")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(spec.name());
                    cmd.getHostConfig().withBinds(new Bind(volume, new Volume(FerryHost.DATA)));
                });
        if (spec.server()) {
            // Plaintext on purpose (these tests measure and break plain transfers); TLS has its own tests.
            List<String> serve = new ArrayList<>(List.of("serve", "--root", FerryHost.DATA,
                    "--config-dir", FerryHost.CONFIG_DIR, "--listen", "0.0.0.0:" + FerryHost.PORT, "--no-tls"));
            serve.addAll(spec.effectiveServeArgs());
            c.withExposedPorts(FerryHost.PORT)
                    .withCommand(serverCommand(spec, serve, c))
                    .waitingFor(new LogMessageWaitStrategy().withRegEx(FerryHost.LISTENING_REGEX)
                            .withStartupTimeout(FerryHost.SERVER_START_TIMEOUT));
        } else {
            c.withCommand("sleep", "2147483647");
            if (spec.published()) {
                // Published without waiting for it: the program that listens starts later, from the test.
                c.withExposedPorts(FerryHost.PORT).waitingFor(new org.testcontainers.containers.wait.strategy.AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        // nothing listens yet
                    }
                });
            }
        }
        return c;
    }

    /**
     * {@code ferry serve ...}, preceded for a server with users by one {@code ferry user add} per
     * user. The users are added only when the store does not exist yet: a host that is killed and
     * restarted runs the same command again and must keep its users (the store lives in the
     * container's own filesystem, which survives a restart).
     */
    private static String[] serverCommand(Spec spec, List<String> serve, GenericContainer<?> c) {
        if (spec.users().isEmpty()) {
            return FerryHost.ferryCommand(serve.toArray(String[]::new));
        }
        StringBuilder script = new StringBuilder("set -e\nif [ ! -f " + FerryHost.CONFIG_DIR + "/users ]; then\n");
        for (int i = 0; i < spec.users().size(); i++) {
            User u = spec.users().get(i);
            String var = "FERRY_TEST_PASSWORD_" + i;
            c.withEnv(var, u.password());
            script.append("  printf '%s\\n' \"$").append(var).append("\" | ")
                    .append(shellWords(FerryHost.ferryCommand("user", "add", u.name(), "--rights", u.rights(),
                            "--password-stdin", "--iterations", Integer.toString(TEST_USER_ITERATIONS),
                            "--config-dir", FerryHost.CONFIG_DIR)))
                    .append(" >&2\n");
        }
        script.append("fi\nexec ").append(shellWords(FerryHost.ferryCommand(serve.toArray(String[]::new)))).append('\n');
        return new String[] {"sh", "-c", script.toString()};
    }

    /** {@code words} quoted for sh, each in single quotes. */
    static String shellWords(String... words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            for (FerryHost h : hosts.values()) {
                System.out.println("---- log of " + h + " after failed " + context.getDisplayName() + "\n" + h.logs());
            }
        }
        for (FerryHost h : hosts.values()) {
            h.heal();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RuntimeException first = null;
        for (FerryHost h : hosts.values()) {
            try {
                h.container().stop();
            } catch (RuntimeException e) {
                first = keep(first, e);
            }
        }
        try {
            if (network != null) {
                network.close();
            }
        } catch (RuntimeException e) {
            first = keep(first, e);
        }
        for (String v : volumes) {
            try {
                DockerClientFactory.instance().client().removeVolumeCmd(v).exec();
            } catch (RuntimeException e) {
                first = keep(first, e);
            }
        }
        hosts.clear();
        volumes.clear();
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException keep(RuntimeException first, RuntimeException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }

    // ---- what goes into the containers ---------------------------------------------------------

    /**
     * The packaged jar. Multi-host classes are *IT, run by failsafe in integration-test, after
     * package built it; failsafe passes its path as {@code ferry.jar}.
     */
    static Path ferryJar() {
        Path jar = Path.of(System.getProperty("ferry.jar", "target/ferry.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: multi-host tests run the packaged jar, so run them "
                    + "with `mvn verify` (failsafe runs *IT after package), not in the test phase");
        }
        return jar;
    }

    /** The compiled HostTool package, copied into each host. */
    static Path toolClasses() throws URISyntaxException {
        Path root = Path.of(HostTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("ferry/multihost/tool");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("HostTool classes are not a directory at " + dir);
        }
        return dir;
    }

    private static Map<String, String> labels(ExtensionContext context) {
        String run = System.getenv("FERRY_RUN_ID");
        return Map.of("ferry.multihost", "true",
                "ferry.run", run == null || run.isBlank() ? "local" : run,
                "ferry.test", context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public String toString() {
        return "FerryHosts" + Arrays.toString(specs.stream().map(Spec::name).toArray());
    }
}

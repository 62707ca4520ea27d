package ferry.multihost;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.LogMessageWaitStrategy;
import org.testcontainers.images.builder.Transferable;

/**
 * One Ferry host: a container on the shared network, reachable by {@link #name()} from the other
 * hosts, with its own Docker volume at {@code /data} that survives {@link #kill()} and
 * {@link #restart()}. Running {@code ferry serve} on port {@value #PORT} unless it is a client-only
 * host.
 *
 * <p>Gives a test what it needs to drive a real transfer across hosts: commands inside the
 * container ({@link #exec}, {@link #start}, {@link #ferry}, {@link #tool}), test data made and
 * checked inside it ({@link #createRandomFile}, {@link #sha256}), a client from the test JVM
 * through the published port ({@link #connect}), and faults ({@link #disconnect()},
 * {@link #pause()}, {@link #kill()} and their undo).
 *
 * <p>Thread safety: exec and file methods may run concurrently; fault methods are meant for the
 * test thread (they change the host's state one step at a time).
 */
public final class FerryHost {
    /** The port {@code ferry serve} listens on inside each host. */
    public static final int PORT = 7373;
    /** The host's data folder, a Docker volume. */
    public static final String DATA = "/data";
    /** Where the fixture copies the jar: a code change needs no image rebuild. */
    public static final String JAR = "/ferry.jar";
    /** Where the fixture copies {@code ferry.multihost.tool} (HostTool) classes. */
    public static final String TOOL_CLASSPATH = "/ferry-test";
    /** JVM flags for every Java process in a host: 2 cores are shared by all hosts and the build. */
    public static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
    /** Default limit for one {@link #exec}: a hung command fails the test instead of hanging it. */
    public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(120);
    /** How long a (re)started server may take to print that it listens. */
    public static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The banner {@code ferry serve} prints on stdout once it accepts connections, once per start
     * (its log on stderr also says "listening on": matching that too would count each start twice
     * and let {@link #restart()} return before the new server listens).
     */
    static final String LISTENING_REGEX = "ferry \\S+ listening on \\S+, root .*\\n";
    private static final Pattern SHA256_LINE = Pattern.compile("([0-9a-f]{64})");

    /**
     * What a fault method left the host in; {@link #heal()} undoes it. Legal transitions:
     * <pre>
     *   UP --disconnect--> DISCONNECTED --reconnect--> UP
     *   UP --pause-------> PAUSED -------unpause----> UP
     *   UP --kill--------> KILLED -------restart----> UP
     * </pre>
     */
    enum State { UP, DISCONNECTED, PAUSED, KILLED }

    private final String name;
    private final boolean server;
    private final GenericContainer<?> container;
    private final Network network;
    private final String volume;
    private State state = State.UP;
    private int starts = 1;
    private int cachedPort = -1;

    FerryHost(String name, boolean server, GenericContainer<?> container, Network network, String volume) {
        this.name = name;
        this.server = server;
        this.container = container;
        this.network = network;
        this.volume = volume;
    }

    /** The host's DNS name on the shared network (also its hostname). */
    public String name() {
        return name;
    }

    /** {@code name:7373}, the address other hosts use. */
    public String address() {
        return name + ":" + PORT;
    }

    public boolean isServer() {
        return server;
    }

    /** The Testcontainers handle, for what this class does not wrap. */
    public GenericContainer<?> container() {
        return container;
    }

    public String containerId() {
        return container.getContainerId();
    }

    /** The Docker volume mounted at {@link #DATA}. */
    public String volume() {
        return volume;
    }

    // ---- commands inside the container ---------------------------------------------------------

    /** Runs {@code command} inside the host and waits up to {@link #DEFAULT_EXEC_TIMEOUT}. */
    public ExecResult exec(String... command) throws InterruptedException {
        return exec(DEFAULT_EXEC_TIMEOUT, command);
    }

    /** Runs {@code command} inside the host; a command still running after {@code timeout} fails the test. */
    public ExecResult exec(Duration timeout, String... command) throws InterruptedException {
        try (BackgroundExec e = new BackgroundExec(this, false, false, command)) {
            return e.waitFor(timeout);
        }
    }

    /** Runs a shell script ({@code sh -c}) inside the host. */
    public ExecResult sh(String script) throws InterruptedException {
        return exec("sh", "-c", script);
    }

    /** Like {@link #exec(String...)} but fails the test unless the command exits 0. */
    public ExecResult execOk(String... command) throws InterruptedException {
        ExecResult r = exec(command);
        if (!r.ok()) {
            throw new AssertionError(name + "$ " + String.join(" ", command) + " failed: " + r);
        }
        return r;
    }

    /**
     * Starts {@code command} inside the host without waiting: its stdin is open for
     * {@link BackgroundExec#sendLine}, its output can be awaited, and it can be killed by PID.
     * Close it (try-with-resources) to kill it if it still runs.
     */
    public BackgroundExec start(String... command) {
        return new BackgroundExec(this, true, true, command);
    }

    /** The command line of {@code ferry ARGS} inside a host (the copied jar). */
    public static String[] ferryCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("java");
        cmd.addAll(JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(JAR);
        cmd.addAll(Arrays.asList(args));
        return cmd.toArray(String[]::new);
    }

    /** Runs {@code ferry ARGS} inside the host (the CLI of round 2: put, get, cp, ping...). */
    public ExecResult ferry(String... args) throws InterruptedException {
        return exec(ferryCommand(args));
    }

    /** The command line of the test-support {@code HostTool ARGS} inside a host. */
    public static String[] toolCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("java");
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(JAR + ":" + TOOL_CLASSPATH);
        cmd.add("ferry.multihost.tool.HostTool");
        cmd.addAll(Arrays.asList(args));
        return cmd.toArray(String[]::new);
    }

    /** Runs the test-support HostTool inside the host (see its Javadoc for commands). */
    public ExecResult tool(String... args) throws InterruptedException {
        return exec(toolCommand(args));
    }

    /** Starts HostTool in the background (e.g. {@code hold}, which waits for a line on stdin). */
    public BackgroundExec startTool(String... args) {
        return start(toolCommand(args));
    }

    // ---- test data -----------------------------------------------------------------------------

    /**
     * Writes {@code bytes} pseudo-random bytes to {@code path} inside the host and returns their
     * SHA-256 (hex), computed while writing. The same seed gives the same bytes on every host, so
     * two hosts can make the same file without a transfer. A seeded generator in Java is several
     * times faster than {@code head -c N /dev/urandom} and needs no second pass for the digest.
     */
    public String createRandomFile(String path, long bytes, long seed) throws InterruptedException {
        ExecResult r = exec(Duration.ofMinutes(5), toolCommand("gen", path, Long.toString(bytes), Long.toString(seed)));
        return digestOf(r, "gen " + path);
    }

    /** SHA-256 (hex) of a file inside the host, computed there (the bytes never leave it). */
    public String sha256(String path) throws InterruptedException {
        return digestOf(exec(Duration.ofMinutes(5), toolCommand("sha256", path)), "sha256 " + path);
    }

    /** SHA-256 (hex) of a file inside the host by busybox {@code sha256sum}, no JVM needed. */
    public String sha256sum(String path) throws InterruptedException {
        return digestOf(exec(Duration.ofMinutes(5), "sha256sum", path), "sha256sum " + path);
    }

    /** Writes {@code content} (UTF-8) to {@code path} inside the host, e.g. a users file for a server. */
    public void writeFile(String path, String content) {
        container.copyFileToContainer(Transferable.of(content.getBytes(StandardCharsets.UTF_8), 0644), path);
    }

    /** Size in bytes of a file inside the host. */
    public long size(String path) throws InterruptedException {
        return Long.parseLong(execOk("stat", "-c", "%s", path).line());
    }

    private String digestOf(ExecResult r, String what) {
        Matcher m = SHA256_LINE.matcher(r.stdout());
        if (!r.ok() || !m.find()) {
            throw new AssertionError(name + ": " + what + " failed: " + r);
        }
        return m.group(1);
    }

    // ---- from the test JVM ---------------------------------------------------------------------

    /** The host port Docker publishes {@value #PORT} on (looked up again after a restart). */
    public synchronized int mappedPort() {
        if (cachedPort < 0) {
            Ports.Binding[] b = docker().inspectContainerCmd(containerId()).exec()
                    .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(PORT));
            if (b == null || b.length == 0) {
                throw new IllegalStateException(name + ": port " + PORT + " is not published (state " + state + ")");
            }
            cachedPort = Integer.parseInt(b[0].getHostPortSpec());
        }
        return cachedPort;
    }

    /** Connects a client from the test JVM to this host's server through the published port. */
    public FerryClient connect(ClientOptions options) throws IOException {
        return FerryClient.connect(container.getHost(), mappedPort(), options);
    }

    // ---- faults --------------------------------------------------------------------------------

    /** Cuts the host off the shared network ({@code docker network disconnect}): its peers' packets go nowhere. */
    public synchronized void disconnect() {
        requireState(State.UP, "disconnect");
        docker().disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(containerId())
                .withForce(true).exec();
        state = State.DISCONNECTED;
        cachedPort = -1;
    }

    /**
     * Puts the host back on the network under its name. Docker 20.10 gives a reconnected
     * container its hostname and short id back as DNS aliases but not the aliases it was created
     * with, so the name is given again (it is also the hostname here, but need not stay so).
     */
    public synchronized void reconnect() {
        requireState(State.DISCONNECTED, "reconnect");
        docker().connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(containerId())
                .withContainerNetwork(new ContainerNetwork().withAliases(name)).exec();
        state = State.UP;
        cachedPort = -1;
    }

    /** Freezes every process of the host ({@code docker pause}): connections stay open, nothing answers. */
    public synchronized void pause() {
        requireState(State.UP, "pause");
        docker().pauseContainerCmd(containerId()).exec();
        state = State.PAUSED;
    }

    public synchronized void unpause() {
        requireState(State.PAUSED, "unpause");
        docker().unpauseContainerCmd(containerId()).exec();
        state = State.UP;
    }

    /** {@code docker kill -s KILL}: the machine dies at once; its volume stays. Returns when it is down. */
    public synchronized void kill() {
        requireState(State.UP, "kill");
        docker().killContainerCmd(containerId()).withSignal("KILL").exec();
        docker().waitContainerCmd(containerId()).start().awaitStatusCode();
        state = State.KILLED;
        cachedPort = -1;
    }

    /**
     * Starts the killed host again (same container, same volume, same name) and, for a server
     * host, waits until {@code ferry serve} listens again.
     */
    public synchronized void restart() {
        requireState(State.KILLED, "restart");
        docker().startContainerCmd(containerId()).exec();
        starts++;
        state = State.UP;
        cachedPort = -1;
        if (server) {
            awaitListening();
        }
    }

    /** Waits until the server of the current start has printed that it listens. */
    void awaitListening() {
        new LogMessageWaitStrategy().withRegEx(LISTENING_REGEX).withTimes(starts)
                .withStartupTimeout(SERVER_START_TIMEOUT).waitUntilReady(container);
    }

    /** Undoes whatever fault the host is in, so one test's fault never leaks into the next. */
    public synchronized void heal() {
        switch (state) {
            case DISCONNECTED -> reconnect();
            case PAUSED -> unpause();
            case KILLED -> restart();
            case UP -> { }
        }
    }

    /** The host's output so far (the server's log). */
    public String logs() {
        return container.getLogs();
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("cannot " + action + " " + name + ": it is " + state);
        }
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    @Override
    public String toString() {
        return name + (server ? " (server)" : " (client)") + " " + state;
    }
}

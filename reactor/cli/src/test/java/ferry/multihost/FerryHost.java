package ferry.multihost;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
    /**
     * The servers' {@code --config-dir} (users): in the container's own filesystem, outside the
     * served root, surviving {@link #kill()} and {@link #restart()}.
     */
    public static final String CONFIG_DIR = "/etc/ferry";
    /** Where the fixture copies the jar: a code change needs no image rebuild. */
    public static final String JAR = "/ferry.jar";
    /** Where the fixture copies {@code ferry.multihost.tool} (HostTool) classes. */
    public static final String TOOL_CLASSPATH = "/ferry-test";
    /** JVM flags for every Java process in a host: 2 cores are shared by all hosts and the build. */
    public static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
    /**
     * How often a waiter inside a host looks at a growing file ({@link #awaitSize}): 10 ms, so a
     * fault lands within a few MiB of the offset asked for even at several hundred MiB/s.
     */
    static final int SIZE_POLL_MICROS = 10_000;
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
     *   DISCONNECTED --kill--> KILLED_DISCONNECTED --restart--> DISCONNECTED
     * </pre>
     * The last: a machine that crashed while cut off, so nothing it had open could say goodbye.
     */
    enum State { UP, DISCONNECTED, PAUSED, KILLED, KILLED_DISCONNECTED }

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

    /**
     * Runs {@code ferry ARGS} with {@code env} added to its environment (say {@code FERRY_PASSWORD}),
     * waiting up to {@code timeout}.
     */
    public ExecResult ferry(Map<String, String> env, Duration timeout, String... args) throws InterruptedException {
        try (BackgroundExec e = new BackgroundExec(this, env, false, false, ferryCommand(args))) {
            return e.waitFor(timeout);
        }
    }

    /**
     * Starts {@code ferry ARGS} in the background with {@code env} added to its environment; its
     * PID is known (to kill it mid-transfer) and its output can be awaited line by line.
     */
    public BackgroundExec startFerry(Map<String, String> env, String... args) {
        return new BackgroundExec(this, env, true, true, ferryCommand(args));
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

    /**
     * Waits inside the host until {@code path} exists and holds at least {@code minBytes} (a
     * transfer got that far), then returns its size then. The waiting is a shell loop in the
     * container looking every {@value #SIZE_POLL_MICROS} µs, so the test reacts to an offset, not
     * to a guessed time.
     *
     * @param watched a command that must still be running meanwhile (the transfer): if it ends
     *                first, the test fails at once with its output instead of waiting out the timeout
     */
    public long awaitSize(String path, long minBytes, Duration timeout, BackgroundExec watched)
            throws InterruptedException {
        return sizeThen(path, minBytes, timeout, watched, "");
    }

    /**
     * Like {@link #awaitSize} with {@code process}, a command running in this host, killed with
     * {@code SIGKILL} by the same shell loop the moment {@code path} reaches {@code minBytes}:
     * a crash at an offset, a few milliseconds after it. Returns the size when the kill was sent.
     */
    public long killWhenSize(String path, long minBytes, Duration timeout, BackgroundExec process)
            throws InterruptedException {
        int pid = process.pid(Duration.ofSeconds(30));
        long size = sizeThen(path, minBytes, timeout, process, "kill -s KILL " + pid + "; ");
        process.waitFor(Duration.ofSeconds(30));
        return size;
    }

    private long sizeThen(String path, long minBytes, Duration timeout, BackgroundExec watched, String then)
            throws InterruptedException {
        String script = "while :; do s=$(stat -c %s \"$1\" 2>/dev/null) || s=0; "
                + "if [ \"$s\" -ge " + minBytes + " ]; then " + then + "echo \"$s\"; exit 0; fi; "
                + "usleep " + SIZE_POLL_MICROS + "; done";
        try (BackgroundExec waiter = new BackgroundExec(this, false, false, "sh", "-c", script, "sh", path)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!waiter.awaitDone(Duration.ofMillis(100))) {
                if (watched != null && watched.isDone()) {
                    // the waiter may have seen the size just before the transfer ended
                    if (waiter.awaitDone(Duration.ofSeconds(2))) {
                        break;
                    }
                    throw new AssertionError(name + ": " + path + " never reached " + minBytes + " bytes: "
                            + watched + " ended first:" + watched.snapshot());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + ": " + path + " did not reach " + minBytes + " bytes within "
                            + timeout + (watched == null ? "" : "; meanwhile " + watched + ":" + watched.snapshot()));
                }
            }
            ExecResult r = waiter.waitFor(Duration.ZERO);
            if (!r.ok()) {
                throw new AssertionError(name + ": waiting for " + path + " failed: " + r);
            }
            return Long.parseLong(r.line());
        }
    }

    /**
     * Size of {@code path} as the Docker engine sees it, or -1 if there is no such file; works
     * while the host is {@link #kill() killed} (what the crash left on its volume) as well as up.
     * Reads only the header of the tar stream {@code docker cp} would send, not the file.
     */
    public long engineFileSize(String path) throws IOException {
        try (InputStream tar = docker().copyArchiveFromContainerCmd(containerId(), path).exec()) {
            byte[] header = tar.readNBytes(TAR_HEADER_BYTES);
            if (header.length < TAR_HEADER_BYTES) {
                throw new IOException(name + ": short tar header for " + path);
            }
            return tarSize(header);
        } catch (NotFoundException e) {
            return -1;
        }
    }

    private static final int TAR_HEADER_BYTES = 512;
    private static final int TAR_SIZE_OFFSET = 124;
    private static final int TAR_SIZE_LENGTH = 12;

    /** The size field of a ustar header: octal digits, or base-256 (high bit set) for 8 GiB and more. */
    static long tarSize(byte[] header) {
        if ((header[TAR_SIZE_OFFSET] & 0x80) != 0) {
            long v = header[TAR_SIZE_OFFSET] & 0x7f;
            for (int i = 1; i < TAR_SIZE_LENGTH; i++) {
                v = (v << 8) | (header[TAR_SIZE_OFFSET + i] & 0xff);
            }
            return v;
        }
        String octal = new String(header, TAR_SIZE_OFFSET, TAR_SIZE_LENGTH, StandardCharsets.US_ASCII).trim();
        return Long.parseLong(octal.isEmpty() ? "0" : octal.replace("\0", ""), 8);
    }

    /**
     * Bytes this host has received from the network, all interfaces but loopback, as its kernel
     * counts them. Counters start at 0 when the host (re)starts and on an interface that
     * {@link #reconnect()} creates; a host's own counters are unaffected by a fault of another.
     * Tells how much of a file really crossed the network: a resumed transfer moves only the rest.
     */
    public long receivedBytes() throws InterruptedException {
        long sum = 0;
        for (String line : execOk("cat", "/proc/net/dev").stdout().split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.substring(0, colon).strip().equals("lo")) {
                continue;
            }
            String[] fields = line.substring(colon + 1).strip().split("\\s+");
            if (fields.length > 0 && fields[0].matches("\\d+")) {
                sum += Long.parseLong(fields[0]);
            }
        }
        return sum;
    }

    /**
     * Transfer leftovers under {@code dir} in this host: upload temps ({@code .ferry-part-*}, a
     * server's) and download partials ({@code *.ferry-partial}, a client's). Empty once every
     * transfer completed.
     */
    public List<String> transferLeftovers(String dir) throws InterruptedException {
        String out = execOk("find", dir, "-name", ".ferry-part-*", "-o", "-name", "*.ferry-partial").stdout().strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** Waits until the host's output (the server's log) has {@code times} lines containing a match of {@code regex}. */
    public void awaitLog(String regex, int times, Duration timeout) {
        new LogMessageWaitStrategy().withRegEx("(?s).*(?:" + regex + ").*").withTimes(times).withStartupTimeout(timeout)
                .waitUntilReady(container);
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

    /**
     * {@code docker kill -s KILL}: the machine dies at once; its volume stays. Returns when it is
     * down. Also when it is {@link #disconnect() disconnected}: its connections then vanish without
     * a FIN or RST ever reaching their peers, like a laptop that lost power off the network.
     */
    public synchronized void kill() {
        if (state != State.UP && state != State.DISCONNECTED) {
            throw new IllegalStateException("cannot kill " + name + ": it is " + state);
        }
        docker().killContainerCmd(containerId()).withSignal("KILL").exec();
        docker().waitContainerCmd(containerId()).start().awaitStatusCode();
        state = state == State.UP ? State.KILLED : State.KILLED_DISCONNECTED;
        cachedPort = -1;
    }

    /**
     * Starts the killed host again (same container, same volume, same name) and, for a server
     * host, waits until {@code ferry serve} listens again. One killed while disconnected comes
     * back still disconnected.
     */
    public synchronized void restart() {
        if (state != State.KILLED && state != State.KILLED_DISCONNECTED) {
            throw new IllegalStateException("cannot restart " + name + ": it is " + state);
        }
        docker().startContainerCmd(containerId()).exec();
        starts++;
        state = state == State.KILLED ? State.UP : State.DISCONNECTED;
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
            case KILLED_DISCONNECTED -> {
                restart();
                reconnect();
            }
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

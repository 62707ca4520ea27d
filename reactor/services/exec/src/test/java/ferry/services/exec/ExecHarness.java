package ferry.services.exec;

import ferry.client.ExecClient;
import ferry.client.ExecRequest;
import ferry.client.ExitStatus;
import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A server with the exec service on port 0 and helpers to run commands against it. */
final class ExecHarness implements AutoCloseable {
    final FerryServer server;
    final ExecService exec;
    final Path root;
    private final List<FerryClient> clients = new ArrayList<>();

    ExecHarness(Path root, ExecPolicy policy) throws Exception {
        this(root, policy, b -> {}, s -> {}, Clock.SYSTEM, EnumSet.allOf(Right.class));
    }

    ExecHarness(Path root, ExecPolicy policy, Consumer<ExecConfig.Builder> execSettings,
                Consumer<ServerConfig.Builder> serverSettings, Clock clock, Set<Right> anonymousRights) throws Exception {
        this(root, policy, execSettings, serverSettings, clock, anonymousRights, s -> {});
    }

    ExecHarness(Path root, ExecPolicy policy, Consumer<ExecConfig.Builder> execSettings,
                Consumer<ServerConfig.Builder> serverSettings, Clock clock, Set<Right> anonymousRights,
                Consumer<FerryServer> beforeStart) throws Exception {
        this(root, policy, execSettings, serverSettings, clock, anonymousRights, beforeStart, ServerLog.NONE);
    }

    ExecHarness(Path root, ExecPolicy policy, Consumer<ExecConfig.Builder> execSettings,
                Consumer<ServerConfig.Builder> serverSettings, Clock clock, Set<Right> anonymousRights,
                Consumer<FerryServer> beforeStart, ServerLog log) throws Exception {
        this.root = root;
        // Tests run many commands as the one anonymous user; the per-user cap has tests of its own.
        ExecConfig.Builder eb = ExecConfig.builder(root).policy(policy).maxRunningPerUser(0);
        execSettings.accept(eb);
        Set<Right> anonymous = EnumSet.noneOf(Right.class);
        anonymous.addAll(anonymousRights);
        anonymous.remove(Right.ADMIN); // "every right" to these tests; the server never gives admin anonymously
        ServerConfig.Builder sb = ServerConfig.builder().port(0).clock(clock).anonymousRights(anonymous);
        serverSettings.accept(sb);
        this.server = new FerryServer(sb.build(), log);
        this.exec = new ExecService(eb.build());
        server.install(exec);
        // Answers from a zero-delay timer: timers run in deadline order, so when the answer
        // arrives every timer due on the (fake) clock has run. A PING is no such barrier: its
        // answer may leave straight after the read, before the iteration's timers.
        server.registerPublic(SYNC_OP, call -> {
            call.loop().schedule(0, () -> call.reply(Header.reply("SYNCED", call.id())));
            return null;
        });
        beforeStart.accept(server);
        server.start();
    }

    /**
     * A server that requires login and has a {@code TESTLOGIN} op logging the connection in as
     * {@code user} with every right and {@code home} as its folder, as an auth service would.
     */
    static ExecHarness withLogin(Path root, ExecPolicy policy, String user, String home) throws Exception {
        return new ExecHarness(root, policy, b -> {}, s -> s.loginRequired(true), Clock.SYSTEM, EnumSet.noneOf(Right.class),
                server -> server.registerPublic("TESTLOGIN", call -> {
                    call.session().login(user, EnumSet.allOf(Right.class), home);
                    call.reply(Header.reply("OK", call.id()));
                    return null;
                }));
    }

    static ExecHarness allowAll(Path root) throws Exception {
        return new ExecHarness(root, ExecPolicy.allowAll(true));
    }

    static final String SYNC_OP = "TEST_SYNC";

    /** Returns once the server's loop has run every timer due now on its clock. */
    static void syncTimers(FerryClient c) throws IOException {
        c.call(Header.op(SYNC_OP));
    }

    /** Sends an EXEC of {@code argv} with a time limit, without waiting; returns its id. */
    static long send(FerryClient c, long timeoutMs, String... argv) throws IOException {
        long id = c.nextId();
        c.send(Header.op("EXEC").put(Header.ID, id)
                .put("argv", List.<Object>of((Object[]) argv)).put("timeoutMs", timeoutMs));
        return id;
    }

    /** Reads STDOUT frames of call {@code id} until a whole line arrived; returns it, trimmed. */
    static String readLine(FerryClient c, long id) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() == 0 || line.toByteArray()[line.size() - 1] != '\n') {
            Header f = c.expect(c.readHeader(), "STDOUT", id);
            ByteBuffer b = ByteBuffer.allocate((int) f.size());
            while (b.hasRemaining() && c.readBody(b) >= 0) {
                // read the whole body
            }
            line.write(b.array(), 0, b.position());
        }
        return line.toString(StandardCharsets.UTF_8).trim();
    }

    /**
     * Reads STDOUT frames of call {@code id} until {@code n} whole lines arrived (one frame may
     * hold several); returns them, trimmed.
     */
    static List<String> readLines(FerryClient c, long id, int n) throws IOException {
        StringBuilder text = new StringBuilder();
        while (text.chars().filter(ch -> ch == '\n').count() < n) {
            text.append(readLine(c, id)).append('\n');
        }
        return List.of(text.toString().strip().split("\n"));
    }

    /** Skips output frames of call {@code id} up to its EXIT; returns the EXIT. */
    static Header readExit(FerryClient c, long id) throws IOException {
        while (true) {
            Header f = c.expect(c.readHeader(), null, id);
            if ("EXIT".equals(f.op())) {
                return f;
            }
            c.skipBody();
        }
    }

    /** Waits, up to {@code seconds}, until {@code pid} has exited (a zombie counts as exited). */
    static void awaitGone(long pid, long seconds) throws Exception {
        ProcessHandle ph = ProcessHandle.of(pid).orElse(null);
        if (ph != null) {
            ph.onExit().get(seconds, TimeUnit.SECONDS);
        }
        if (Procs.running(pid)) {
            throw new AssertionError("process " + pid + " is still running");
        }
    }

    /**
     * Waits, up to {@code seconds}, until {@code pid} runs {@code program} (a shell that printed its
     * pid and then {@code exec}s is still the shell for a moment).
     */
    static void awaitExec(long pid, String program, long seconds) throws Exception {
        Path comm = Path.of("/proc/" + pid + "/comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.readString(comm).trim().equals(program)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " runs " + Files.readString(comm).trim() + ", not " + program);
            }
            Thread.sleep(1); // polling another process's state, not timing anything
        }
    }

    /** The numbers of a line such as a command's {@code echo $$ $!}. */
    static long[] pids(String line) {
        String[] parts = line.split(" ");
        long[] p = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            p[i] = Long.parseLong(parts[i]);
        }
        return p;
    }

    FerryClient connect() throws IOException {
        FerryClient c = FerryClient.connect("127.0.0.1", server.port());
        clients.add(c);
        return c;
    }

    /** Output of one run, collected in memory. */
    record Result(byte[] out, byte[] err, ExitStatus exit) {
        String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }

        String errText() {
            return new String(err, StandardCharsets.UTF_8);
        }
    }

    Result run(ExecRequest request) throws IOException {
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            return run(c, request);
        }
    }

    static Result run(FerryClient c, ExecRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitStatus st = new ExecClient(c).run(request, out, err);
        return new Result(out.toByteArray(), err.toByteArray(), st);
    }

    Result sh(String script) throws IOException {
        return run(ExecRequest.argv("sh", "-c", script));
    }

    /** Writes {@code size} bytes from a seeded generator into {@code root/name}; returns them. */
    byte[] seededFile(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.write(root.resolve(name), b);
        return b;
    }

    @Override
    public void close() {
        for (FerryClient c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        server.stop(1, TimeUnit.SECONDS);
    }
}

package ferry.loadtest;

import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchServer} in a separate JVM, one per run, optionally pinned with
 * {@code taskset -c CPUS}. Its RSS is the server's alone, which is what "server memory per
 * connection" means; the load client's threads can be pinned to other cores by starting the
 * harness itself under taskset.
 *
 * <p>Every wait on the child is bounded ({@link #REPLY_TIMEOUT_SECONDS}); a child that does not
 * answer is killed.
 */
final class SpawnedTarget implements Target {
    /** JVM start plus a full GC of a large heap stay well under this. */
    static final long REPLY_TIMEOUT_SECONDS = 60;

    private Process process;
    private OutputStream control;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private String description = "spawned JVM";
    private FileRoot root;

    @Override
    public InetSocketAddress begin(Variant variant, Options o) throws IOException {
        end();
        List<String> cmd = new ArrayList<>();
        if (o.serverCpus != null) {
            cmd.add("taskset");
            cmd.add("-c");
            cmd.add(o.serverCpus);
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(o.serverJvmOpts);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchServer.class.getName());
        cmd.add("--nodelay");
        cmd.add(variant.noDelay() ? "on" : "off");
        cmd.add("--max-connections");
        cmd.add(Integer.toString(o.connections + InProcessTarget.CONNECTION_HEADROOM));
        cmd.add("--loops");
        cmd.add(Integer.toString(o.serverLoops));
        cmd.add("--hold-ms");
        cmd.add(Long.toString(TimeUnit.NANOSECONDS.toMillis(o.durationNanos)));
        root = FileRoot.open(o);
        if (root != null) {
            cmd.add("--root");
            cmd.add(root.path().toString());
            if (!o.serverSync) {
                cmd.add("--no-sync");
            }
        }
        lines.clear();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process = p;
        control = p.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(BenchServer.READY_PREFIX) || line.startsWith("{")) {
                        lines.add(line); // the control protocol: the ready line, then one JSON line per sample
                    } else {
                        // the JVM's own output (-Xlog:gc, JFR's start-up line...) is not an answer
                        System.err.println("spawned server: " + line);
                    }
                }
            } catch (IOException ignored) {
                // the child exited
            }
        }, "loadtest-spawn-reader");
        reader.setDaemon(true);
        reader.start();
        String ready = nextLine("start");
        if (!ready.startsWith(BenchServer.READY_PREFIX)) {
            end();
            throw new IOException("spawned server said '" + ready + "' instead of " + BenchServer.READY_PREFIX);
        }
        int port = Integer.parseInt(field(ready, "port"));
        description = "spawned JVM (pid " + p.pid() + (o.serverCpus != null ? ", cpus " + o.serverCpus : "") + ")";
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static String field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + " in '" + line + "'");
    }

    private String nextLine(String what) throws IOException {
        try {
            String line = lines.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null) {
                Process p = process;
                end();
                throw new IOException("spawned server did not answer '" + what + "' within " + REPLY_TIMEOUT_SECONDS
                        + " s" + (p != null && !p.isAlive() ? " (it exited with " + p.exitValue() + ")" : ""));
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the spawned server", e);
        }
    }

    @Override
    public ServerSample sample(boolean gc) throws IOException {
        if (process == null) {
            return ServerSample.UNKNOWN;
        }
        control.write((gc ? "sample gc\n" : "sample\n").getBytes(StandardCharsets.US_ASCII));
        control.flush();
        String line = nextLine("sample");
        try {
            return ServerSample.fromMap((Map<?, ?>) Json.parse(line));
        } catch (ProtocolException | ClassCastException e) {
            throw new IOException("bad sample line from the spawned server: " + line, e);
        }
    }

    @Override
    public Path fileRoot() {
        return root == null ? null : root.path();
    }

    @Override
    public void end() {
        Process p = process;
        process = null;
        if (p == null) {
            closeRoot();
            return;
        }
        try {
            control.write("quit\n".getBytes(StandardCharsets.US_ASCII));
            control.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        closeRoot();
    }

    private void closeRoot() {
        FileRoot r = root;
        root = null;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String memoryScope() {
        return "server process only";
    }

    @Override
    public boolean setsServerNoDelay() {
        return true;
    }

    @Override
    public int descriptorsPerConnection() {
        return 1;
    }
}

package ferry.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FileBenchServer} JVM pinned to core 0, for {@link FileBench}; closing it closes its
 * stdin, which stops it.
 *
 * <p>Threading: the bench's main thread.
 */
final class BenchServerProcess implements AutoCloseable {
    final Process process;
    final int port;

    private BenchServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static BenchServerProcess start(Path root, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "0",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FileBench.class.getName(), "serve", "--root", root.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            p.destroyForcibly();
            throw new IOException("bench server did not start: " + line);
        }
        return new BenchServerProcess(p, Integer.parseInt(line.substring(5).trim()));
    }

    @Override
    public void close() throws Exception {
        OutputStream in = process.getOutputStream();
        in.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

package ferry.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server the harness did not start, at HOST:PORT. With a pid, its RSS is read from /proc and a
 * GC is requested with {@code jcmd PID GC.run} (a JVM server) before memory samples.
 */
final class ExternalTarget implements Target {
    /** jcmd attaches in well under a second; past this the GC request is abandoned. */
    static final long JCMD_TIMEOUT_SECONDS = 30;

    private final String host;
    private final int port;
    private final long pid;

    ExternalTarget(String host, int port, long pid) {
        this.host = host;
        this.port = port;
        this.pid = pid;
    }

    @Override
    public InetSocketAddress begin(Variant variant, Options options) {
        return new InetSocketAddress(host, port);
    }

    @Override
    public ServerSample sample(boolean gc) {
        if (pid <= 0) {
            return ServerSample.UNKNOWN;
        }
        if (gc) {
            requestGc();
        }
        return ServerSample.processOnly(ProcStatus.rssBytes(pid), ProcStatus.cpuNanos(pid));
    }

    private void requestGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // not a JVM, or no jcmd: RSS without a GC is still a number
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void end() {}

    @Override
    public String describe() {
        return host + ":" + port + (pid > 0 ? " (pid " + pid + ")" : "");
    }

    @Override
    public String memoryScope() {
        return pid > 0 ? "server process " + pid : null;
    }

    @Override
    public boolean setsServerNoDelay() {
        return false;
    }

    @Override
    public int descriptorsPerConnection() {
        return 1;
    }
}

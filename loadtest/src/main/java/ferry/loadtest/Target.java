package ferry.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The server a run drives: started in this JVM, started as a separate JVM, or an existing one.
 * Each run {@link #begin begins} with the run's settings and {@link #end ends}, so a comparison
 * gets a fresh server per setting (TCP_NODELAY is a server setting too).
 *
 * <p>Threading: the coordinator thread only.
 */
public interface Target {
    /** Starts or reaches the server for one run; returns where to connect. */
    InetSocketAddress begin(Variant variant, Options options) throws IOException;

    /** Samples the server now (after a full GC when {@code gc}); {@link ServerSample#UNKNOWN} when it cannot. */
    ServerSample sample(boolean gc) throws IOException;

    /** Ends the run: stops a server that {@link #begin} started. Idempotent. */
    void end();

    /** For reports, e.g. {@code in-process} or {@code spawned JVM (pid 4242, cpus 0)}. */
    String describe();

    /** What {@link ServerSample#rssBytes()} covers, or null when RSS is unknown. */
    String memoryScope();

    /** Whether the run's TCP_NODELAY setting reaches the server's sockets. */
    boolean setsServerNoDelay();

    /** File descriptors this process spends per connection (2 when the server lives here too). */
    int descriptorsPerConnection();

    /**
     * The folder the server serves, when the harness started it with a root of its own (file
     * scenarios on in-process and spawned servers) and can write there directly; else null.
     * Valid between {@link #begin} and {@link #end}.
     */
    default Path fileRoot() {
        return null;
    }

    /** The target {@code options} name. */
    static Target of(Options o) {
        if (o.isInProcess()) {
            return new InProcessTarget();
        }
        if (o.isSpawn()) {
            return new SpawnedTarget();
        }
        String[] hp = Options.hostPort(o.target);
        return new ExternalTarget(hp[0], Integer.parseInt(hp[1]), o.serverPid);
    }
}

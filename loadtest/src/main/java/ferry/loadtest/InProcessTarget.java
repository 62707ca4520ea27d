package ferry.loadtest;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FerryServer} in this JVM on 127.0.0.1, port 0, one per run. Its RSS and heap are this
 * process's, so they include the load client: quote server memory from a spawned server. For
 * the file scenarios it also serves a {@link FileRoot} with the file service's defaults (SHA-256
 * digests, fsync on commit unless {@code --server-sync off}); the loopback server needs no login (anonymous may read and write).
 */
final class InProcessTarget implements Target {
    /** Room above the run's connections for the server's connection limit. */
    static final int CONNECTION_HEADROOM = 100;

    private FerryServer server;
    private FileRoot root;

    @Override
    public InetSocketAddress begin(Variant variant, Options o) throws IOException {
        end();
        ServerConfig config = serverConfig(variant.noDelay(), o.connections, o.serverLoops, o.durationNanos);
        FerryServer s = new FerryServer(config, ServerLog.NONE);
        root = FileRoot.open(o);
        if (root != null) {
            installFiles(s, root.path(), o.serverSync);
        }
        s.start();
        server = s;
        return new InetSocketAddress(config.bindAddress(), s.port());
    }

    /** The benchmark server's configuration: defaults, but room for the run's connections and hold time. */
    static ServerConfig serverConfig(boolean noDelay, int connections, int loops, long holdNanos) {
        long idleMillis = Math.max(ServerConfig.DEFAULT_IDLE_TIMEOUT_MILLIS, TimeUnit.NANOSECONDS.toMillis(holdNanos) + 60_000);
        return ServerConfig.builder()
                .port(0)
                .tcpNoDelay(noDelay)
                .loops(loops)
                .maxConnections(Math.max(ServerConfig.DEFAULT_MAX_CONNECTIONS, connections + CONNECTION_HEADROOM))
                .idleTimeoutMillis(idleMillis)
                .shutdownGraceMillis(1000)
                .build();
    }

    /**
     * Installs the file service over {@code root} with its default settings, fsync on commit or
     * not, except that one user or address may take every upload slot: the load generator's
     * connections are one address and one anonymous user standing for many clients.
     */
    static void installFiles(FerryServer s, Path root, boolean sync) throws IOException {
        try {
            s.install(new FileService(FileServiceConfig.builder(root).syncOnCommit(sync)
                    .maxUploadsPerUser(FileServiceConfig.DEFAULT_MAX_CONCURRENT_UPLOADS)
                    .maxUploadsPerAddress(FileServiceConfig.DEFAULT_MAX_CONCURRENT_UPLOADS).build()));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot install the file service over " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path fileRoot() {
        return root == null ? null : root.path();
    }

    @Override
    public ServerSample sample(boolean gc) {
        return server == null ? ServerSample.UNKNOWN : ServerProbe.sample(server, gc);
    }

    @Override
    public void end() {
        FerryServer s = server;
        server = null;
        if (s != null) {
            s.stop(1, TimeUnit.SECONDS);
        }
        FileRoot r = root;
        root = null;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public String describe() {
        return "in-process";
    }

    @Override
    public String memoryScope() {
        return "this process: server and load client";
    }

    @Override
    public boolean setsServerNoDelay() {
        return true;
    }

    @Override
    public int descriptorsPerConnection() {
        return 2;
    }
}

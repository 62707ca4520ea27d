package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.reactor.FerryService;
import ferry.reactor.OpException;
import ferry.reactor.ScheduledTask;
import ferry.reactor.Sequencing;
import ferry.reactor.ServerContext;
import ferry.reactor.WorkerLane;
import ferry.reactor.Workers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The file service: {@code GET}, {@code PUT}, {@code PARTIAL}, {@code STAT}, {@code LIST},
 * {@code HASH}, {@code MKDIR}, {@code DELETE} and {@code RENAME} over a root folder, with the
 * feature word {@code files}. docs/PROTOCOL.md ("Files") describes every op.
 *
 * <pre>{@code
 * FerryServer server = new FerryServer(serverConfig, log);
 * server.install(new FileService(FileServiceConfig.builder(Path.of("data")).build()));
 * server.start();
 * }</pre>
 *
 * <p>Every path is confined to the root and the session's home folder ({@link PathResolver});
 * every op checks the session's rights; all disk work (open, stat, list, fsync, hashing,
 * mkdir, delete, rename, upload writes, page-cache warming) runs on the server's workers, so the
 * loop waits on the disk at most inside {@code transferTo} (and not even there once read-ahead
 * has warmed the pages).
 *
 * <p>Threading contract: construct and install on one thread before the server starts; the
 * public methods after that are safe from any thread.
 */
public final class FileService implements FerryService {
    private final FileServiceConfig config;
    private volatile FileContext ctx;
    private volatile TempSweeper sweeper;
    private volatile ScheduledTask nextSweep;
    private volatile boolean stopped;

    public FileService(FileServiceConfig config) {
        this.config = config;
    }

    public FileServiceConfig config() {
        return config;
    }

    @Override
    public void install(ServerContext server) throws IOException {
        Files.createDirectories(config.root());
        Path realRoot = config.root().toRealPath();
        RootFiles files = RootFiles.probe(realRoot, config.opener());
        PathResolver resolver = new PathResolver(realRoot, config.maxPathBytes(), config.maxNameBytes(), files);
        UploadRegistry uploads = new UploadRegistry(config.maxConcurrentUploads(), config.maxUploadsPerUser(),
                config.maxUploadsPerAddress(), TimeUnit.MILLISECONDS.toNanos(config.uploadTakeoverAfterMillis()));
        PageCacheWarmer warmer = new PageCacheWarmer();
        // Hashing and bulk transfers get a lane of their own: a hashing flood must not delay
        // anyone's STAT or login (WorkerLane).
        Workers bulk = server.workers(WorkerLane.BULK);
        FileContext c = new FileContext(config, server.workers(), bulk, server.log(), resolver,
                new DigestCache(config.digestCacheEntries(), bulk, files, config.hashBufferBytes()),
                warmer, uploads, new UploadBufferPool(config.uploadBufferBytes(), config.maxPooledUploadBuffers()));
        ctx = c;
        sweeper = new TempSweeper(realRoot, config.tempMaxAgeMillis(), config.wallClock(), uploads, resolver,
                config.events(), server.log(), c.quotas);

        PutOp put = new PutOp(c);
        MetadataOps meta = new MetadataOps(c);
        NamespaceOps names = new NamespaceOps(c);
        // PARTIAL is a write: it may take an upload over from a stalled holder.
        server.register(GET, new GetOp(c), Sequencing.READ);
        server.register(PUT, put, Sequencing.WRITE);
        server.register(PARTIAL, put::partial, Sequencing.WRITE);
        server.register(STAT, meta::stat, Sequencing.READ);
        server.register(LIST, meta::list, Sequencing.READ);
        server.register(HASH, meta::hash, Sequencing.READ);
        server.register(MKDIR, names::mkdir, Sequencing.WRITE);
        server.register(DELETE, names::delete, Sequencing.WRITE);
        server.register(RENAME, names::rename, Sequencing.WRITE);
        server.addFeature(FEATURE);

        if (config.tempSweepIntervalMillis() > 0) {
            scheduleSweep(server, TimeUnit.MILLISECONDS.toNanos(config.tempSweepIntervalMillis()));
        }
        server.onStop(() -> {
            stopped = true;
            ScheduledTask t = nextSweep;
            if (t != null) {
                t.cancel();
            }
            FileContext.closeQuietly(warmer);
            files.close(); // the kept root handle
        });
        server.log().info("file service: root " + realRoot + (files.usesHandles() ? "" : " (no folder handles on this"
                + " platform: paths are checked, then opened by path)") + ", read-ahead " + config.readAheadBytes() + " bytes, "
                + "temps kept " + config.tempMaxAgeMillis() + " ms");
    }

    /**
     * The next periodic sweep, {@code everyNanos} after the last one ended (a slow sweep never
     * overlaps the next): timed by the server's loop and clock, run on the bulk lane.
     */
    private void scheduleSweep(ServerContext server, long everyNanos) {
        if (stopped) {
            return;
        }
        nextSweep = server.schedule(everyNanos, WorkerLane.BULK, () -> {
            sweepQuietly();
            scheduleSweep(server, everyNanos);
        });
    }

    /** The service's disk access, for tests that count its walks; null before {@link #install}. */
    RootFiles rootFiles() {
        FileContext c = ctx;
        return c == null ? null : c.files();
    }

    private void sweepQuietly() {
        try {
            sweeper.sweep();
        } catch (IOException | RuntimeException e) {
            ctx.log.warn("temp sweep failed: " + e, e);
        }
    }

    /**
     * Sweeps stale upload temps now, on the calling thread (which must not be an event loop).
     * Returns how many were removed. For operators and tests; the service also sweeps periodically.
     */
    public int sweepTempsNow() throws IOException {
        TempSweeper s = sweeper;
        if (s == null) {
            throw new IllegalStateException("install the service first");
        }
        return s.sweep();
    }

    /** Uploads running now (all loops). */
    public int activeUploads() {
        FileContext c = ctx;
        return c == null ? 0 : c.uploads.active();
    }

    /** Files held open by downloads now (all connections); see {@link FileServiceConfig#maxOpenDownloads()}. */
    public int openDownloads() {
        FileContext c = ctx;
        return c == null ? 0 : c.downloadSlots.open();
    }

    /**
     * What {@code home} (root-relative, "" for the root) holds as its quota counts it: {bytes,
     * regular files}. Scans it if it was never scanned. On the calling thread, which must not be
     * an event loop. For operators and tests.
     */
    public long[] quotaUsage(String home) throws IOException, OpException {
        FileContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("install the service first");
        }
        return c.quotas.usage(c.resolver.resolve(home, ".").home());
    }

    /** Digests held by the cache now. */
    public int cachedDigests() {
        FileContext c = ctx;
        return c == null ? 0 : c.digests.size();
    }
}

package ferry.services.file;

import ferry.reactor.Call;
import ferry.reactor.ServerLog;
import ferry.reactor.Workers;
import java.util.concurrent.Callable;

/**
 * What the file ops share: configuration, the path resolver, the digest cache, the upload
 * registry and buffers, the page-cache warmer, and the one way they hand blocking work to a
 * worker and come back to the loop.
 *
 * <p>Thread safety: immutable references to thread-safe parts.
 */
final class FileContext {
    /** A step that runs on the loop with a worker's result. */
    @FunctionalInterface
    interface LoopStep<T> {
        void run(T result) throws Exception;
    }

    final FileServiceConfig config;
    /** Short file-system calls a request waits on ({@link ferry.reactor.WorkerLane#METADATA}). */
    final Workers workers;
    /** Long disk work: upload writes and commits, read-ahead, sweeps ({@link ferry.reactor.WorkerLane#BULK}). */
    final Workers bulk;
    final ServerLog log;
    final PathResolver resolver;
    final DigestCache digests;
    final PageCacheWarmer warmer;
    final UploadRegistry uploads;
    final UploadBufferPool uploadBuffers;
    final DownloadSlots downloadSlots;
    /** Per-home byte and file quotas (off unless configured). */
    final HomeQuotas quotas;

    FileContext(FileServiceConfig config, Workers workers, Workers bulk, ServerLog log, PathResolver resolver, DigestCache digests,
                PageCacheWarmer warmer, UploadRegistry uploads, UploadBufferPool uploadBuffers) {
        this.config = config;
        this.workers = workers;
        this.bulk = bulk;
        this.log = log;
        this.resolver = resolver;
        this.digests = digests;
        this.warmer = warmer;
        this.uploads = uploads;
        this.uploadBuffers = uploadBuffers;
        this.downloadSlots = new DownloadSlots(config.maxOpenDownloadsPerConnection(), config.maxOpenDownloads());
        this.quotas = new HomeQuotas(new HomeQuotas.Limits(config.defaultQuotaBytes(), config.defaultQuotaFiles()),
                config.quotaRescanIntervalMillis(), config.wallClock());
    }

    /**
     * Runs {@code work} on a worker, then {@code then} on the call's loop. A failure (of either)
     * fails the call with the code {@link FileErrors} maps it to, naming {@code shown}. If the
     * call was cancelled meanwhile, a result that is {@link AutoCloseable} (an open file) is
     * closed instead.
     */
    <T> void onWorker(Call call, String shown, Callable<T> work, LoopStep<T> then) {
        onWorker(call, shown, work, then, null);
    }

    /**
     * As {@link #onWorker(Call, String, Callable, LoopStep)}, and runs {@code ifNotDone} (on the
     * loop; may be null) whenever {@code then} did not complete: the pool was full, the work or
     * the step failed, or the call was cancelled meanwhile. What the caller reserved for the
     * step (a download slot) goes back there.
     */
    <T> void onWorker(Call call, String shown, Callable<T> work, LoopStep<T> then, Runnable ifNotDone) {
        boolean taken = workers.submit(call, work, (result, error) -> {
            if (call.isCancelled() || call.isEnded()) {
                closeQuietly(result);
                runIfSet(ifNotDone);
                return;
            }
            if (error != null) {
                runIfSet(ifNotDone);
                call.fail(FileErrors.map(error, shown));
                return;
            }
            try {
                then.run(result);
            } catch (Throwable t) {
                closeQuietly(result);
                runIfSet(ifNotDone);
                call.fail(FileErrors.map(t, shown));
            }
        });
        if (!taken) {
            runIfSet(ifNotDone);
        }
    }

    private static void runIfSet(Runnable r) {
        if (r != null) {
            r.run();
        }
    }

    /** Disk access to confined paths, following no symlink ({@link PathResolver#files()}). Worker threads. */
    RootFiles files() {
        return resolver.files();
    }

    static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable) {
            try {
                ((AutoCloseable) o).close();
            } catch (Exception ignored) {
                // a close failure after the answer is decided changes nothing for the client
            }
        }
    }
}

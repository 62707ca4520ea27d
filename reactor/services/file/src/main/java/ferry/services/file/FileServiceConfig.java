package ferry.services.file;

import static ferry.reactor.ConfigCheck.range;
import static ferry.reactor.ConfigCheck.require;

import ferry.protocol.DigestAlgorithm;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Every setting of the file service, each with a named default. Immutable; build with
 * {@link #builder(Path)}. Network-level settings (zero-copy on/off, buffers of the loop, write
 * budget per event) live in {@link ferry.reactor.ServerConfig}; these are the service's own.
 */
public final class FileServiceConfig {
    /** The folder served when none is given (relative to the working directory). */
    public static final String DEFAULT_ROOT = "data";
    /** Longest request path in UTF-8 bytes: deep trees work, a path cannot be a denial of service. */
    public static final int DEFAULT_MAX_PATH_BYTES = 1024;
    /** Longest single name in UTF-8 bytes: Linux's NAME_MAX. */
    public static final int DEFAULT_MAX_NAME_BYTES = 255;
    /**
     * Upload bytes are read from the socket into buffers of this size and written by workers. A
     * direct write per buffer (or per few, gathered) goes to the disk as one request: 1 MiB
     * requests measured 1.3 GB/s here against 0.87 GB/s for 256 KiB ones (docs/BENCHMARKS.md).
     */
    public static final int DEFAULT_UPLOAD_BUFFER_BYTES = 1024 * 1024;
    /** Buffers one upload may hold (one filling, the rest queued or being written) before reading pauses. */
    public static final int DEFAULT_UPLOAD_BUFFERS_PER_UPLOAD = 4;
    /** Free upload buffers kept for reuse across uploads. */
    public static final int DEFAULT_MAX_POOLED_UPLOAD_BUFFERS = 64;
    /**
     * Uploads running at once; more get {@code busy}. Bounds direct memory to this x buffers x size
     * (512 MiB with every default, if every upload is held up by a slow disk at once).
     */
    public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 128;
    /**
     * Uploads one user (anonymous sessions count as one user) may run at once; more get
     * {@code busy}. A quarter of {@link #DEFAULT_MAX_CONCURRENT_UPLOADS}, so one user cannot take
     * every slot and leave everyone else {@code busy}.
     */
    public static final int DEFAULT_MAX_UPLOADS_PER_USER = 32;
    /** Uploads one client address may run at once, whatever users it logs in as; more get {@code busy}. */
    public static final int DEFAULT_MAX_UPLOADS_PER_ADDRESS = 32;
    /**
     * An upload whose client sends less than this, on average over a
     * {@linkplain #DEFAULT_UPLOAD_RATE_WINDOW_MILLIS window}, is stopped (its bytes are kept for a
     * resume) and its connection closed with {@code timed_out}: a client dribbling a byte now and
     * then cannot hold an upload slot for ever. 1 KiB/s is far below any working link; 0 turns the
     * check off. Time in which the server itself paused reading (its disk was behind) does not count.
     */
    public static final long DEFAULT_MIN_UPLOAD_RATE_BYTES_PER_SECOND = 1024;
    /** The time over which {@link #DEFAULT_MIN_UPLOAD_RATE_BYTES_PER_SECOND} is averaged (reading time, not pauses). */
    public static final long DEFAULT_UPLOAD_RATE_WINDOW_MILLIS = 60_000;
    /**
     * A running upload that received nothing for this long (while the server was reading it) is
     * taken to be dead when its own user asks for the very same upload again, and is stopped so
     * that the new request can resume it. Long enough that a live upload on a bad link is never
     * taken over, short enough that a client coming back from a crash gets its upload back well
     * within its retries (the client library's default waits add up to about 90 s).
     */
    public static final long DEFAULT_UPLOAD_TAKEOVER_AFTER_MILLIS = 30_000;
    /** Largest file a PUT may declare; no limit by default (sizes are 64-bit). */
    public static final long DEFAULT_MAX_FILE_BYTES = Long.MAX_VALUE;
    /** How far ahead of the socket a worker keeps a download's pages warm; 0 sends in one region, unwarmed. */
    public static final long DEFAULT_READ_AHEAD_BYTES = 16L * 1024 * 1024;
    /** A download is queued to the loop in windows of this size, each after a worker warmed it. */
    public static final long DEFAULT_READ_AHEAD_WINDOW_BYTES = 4L * 1024 * 1024;
    /** Read size when hashing a file on a worker. */
    public static final int DEFAULT_HASH_BUFFER_BYTES = 1024 * 1024;
    public static final DigestAlgorithm DEFAULT_DIGEST_ALGORITHM = DigestAlgorithm.SHA_256;
    /** Digests remembered by (file, size, mtime): 10,000 entries are about 2 MB of heap. */
    public static final int DEFAULT_DIGEST_CACHE_ENTRIES = 10_000;
    /** Largest folder LIST answers; bigger folders get {@code too_large}. */
    public static final int DEFAULT_MAX_LIST_ENTRIES = 100_000;
    /**
     * Files one connection's downloads hold open at once; its further GETs wait their turn. A GET
     * keeps its file open until the socket has taken the body, so without this a client that
     * pipelines GETs and never reads holds one descriptor per GET.
     */
    public static final int DEFAULT_MAX_OPEN_DOWNLOADS_PER_CONNECTION = 4;
    /** Files all downloads hold open at once; a GET over this is answered busy. */
    public static final int DEFAULT_MAX_OPEN_DOWNLOADS = 4096;
    /** An unfinished upload's temp file untouched this long is deleted. */
    public static final long DEFAULT_TEMP_MAX_AGE_MILLIS = 24L * 60 * 60 * 1000;
    /** How often the tree is swept for stale temps; 0 turns the periodic sweep off. */
    public static final long DEFAULT_TEMP_SWEEP_INTERVAL_MILLIS = 10L * 60 * 1000;
    /** Force an upload to disk (file and folder) before it becomes visible under its name. */
    public static final boolean DEFAULT_SYNC_ON_COMMIT = true;
    /**
     * With sync on commit, every this many bytes an upload's data written so far is flushed in the
     * background (fdatasync on a worker), so the disk works while the network does and the final
     * fsync has little left; 0 leaves everything to the final fsync.
     */
    public static final long DEFAULT_WRITE_BEHIND_BYTES = 32L * 1024 * 1024;
    /**
     * Uploads of at least this many bytes are written with {@code O_DIRECT} (straight from the
     * upload buffers to the disk, bypassing the page cache) where the filesystem allows it; smaller
     * ones, and any unaligned head or tail, go through the page cache. {@link Long#MAX_VALUE} turns
     * direct writes off. Why: a big upload is written once and read later, if at all; copying it
     * into freshly allocated page-cache pages and then writing those back costs more CPU than the
     * network transfer itself (docs/BENCHMARKS.md, "Files").
     */
    public static final long DEFAULT_UPLOAD_DIRECT_IO_MIN_BYTES = 4L * 1024 * 1024;

    /** Upper bound of the upload rate window and the takeover time: a day (they are kept in nanoseconds). */
    public static final long MAX_UPLOAD_TIMER_MILLIS = 24L * 60 * 60 * 1000;

    private final Path root;
    private final int maxPathBytes;
    private final int maxNameBytes;
    private final int uploadBufferBytes;
    private final int uploadBuffersPerUpload;
    private final int maxPooledUploadBuffers;
    private final int maxConcurrentUploads;
    private final int maxUploadsPerUser;
    private final int maxUploadsPerAddress;
    private final long minUploadRateBytesPerSecond;
    private final long uploadRateWindowMillis;
    private final long uploadTakeoverAfterMillis;
    private final long maxFileBytes;
    private final long readAheadBytes;
    private final long readAheadWindowBytes;
    private final int hashBufferBytes;
    private final DigestAlgorithm digestAlgorithm;
    private final int digestCacheEntries;
    private final int maxListEntries;
    private final int maxOpenDownloadsPerConnection;
    private final int maxOpenDownloads;
    private final long defaultQuotaBytes;
    private final long defaultQuotaFiles;
    private final long quotaRescanIntervalMillis;
    private final long tempMaxAgeMillis;
    private final long tempSweepIntervalMillis;
    private final boolean syncOnCommit;
    private final long writeBehindBytes;
    private final long uploadDirectIoMinBytes;
    private final Clock wallClock;
    private final FileOpener opener;
    private final PageCacheProbe pageCacheProbe;
    private final FileServiceEvents events;

    private FileServiceConfig(Builder b) {
        root = b.root;
        maxPathBytes = b.maxPathBytes;
        maxNameBytes = b.maxNameBytes;
        uploadBufferBytes = b.uploadBufferBytes;
        uploadBuffersPerUpload = b.uploadBuffersPerUpload;
        maxPooledUploadBuffers = b.maxPooledUploadBuffers;
        maxConcurrentUploads = b.maxConcurrentUploads;
        maxUploadsPerUser = b.maxUploadsPerUser;
        maxUploadsPerAddress = b.maxUploadsPerAddress;
        minUploadRateBytesPerSecond = b.minUploadRateBytesPerSecond;
        uploadRateWindowMillis = b.uploadRateWindowMillis;
        uploadTakeoverAfterMillis = b.uploadTakeoverAfterMillis;
        maxFileBytes = b.maxFileBytes;
        readAheadBytes = b.readAheadBytes;
        readAheadWindowBytes = b.readAheadWindowBytes;
        hashBufferBytes = b.hashBufferBytes;
        digestAlgorithm = b.digestAlgorithm;
        digestCacheEntries = b.digestCacheEntries;
        maxListEntries = b.maxListEntries;
        maxOpenDownloadsPerConnection = b.maxOpenDownloadsPerConnection;
        maxOpenDownloads = b.maxOpenDownloads;
        defaultQuotaBytes = b.defaultQuotaBytes;
        defaultQuotaFiles = b.defaultQuotaFiles;
        quotaRescanIntervalMillis = b.quotaRescanIntervalMillis;
        tempMaxAgeMillis = b.tempMaxAgeMillis;
        tempSweepIntervalMillis = b.tempSweepIntervalMillis;
        syncOnCommit = b.syncOnCommit;
        writeBehindBytes = b.writeBehindBytes;
        uploadDirectIoMinBytes = b.uploadDirectIoMinBytes;
        wallClock = b.wallClock;
        opener = b.opener;
        pageCacheProbe = b.pageCacheProbe;
        events = b.events;
    }

    /** A builder serving {@code root} (created at install if missing). */
    public static Builder builder(Path root) {
        return new Builder().root(root);
    }

    public Path root() { return root; }
    public int maxPathBytes() { return maxPathBytes; }
    public int maxNameBytes() { return maxNameBytes; }
    public int uploadBufferBytes() { return uploadBufferBytes; }
    public int uploadBuffersPerUpload() { return uploadBuffersPerUpload; }
    public int maxPooledUploadBuffers() { return maxPooledUploadBuffers; }
    public int maxConcurrentUploads() { return maxConcurrentUploads; }
    /** Uploads one user may run at once (anonymous sessions are one user). */
    public int maxUploadsPerUser() { return maxUploadsPerUser; }
    /** Uploads one client address may run at once. */
    public int maxUploadsPerAddress() { return maxUploadsPerAddress; }
    /** Slowest an upload's client may send, averaged over {@link #uploadRateWindowMillis()}; 0: no minimum. */
    public long minUploadRateBytesPerSecond() { return minUploadRateBytesPerSecond; }
    public long uploadRateWindowMillis() { return uploadRateWindowMillis; }
    /** How long a running upload must have received nothing before its own user's new request takes it over. */
    public long uploadTakeoverAfterMillis() { return uploadTakeoverAfterMillis; }
    public long maxFileBytes() { return maxFileBytes; }
    public long readAheadBytes() { return readAheadBytes; }
    public long readAheadWindowBytes() { return readAheadWindowBytes; }
    public int hashBufferBytes() { return hashBufferBytes; }
    /** The digest a PUT computes when it does not name one. */
    public DigestAlgorithm digestAlgorithm() { return digestAlgorithm; }
    public int digestCacheEntries() { return digestCacheEntries; }
    public int maxListEntries() { return maxListEntries; }
    public int maxOpenDownloadsPerConnection() { return maxOpenDownloadsPerConnection; }
    public int maxOpenDownloads() { return maxOpenDownloads; }
    /** Bytes of regular files each home may hold ({@link HomeQuotas}); 0: no limit. */
    public long defaultQuotaBytes() { return defaultQuotaBytes; }
    /** Regular files each home may hold; 0: no limit. */
    public long defaultQuotaFiles() { return defaultQuotaFiles; }
    /** A home's usage scanned longer ago than this is scanned again at its next upload; 0: never (bounds drift from other writers). */
    public long quotaRescanIntervalMillis() { return quotaRescanIntervalMillis; }
    public long tempMaxAgeMillis() { return tempMaxAgeMillis; }
    public long tempSweepIntervalMillis() { return tempSweepIntervalMillis; }
    public boolean syncOnCommit() { return syncOnCommit; }
    public long writeBehindBytes() { return writeBehindBytes; }
    /** Uploads at least this big bypass the page cache ({@code O_DIRECT}); {@link Long#MAX_VALUE}: never. */
    public long uploadDirectIoMinBytes() { return uploadDirectIoMinBytes; }
    /** Wall-clock time for temp-file ages (compared with file mtimes); a fixed clock in tests. */
    public Clock wallClock() { return wallClock; }
    /** Opens every file the service reads or writes; tests inject failures here. */
    public FileOpener opener() { return opener; }
    public PageCacheProbe pageCacheProbe() { return pageCacheProbe; }
    public FileServiceEvents events() { return events; }

    /** Builder; every setter validates its argument. */
    public static final class Builder {
        private Path root = Path.of(DEFAULT_ROOT);
        private int maxPathBytes = DEFAULT_MAX_PATH_BYTES;
        private int maxNameBytes = DEFAULT_MAX_NAME_BYTES;
        private int uploadBufferBytes = DEFAULT_UPLOAD_BUFFER_BYTES;
        private int uploadBuffersPerUpload = DEFAULT_UPLOAD_BUFFERS_PER_UPLOAD;
        private int maxPooledUploadBuffers = DEFAULT_MAX_POOLED_UPLOAD_BUFFERS;
        private int maxConcurrentUploads = DEFAULT_MAX_CONCURRENT_UPLOADS;
        private int maxUploadsPerUser = DEFAULT_MAX_UPLOADS_PER_USER;
        private int maxUploadsPerAddress = DEFAULT_MAX_UPLOADS_PER_ADDRESS;
        private long minUploadRateBytesPerSecond = DEFAULT_MIN_UPLOAD_RATE_BYTES_PER_SECOND;
        private long uploadRateWindowMillis = DEFAULT_UPLOAD_RATE_WINDOW_MILLIS;
        private long uploadTakeoverAfterMillis = DEFAULT_UPLOAD_TAKEOVER_AFTER_MILLIS;
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        private long readAheadBytes = DEFAULT_READ_AHEAD_BYTES;
        private long readAheadWindowBytes = DEFAULT_READ_AHEAD_WINDOW_BYTES;
        private int hashBufferBytes = DEFAULT_HASH_BUFFER_BYTES;
        private DigestAlgorithm digestAlgorithm = DEFAULT_DIGEST_ALGORITHM;
        private int digestCacheEntries = DEFAULT_DIGEST_CACHE_ENTRIES;
        private int maxListEntries = DEFAULT_MAX_LIST_ENTRIES;
        private int maxOpenDownloadsPerConnection = DEFAULT_MAX_OPEN_DOWNLOADS_PER_CONNECTION;
        private int maxOpenDownloads = DEFAULT_MAX_OPEN_DOWNLOADS;
        private long defaultQuotaBytes;
        private long defaultQuotaFiles;
        private long quotaRescanIntervalMillis;
        private long tempMaxAgeMillis = DEFAULT_TEMP_MAX_AGE_MILLIS;
        private long tempSweepIntervalMillis = DEFAULT_TEMP_SWEEP_INTERVAL_MILLIS;
        private boolean syncOnCommit = DEFAULT_SYNC_ON_COMMIT;
        private long writeBehindBytes = DEFAULT_WRITE_BEHIND_BYTES;
        private long uploadDirectIoMinBytes = DEFAULT_UPLOAD_DIRECT_IO_MIN_BYTES;
        private Clock wallClock = Clock.systemUTC();
        private FileOpener opener = FileOpener.DEFAULT;
        private PageCacheProbe pageCacheProbe = PageCacheProbe.MINCORE;
        private FileServiceEvents events = FileServiceEvents.NONE;

        Builder() {}

        public Builder root(Path v) { root = require(v, "root"); return this; }
        public Builder maxPathBytes(int v) { maxPathBytes = range(v, 1, 1 << 16, "maxPathBytes"); return this; }
        public Builder maxNameBytes(int v) { maxNameBytes = range(v, 1, 4096, "maxNameBytes"); return this; }
        public Builder uploadBufferBytes(int v) { uploadBufferBytes = range(v, 4096, 64 << 20, "uploadBufferBytes"); return this; }
        public Builder uploadBuffersPerUpload(int v) { uploadBuffersPerUpload = range(v, 2, 1024, "uploadBuffersPerUpload"); return this; }
        public Builder maxPooledUploadBuffers(int v) { maxPooledUploadBuffers = range(v, 0, 1 << 20, "maxPooledUploadBuffers"); return this; }
        public Builder maxConcurrentUploads(int v) { maxConcurrentUploads = range(v, 1, 1 << 20, "maxConcurrentUploads"); return this; }
        public Builder maxUploadsPerUser(int v) { maxUploadsPerUser = range(v, 1, 1 << 20, "maxUploadsPerUser"); return this; }
        public Builder maxUploadsPerAddress(int v) { maxUploadsPerAddress = range(v, 1, 1 << 20, "maxUploadsPerAddress"); return this; }
        public Builder minUploadRateBytesPerSecond(long v) { minUploadRateBytesPerSecond = range(v, 0, 1L << 40, "minUploadRateBytesPerSecond"); return this; }
        public Builder uploadRateWindowMillis(long v) { uploadRateWindowMillis = range(v, 1_000, MAX_UPLOAD_TIMER_MILLIS, "uploadRateWindowMillis"); return this; }
        public Builder uploadTakeoverAfterMillis(long v) { uploadTakeoverAfterMillis = range(v, 0, MAX_UPLOAD_TIMER_MILLIS, "uploadTakeoverAfterMillis"); return this; }
        public Builder maxFileBytes(long v) { maxFileBytes = range(v, 0, Long.MAX_VALUE, "maxFileBytes"); return this; }
        public Builder readAheadBytes(long v) { readAheadBytes = range(v, 0, Long.MAX_VALUE, "readAheadBytes"); return this; }
        public Builder readAheadWindowBytes(long v) { readAheadWindowBytes = range(v, 4096, 1L << 30, "readAheadWindowBytes"); return this; }
        public Builder hashBufferBytes(int v) { hashBufferBytes = range(v, 4096, 64 << 20, "hashBufferBytes"); return this; }
        public Builder digestAlgorithm(DigestAlgorithm v) { digestAlgorithm = require(v, "digestAlgorithm"); return this; }
        public Builder digestCacheEntries(int v) { digestCacheEntries = range(v, 0, 1 << 24, "digestCacheEntries"); return this; }
        public Builder maxListEntries(int v) { maxListEntries = range(v, 1, 1 << 24, "maxListEntries"); return this; }
        public Builder maxOpenDownloadsPerConnection(int v) { maxOpenDownloadsPerConnection = range(v, 1, 1 << 16, "maxOpenDownloadsPerConnection"); return this; }
        public Builder maxOpenDownloads(int v) { maxOpenDownloads = range(v, 1, 1 << 24, "maxOpenDownloads"); return this; }
        public Builder defaultQuotaBytes(long v) { defaultQuotaBytes = range(v, 0, Long.MAX_VALUE, "defaultQuotaBytes"); return this; }
        public Builder defaultQuotaFiles(long v) { defaultQuotaFiles = range(v, 0, Long.MAX_VALUE, "defaultQuotaFiles"); return this; }
        public Builder quotaRescanIntervalMillis(long v) { quotaRescanIntervalMillis = range(v, 0, Long.MAX_VALUE, "quotaRescanIntervalMillis"); return this; }
        public Builder tempMaxAgeMillis(long v) { tempMaxAgeMillis = range(v, 0, Long.MAX_VALUE, "tempMaxAgeMillis"); return this; }
        public Builder tempSweepIntervalMillis(long v) { tempSweepIntervalMillis = range(v, 0, Long.MAX_VALUE, "tempSweepIntervalMillis"); return this; }
        public Builder syncOnCommit(boolean v) { syncOnCommit = v; return this; }
        public Builder writeBehindBytes(long v) { writeBehindBytes = range(v, 0, Long.MAX_VALUE, "writeBehindBytes"); return this; }
        public Builder uploadDirectIoMinBytes(long v) { uploadDirectIoMinBytes = range(v, 0, Long.MAX_VALUE, "uploadDirectIoMinBytes"); return this; }
        public Builder wallClock(Clock v) { wallClock = require(v, "wallClock"); return this; }
        public Builder opener(FileOpener v) { opener = require(v, "opener"); return this; }
        /** How a GET learns that a window is cached and needs no read-ahead (default: ask the kernel). */
        public Builder pageCacheProbe(PageCacheProbe v) { pageCacheProbe = require(v, "pageCacheProbe"); return this; }
        public Builder events(FileServiceEvents v) { events = require(v, "events"); return this; }

        public FileServiceConfig build() {
            return new FileServiceConfig(this);
        }
    }
}

package ferry.cli.serve;

import static ferry.cli.serve.ServeOptions.MAX_MILLIS;
import static ferry.cli.serve.ServeOptions.intOption;
import static ferry.cli.serve.ServeOptions.sizeOption;

import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.services.file.FileServiceConfig;

/**
 * The file-service rows of the {@link ServeOptions} table: every {@link FileServiceConfig}
 * setting, each applied to the file service's builder and read back from the built configuration.
 */
final class ServeFileOptions {
    private static final String G_FILES = "files";

    private ServeFileOptions() {}

    static void register(ServeOptions t) {
        registerUploads(t);
        registerQuotaAndDownloads(t);
        registerNamesAndBuffers(t);
    }

    /** Upload limits, rate floor, digests and durability. */
    private static void registerUploads(ServeOptions t) {
        t.add(Option.value("max-file-size", "SIZE", ServeTypes.sizeOrUnlimited(0), null, "largest file an upload may store")
                        .group(G_FILES),
                "maxFileBytes", (s, v) -> s.files.maxFileBytes(v), (s, c) -> s.fileConfig().maxFileBytes(), false);
        t.add(intOption("max-concurrent-uploads", "uploads receiving at once; one more is answered busy", 1, 1 << 20,
                        G_FILES),
                "maxConcurrentUploads", (s, v) -> s.files.maxConcurrentUploads(v),
                (s, c) -> s.fileConfig().maxConcurrentUploads(), false);
        t.add(intOption("max-uploads-per-user", "uploads one user runs at once (anonymous users are one user); one "
                        + "more is answered busy", 1, 1 << 20, G_FILES),
                "maxUploadsPerUser", (s, v) -> s.files.maxUploadsPerUser(v), (s, c) -> s.fileConfig().maxUploadsPerUser(),
                false);
        t.add(intOption("max-uploads-per-address", "uploads one client address runs at once; one more is answered busy",
                        1, 1 << 20, G_FILES),
                "maxUploadsPerAddress", (s, v) -> s.files.maxUploadsPerAddress(v),
                (s, c) -> s.fileConfig().maxUploadsPerAddress(), false);
        t.add(sizeOption("min-upload-rate", "bytes per second an upload must average over --upload-rate-window, or it "
                        + "is stopped (kept for a resume) and its connection closed (0: no minimum)", 0, 1L << 40, G_FILES),
                "minUploadRateBytesPerSecond", (s, v) -> s.files.minUploadRateBytesPerSecond(v),
                (s, c) -> s.fileConfig().minUploadRateBytesPerSecond(), false);
        t.add(Option.value("upload-rate-window", "DURATION", ValueType.duration(1_000, FileServiceConfig.MAX_UPLOAD_TIMER_MILLIS), null,
                        "time --min-upload-rate is averaged over (time the server paused reading does not count)")
                        .group(G_FILES),
                "uploadRateWindowMillis", (s, v) -> s.files.uploadRateWindowMillis(v),
                (s, c) -> s.fileConfig().uploadRateWindowMillis(), false);
        t.add(Option.value("upload-takeover-after", "DURATION", ValueType.duration(0, FileServiceConfig.MAX_UPLOAD_TIMER_MILLIS), null,
                        "a running upload silent this long is taken over by its own user's new request for it")
                        .group(G_FILES),
                "uploadTakeoverAfterMillis", (s, v) -> s.files.uploadTakeoverAfterMillis(v),
                (s, c) -> s.fileConfig().uploadTakeoverAfterMillis(), false);
        t.add(Option.value("digest-algorithm", "ALG", ServeTypes.digestType(), null,
                        "digest an upload computes when the client names none: sha-256, md5 or none").group(G_FILES),
                "digestAlgorithm", (s, v) -> s.files.digestAlgorithm(v), (s, c) -> s.fileConfig().digestAlgorithm(), false);
        t.add(Option.toggle("sync-on-commit", FileServiceConfig.DEFAULT_SYNC_ON_COMMIT,
                        "force an upload to disk before it appears under its name (--no-sync-on-commit: faster, "
                        + "a crash may lose it)").group(G_FILES),
                "syncOnCommit", (s, v) -> s.files.syncOnCommit(v), (s, c) -> s.fileConfig().syncOnCommit(), false);
        t.add(sizeOption("write-behind", "with sync on commit, flush an upload in the background every this much "
                        + "(0: only at the end)", 0, Long.MAX_VALUE, G_FILES),
                "writeBehindBytes", (s, v) -> s.files.writeBehindBytes(v), (s, c) -> s.fileConfig().writeBehindBytes(),
                false);
    }

    /** Quotas, stale uploads, read-ahead and hashing. */
    private static void registerQuotaAndDownloads(ServeOptions t) {
        t.add(sizeOption("default-quota-bytes", "bytes of files each user's home may hold; an upload that would pass "
                        + "it is refused (quota_exceeded; 0: no quota)", 0, Long.MAX_VALUE, G_FILES),
                "defaultQuotaBytes", (s, v) -> s.files.defaultQuotaBytes(v), (s, c) -> s.fileConfig().defaultQuotaBytes(),
                false);
        t.add(intOption("default-quota-files", "files each user's home may hold (0: no quota)", 0, Integer.MAX_VALUE,
                        G_FILES),
                "defaultQuotaFiles", (s, v) -> s.files.defaultQuotaFiles(v),
                (s, c) -> (int) Math.min(Integer.MAX_VALUE, s.fileConfig().defaultQuotaFiles()), false);
        t.add(Option.value("quota-rescan-interval", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "a home's usage counted longer ago than this is counted again at its next upload, which bounds "
                        + "drift from other writers such as servers sharing the root (0: count once, then keep track)")
                        .group(G_FILES),
                "quotaRescanIntervalMillis", (s, v) -> s.files.quotaRescanIntervalMillis(v),
                (s, c) -> s.fileConfig().quotaRescanIntervalMillis(), false);
        t.add(Option.value("temp-max-age", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "an unfinished upload untouched this long is deleted (it can be resumed until then)")
                        .group(G_FILES),
                "tempMaxAgeMillis", (s, v) -> s.files.tempMaxAgeMillis(v), (s, c) -> s.fileConfig().tempMaxAgeMillis(),
                false);
        t.add(Option.value("temp-sweep-interval", "DURATION", ValueType.duration(0, MAX_MILLIS), null,
                        "how often the tree is searched for stale unfinished uploads (0: never)").group(G_FILES),
                "tempSweepIntervalMillis", (s, v) -> s.files.tempSweepIntervalMillis(v),
                (s, c) -> s.fileConfig().tempSweepIntervalMillis(), false);
        t.add(sizeOption("read-ahead", "how far ahead of the socket a download's pages are read into memory by "
                        + "workers (0: off)", 0, Long.MAX_VALUE, G_FILES),
                "readAheadBytes", (s, v) -> s.files.readAheadBytes(v), (s, c) -> s.fileConfig().readAheadBytes(), false);
        t.add(sizeOption("read-ahead-window", "a download is sent in windows of this size, each warmed first",
                        4096, 1L << 30, G_FILES),
                "readAheadWindowBytes", (s, v) -> s.files.readAheadWindowBytes(v),
                (s, c) -> s.fileConfig().readAheadWindowBytes(), false);
        t.add(intOption("digest-cache-entries", "file digests remembered by version (about 200 bytes each)",
                        0, 1 << 24, G_FILES),
                "digestCacheEntries", (s, v) -> s.files.digestCacheEntries(v), (s, c) -> s.fileConfig().digestCacheEntries(),
                false);
        t.add(sizeOption("hash-buffer", "read size when hashing a file", 4096, 64 * Units.MIB, G_FILES),
                "hashBufferBytes", (s, v) -> s.files.hashBufferBytes(v.intValue()),
                (s, c) -> (long) s.fileConfig().hashBufferBytes(), false);
    }

    /** Listing and name limits, open downloads, upload buffers. */
    private static void registerNamesAndBuffers(ServeOptions t) {
        t.add(intOption("max-list-entries", "largest folder a listing answers; bigger ones get too_large", 1, 1 << 24,
                        G_FILES),
                "maxListEntries", (s, v) -> s.files.maxListEntries(v), (s, c) -> s.fileConfig().maxListEntries(), false);
        t.add(intOption("max-open-downloads-per-connection", "files one connection's downloads hold open; its further "
                        + "GETs wait their turn", 1, 1 << 16, G_FILES),
                "maxOpenDownloadsPerConnection", (s, v) -> s.files.maxOpenDownloadsPerConnection(v),
                (s, c) -> s.fileConfig().maxOpenDownloadsPerConnection(), false);
        t.add(intOption("max-open-downloads", "files all downloads hold open; one more GET is answered busy", 1, 1 << 24,
                        G_FILES),
                "maxOpenDownloads", (s, v) -> s.files.maxOpenDownloads(v), (s, c) -> s.fileConfig().maxOpenDownloads(), false);
        t.add(sizeOption("max-path", "longest request path, in bytes of UTF-8", 1, 1 << 16, G_FILES),
                "maxPathBytes", (s, v) -> s.files.maxPathBytes(v.intValue()), (s, c) -> (long) s.fileConfig().maxPathBytes(),
                false);
        t.add(sizeOption("max-name", "longest single name in a path, in bytes of UTF-8", 1, 4096, G_FILES),
                "maxNameBytes", (s, v) -> s.files.maxNameBytes(v.intValue()), (s, c) -> (long) s.fileConfig().maxNameBytes(),
                false);
        t.add(sizeOption("upload-buffer", "uploads are copied off the loop into buffers of this size", 4096,
                        64 * Units.MIB, G_FILES),
                "uploadBufferBytes", (s, v) -> s.files.uploadBufferBytes(v.intValue()),
                (s, c) -> (long) s.fileConfig().uploadBufferBytes(), false);
        t.add(intOption("upload-buffers-per-upload", "buffers one upload may hold before its connection is paused",
                        2, 1024, G_FILES),
                "uploadBuffersPerUpload", (s, v) -> s.files.uploadBuffersPerUpload(v),
                (s, c) -> s.fileConfig().uploadBuffersPerUpload(), false);
        t.add(Option.value("upload-direct-io-min", "SIZE", ServeTypes.sizeOrUnlimited(0), null,
                        "uploads this big are written with O_DIRECT, bypassing the page cache (unlimited = never)")
                        .group(G_FILES),
                "uploadDirectIoMinBytes", (s, v) -> s.files.uploadDirectIoMinBytes(v),
                (s, c) -> s.fileConfig().uploadDirectIoMinBytes(), false);
        t.add(intOption("max-pooled-upload-buffers", "free upload buffers kept for reuse", 0, 1 << 20, G_FILES),
                "maxPooledUploadBuffers", (s, v) -> s.files.maxPooledUploadBuffers(v),
                (s, c) -> s.fileConfig().maxPooledUploadBuffers(), false);
    }
}

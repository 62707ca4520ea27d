package ferry.loadtest;

import ferry.protocol.DigestAlgorithm;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A file server for benchmarks, run in its own JVM so it can be pinned to a core of its own:
 * prints {@code PORT n} when it listens and stops when its standard input closes (so the
 * orchestrator that started it stops it by closing the pipe, and it never outlives it).
 *
 * <p>{@code serve --root DIR [--read-ahead BYTES] [--no-sync] [--direct-min BYTES] [--upload-buffer BYTES]
 * [--upload-buffers N] [--write-budget BYTES] [--sndbuf BYTES]}
 */
final class FileBenchServer {
    private FileBenchServer() {}

    static int serve(String[] args) throws Exception {
        Path root = null;
        FileServiceConfig.Builder files = null;
        long readAhead = FileServiceConfig.DEFAULT_READ_AHEAD_BYTES;
        boolean sync = FileServiceConfig.DEFAULT_SYNC_ON_COMMIT;
        long directMin = FileServiceConfig.DEFAULT_UPLOAD_DIRECT_IO_MIN_BYTES;
        int uploadBuffer = FileServiceConfig.DEFAULT_UPLOAD_BUFFER_BYTES;
        int uploadBuffers = FileServiceConfig.DEFAULT_UPLOAD_BUFFERS_PER_UPLOAD;
        ServerConfig.Builder net = ServerConfig.builder().port(0);
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--read-ahead" -> readAhead = Long.parseLong(args[++i]);
                case "--no-sync" -> sync = false;
                case "--direct-min" -> directMin = Long.parseLong(args[++i]);
                case "--upload-buffer" -> uploadBuffer = Integer.parseInt(args[++i]);
                case "--upload-buffers" -> uploadBuffers = Integer.parseInt(args[++i]);
                case "--write-budget" -> net.maxBytesPerWriteEvent(Long.parseLong(args[++i]));
                case "--sndbuf" -> net.socketSendBufferBytes(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("serve: unknown option " + args[i]);
            }
        }
        if (root == null) {
            throw new IllegalArgumentException("serve: --root DIR is required");
        }
        files = FileServiceConfig.builder(root).readAheadBytes(readAhead).syncOnCommit(sync)
                .digestAlgorithm(DigestAlgorithm.SHA_256).uploadDirectIoMinBytes(directMin)
                .uploadBufferBytes(uploadBuffer).uploadBuffersPerUpload(uploadBuffers)
                .maxUploadsPerUser(FileServiceConfig.DEFAULT_MAX_CONCURRENT_UPLOADS)
                .maxUploadsPerAddress(FileServiceConfig.DEFAULT_MAX_CONCURRENT_UPLOADS); // see InProcessTarget
        FerryServer server = new FerryServer(net.build(), ServerLog.NONE);
        server.install(new FileService(files.build()));
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        InputStream in = System.in;
        try {
            while (in.read() >= 0) {
                // wait for the orchestrator to close the pipe
            }
        } catch (IOException ignored) {
            // the pipe broke: same as closed
        }
        server.stop(1, TimeUnit.SECONDS);
        return 0;
    }
}

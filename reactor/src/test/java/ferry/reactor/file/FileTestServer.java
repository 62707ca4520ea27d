package ferry.reactor.file;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A real server on 127.0.0.1, port 0, with the file service over {@code root}. */
final class FileTestServer implements AutoCloseable {
    final Path root;
    final FerryServer server;
    final FileService service;

    private FileTestServer(Path root, FerryServer server, FileService service) {
        this.root = root;
        this.server = server;
        this.service = service;
    }

    static FileTestServer start(Path root) throws Exception {
        return start(root, s -> { }, f -> { });
    }

    static FileTestServer start(Path root, Consumer<ServerConfig.Builder> server, Consumer<FileServiceConfig.Builder> files)
            throws Exception {
        return start(root, server, files, ServerLog.NONE);
    }

    /** As {@link #start(Path, Consumer, Consumer)}, logging to {@code log} (tests read what the server logged). */
    static FileTestServer start(Path root, Consumer<ServerConfig.Builder> server, Consumer<FileServiceConfig.Builder> files,
                                ServerLog log) throws Exception {
        ServerConfig.Builder sb = ServerConfig.builder().port(0);
        server.accept(sb);
        FileServiceConfig.Builder fb = FileServiceConfig.builder(root).tempSweepIntervalMillis(0);
        files.accept(fb);
        FerryServer s = new FerryServer(sb.build(), log);
        FileService svc = new FileService(fb.build());
        s.install(svc);
        s.start();
        return new FileTestServer(root, s, svc);
    }

    FerryClient connect() throws IOException {
        return FerryClient.connect("127.0.0.1", server.port());
    }

    FileClient files(FerryClient c) {
        return new FileClient(c);
    }

    @Override
    public void close() {
        server.stop(2, java.util.concurrent.TimeUnit.SECONDS);
    }
}

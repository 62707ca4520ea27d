package ferry.services.file;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.RequestObserver;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
        return start(root, server, files, log, false);
    }

    /** As {@link #start(Path, Consumer, Consumer, ServerLog)}, with {@code observers} of every finished request. */
    static FileTestServer start(Path root, Consumer<ServerConfig.Builder> server, Consumer<FileServiceConfig.Builder> files,
                                ServerLog log, RequestObserver... observers) throws Exception {
        return start(root, server, files, log, false, observers);
    }

    /**
     * As {@link #start(Path, Consumer, Consumer)}, with a {@value #TEST_LOGIN} op when
     * {@code testLogin}: {@code {"op":"TESTLOGIN","user":"bob","rights":"read,write"}} puts the
     * connection in bob's shoes with those rights, home the root unless a {@code "home"} names a
     * root-relative folder, with the user's own quota if {@code "quotaBytes"} and {@code "quotaFiles"}
     * are given (tests of what one user can do to another's files, without a user store).
     */
    static FileTestServer startWithTestLogin(Path root, Consumer<ServerConfig.Builder> server,
                                             Consumer<FileServiceConfig.Builder> files) throws Exception {
        return start(root, server, files, ServerLog.NONE, true);
    }

    static final String TEST_LOGIN = "TESTLOGIN";

    /** Logs {@code c} in as {@code user} with {@code rights} and home {@code home} (root-relative). */
    static void testLogin(FerryClient c, String user, String rights, String home) throws IOException {
        c.call(Header.op(TEST_LOGIN).put("user", user).put("rights", rights).put("home", home));
    }

    /** Logs {@code c} in as {@code user} with {@code rights} (a server from {@link #startWithTestLogin}). */
    static void testLogin(FerryClient c, String user, String rights) throws IOException {
        c.call(Header.op(TEST_LOGIN).put("user", user).put("rights", rights));
    }

    private static FileTestServer start(Path root, Consumer<ServerConfig.Builder> server,
                                        Consumer<FileServiceConfig.Builder> files, ServerLog log, boolean testLogin,
                                        RequestObserver... observers)
            throws Exception {
        ServerConfig.Builder sb = ServerConfig.builder().port(0);
        server.accept(sb);
        FileServiceConfig.Builder fb = FileServiceConfig.builder(root).tempSweepIntervalMillis(0);
        files.accept(fb);
        FerryServer s = new FerryServer(sb.build(), log);
        if (testLogin) {
            s.registerPublic(TEST_LOGIN, call -> {
                call.session().login(call.request().requireString("user"),
                        Right.parseList(call.request().requireString("rights")), call.request().optString("home"));
                if (call.request().has("quotaBytes")) { // as the auth service does for a user store's quota line
                    call.session().put(UserQuota.SESSION_KEY, new UserQuota(
                            call.request().requireLong("quotaBytes"), call.request().requireLong("quotaFiles")));
                }
                if (call.request().has("maxUploads")) { // as the auth service does for a user store's limits line
                    call.session().put(UserLimits.SESSION_KEY,
                            UserLimits.DEFAULTS.withUploads((int) call.request().requireLong("maxUploads")));
                }
                call.reply(Header.reply("OK", call.id()));
                return null;
            });
        }
        FileService svc = new FileService(fb.build());
        s.install(svc);
        for (RequestObserver o : observers) {
            s.addRequestObserver(o);
        }
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
        server.stop(2, TimeUnit.SECONDS);
    }
}

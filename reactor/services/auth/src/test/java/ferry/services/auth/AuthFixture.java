package ferry.services.auth;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.FakeClock;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import ferry.reactor.Session;
import ferry.reactor.UserQuota;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real server on 127.0.0.1:0 with a user store in a temp folder, the AuthService, a fake clock, a
 * log that tests can read, and stub ops: NEEDS_READ/WRITE/DELETE/EXEC (each requires its right),
 * WHOAMI (user, rights, home, the session's quota if any; needs login) and PROBE (allowed before login: how many answers the
 * throttle holds back right now, read when the request arrives).
 */
final class AuthFixture implements AutoCloseable {
    /** Fast for tests; the production default is 600,000. */
    static final int ITERATIONS = 4096;

    final Path dir;
    final UserStore store;
    final FakeClock clock = new FakeClock();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    AuthService auth;
    FerryServer server;
    /** More server settings (TLS) before the server is built. */
    UnaryOperator<ServerConfig.Builder> configure = b -> b;
    /** Runs on the built server before anything is installed (transport decorators). */
    Consumer<FerryServer> prepare = s -> { };

    AuthFixture(Path dir) {
        this.dir = dir;
        this.store = UserStore.inConfigDir(dir.resolve("config"));
    }

    AuthFixture user(String name, String password, Set<Right> rights, String home) throws IOException {
        PasswordHasher.Keys k = new PasswordHasher().hash(password.toCharArray(), ITERATIONS);
        store.update(u -> u.with(new UserRecord(name, k.iterations(), k.salt(), k.storedKey(), k.serverKey(), rights, home)));
        return this;
    }

    AuthFixture start(AuthSettings settings, boolean loginRequired) throws Exception {
        return start(settings, loginRequired, AuthService.randomNonces(new SecureRandom()));
    }

    AuthFixture start(AuthSettings settings, boolean loginRequired, AuthService.NonceSource nonces) throws Exception {
        ServerConfig.Builder config = ServerConfig.builder().port(0).clock(clock).loginRequired(loginRequired)
                .anonymousRights(Set.of(Right.READ))
                .handshakeTimeoutMillis(60 * 60 * 1000).idleTimeoutMillis(60 * 60 * 1000);
        config = configure.apply(config);
        ServerLog log = RecordingLog.lines(logLines, ServerLog.Level.DEBUG);
        server = new FerryServer(config.build(), log);
        prepare.accept(server);
        auth = new AuthService(store, settings, nonces);
        server.install(auth);
        for (Right r : Right.values()) {
            server.register("NEEDS_" + r.name(), call -> {
                call.session().require(r);
                call.reply(Header.reply("OK", call.id()));
                return null;
            });
        }
        server.register("WHOAMI", call -> {
            Session s = call.session();
            List<Object> rights = new ArrayList<>();
            s.rights().forEach(x -> rights.add(x.wireName()));
            Header who = Header.reply("OK", call.id()).put("user", s.user()).put("rights", rights).put("home", s.home());
            UserQuota q = s.get(UserQuota.SESSION_KEY);
            if (q != null) {
                who.put("quotaBytes", q.maxBytes()).put("quotaFiles", q.maxFiles());
            }
            call.reply(who);
            return (BodySink) null;
        });
        server.registerPublic("PROBE", call -> {
            call.reply(Header.reply("OK", call.id()).put("held", (long) auth.heldAnswers()));
            return null;
        });
        server.start();
        return this;
    }

    FerryClient connect() throws IOException {
        return FerryClient.connect("127.0.0.1", server.port());
    }

    /** Wakes the loop (a full round trip on a fresh connection) so timers due on the fake clock run. */
    void wakeLoop() throws IOException {
        try (FerryClient c = connect()) {
            c.ping();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0, TimeUnit.MILLISECONDS);
        }
    }
}

package ferry.services.admin;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AdminClient;
import ferry.client.AuthClient;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.AdminProtocol;
import ferry.protocol.CoreProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.ConnectionInfo;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.FerryServices;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WHO and KICK over a real loopback server with the standard services: who may, what they see, what a kick does. */
class AdminServiceTest {
    private static final int TEST_ITERATIONS = 4096;
    private static final char[] PASSWORD = "s3cret-pw".toCharArray();

    @TempDir
    Path dir;
    FerryServer server;

    @BeforeEach
    void start() throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        UserStore users = UserStore.inConfigDir(dir.resolve("config"));
        addUser(users, "alice", EnumSet.of(Right.READ, Right.ADMIN));
        addUser(users, "bob", Right.ALL);
        server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build(), ServerLog.NONE);
        FerryServices.standard(server, users, AuthSettings.defaults(), FileServiceConfig.builder(root).build(),
                ExecConfig.builder(root).build());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static void addUser(UserStore users, String name, Set<Right> rights) throws Exception {
        PasswordHasher.Keys k = new PasswordHasher().hash(PASSWORD, TEST_ITERATIONS);
        users.update(u -> u.with(new UserRecord(name, k.iterations(), k.salt(), k.storedKey(), k.serverKey(), rights, "")));
    }

    private FerryClient login(String user) throws Exception {
        FerryClient c = FerryClient.connect("127.0.0.1", server.port());
        c.hello();
        if (user != null) {
            new AuthClient(c).login(user, PASSWORD);
        }
        return c;
    }

    @Test
    void aUserWithoutTheAdminRightIsForbiddenAndLearnsNothing() throws Exception {
        try (FerryClient bob = login("bob"); FerryClient anon = login(null)) {
            for (Header req : List.of(Header.op(AdminProtocol.WHO), Header.op(AdminProtocol.KICK).put(AdminProtocol.CONNECTION, 1L))) {
                req.put(Header.ID, bob.nextId());
                bob.send(req);
                Header answer = bob.readHeader();
                assertEquals(CoreProtocol.ERROR, answer.op(), answer.toString());
                assertEquals(ErrorCode.FORBIDDEN, answer.getString("code", null));
                assertEquals(0, answer.size(), "no list in the body");
                assertFalse(answer.toString().contains("127.0.0.1"), "no address in the header: " + answer);
            }
            RemoteException unauthenticated = assertThrows(RemoteException.class, () -> new AdminClient(anon).who());
            assertEquals(ErrorCode.UNAUTHENTICATED, unauthenticated.code());
            assertEquals(2, server.admin().list().size(), "nobody was closed");
            assertTrue(bob.ping() > 0);
        }
    }

    @Test
    void anAdminSeesEveryConnectionWithItsUserAndAddress() throws Exception {
        try (FerryClient alice = login("alice"); FerryClient bob = login("bob")) {
            AdminClient.Who who = new AdminClient(alice).who();
            assertEquals(2, who.total());
            assertEquals(Set.of("alice", "bob"), who.connections().stream().map(AdminClient.LiveConnection::user)
                    .collect(Collectors.toSet()));
            List<ConnectionInfo> truth = server.admin().list();
            for (int i = 0; i < 2; i++) {
                AdminClient.LiveConnection row = who.connections().get(i);
                assertEquals(truth.get(i).id(), row.id());
                assertEquals(truth.get(i).address(), row.address());
                assertTrue(row.address().startsWith("127.0.0.1:"), row.address());
                assertTrue(row.bytesIn() > 0 && row.bytesOut() > 0, "HELLO and login crossed: " + row);
            }
            AdminClient.LiveConnection mine = who.connections().stream().filter(r -> r.user().equals("alice"))
                    .findFirst().orElseThrow();
            assertEquals(AdminProtocol.WHO, mine.op(), "the WHO in progress is alice's op");
            assertTrue(bob.ping() > 0);
        }
    }

    @Test
    void kickClosesTheTargetWithDroppedAndAnUnknownIdIsNotFound() throws Exception {
        try (FerryClient alice = login("alice"); FerryClient bob = login("bob")) {
            AdminClient admin = new AdminClient(alice);
            long bobId = admin.who().connections().stream().filter(r -> r.user().equals("bob"))
                    .findFirst().orElseThrow().id();
            admin.kick(bobId);
            Header last = bob.readHeader();
            assertEquals(CoreProtocol.ERROR, last.op());
            assertEquals(ErrorCode.DROPPED, last.getString("code", null));
            assertEquals(1, admin.who().total());

            RemoteException unknown = assertThrows(RemoteException.class, () -> admin.kick(bobId));
            assertEquals(ErrorCode.NOT_FOUND, unknown.code());
            RemoteException missing = assertThrows(RemoteException.class, () -> alice.call(Header.op(AdminProtocol.KICK)));
            assertEquals(ErrorCode.BAD_REQUEST, missing.code());
            assertTrue(alice.ping() > 0, "the admin's own connection goes on");
        }
    }

    @Test
    void aLimitCutsTheListAndSaysHowManyThereAre() throws Exception {
        try (FerryClient alice = login("alice"); FerryClient bob = login("bob")) {
            Header h = alice.call(Header.op(AdminProtocol.WHO).put(AdminProtocol.LIMIT, 1L));
            assertEquals(1, h.getLong(AdminProtocol.COUNT, -1));
            assertEquals(2, h.getLong(AdminProtocol.TOTAL, -1));
            alice.skipBody();
            RemoteException zero = assertThrows(RemoteException.class,
                    () -> alice.call(Header.op(AdminProtocol.WHO).put(AdminProtocol.LIMIT, 0L)));
            assertEquals(ErrorCode.BAD_REQUEST, zero.code());
            assertTrue(bob.ping() > 0);
        }
    }
}

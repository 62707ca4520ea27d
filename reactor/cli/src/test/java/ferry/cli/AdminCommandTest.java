package ferry.cli;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.admin.AdminEndpoint;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ferry admin} against a real server's admin endpoint on loopback. */
class AdminCommandTest {
    FerryServer server;
    AdminEndpoint endpoint;
    String at;

    @BeforeEach
    void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.start();
        endpoint = new AdminEndpoint(new InetSocketAddress("127.0.0.1", 0), server.admin(), ServerLog.NONE);
        endpoint.start();
        at = "127.0.0.1:" + endpoint.address().getPort();
    }

    @AfterEach
    void stop() {
        endpoint.close();
        server.stop(0, TimeUnit.MILLISECONDS);
    }

    @Test
    void listsAndDropsConnections() throws Exception {
        try (FerryClient a = FerryClient.connect("127.0.0.1", server.port());
             FerryClient b = FerryClient.connect("127.0.0.1", server.port())) {
            a.ping();
            b.ping();
            CliRunner.Result list = CliRunner.run("admin", "connections", "--admin", at);
            assertEquals(0, list.status(), list.err());
            assertEquals(2, list.out().lines().count(), list.out());
            assertTrue(list.out().contains("\"user\":\"anonymous\""), list.out());
            long id = server.admin().list().get(0).id();

            CliRunner.Result drop = CliRunner.run("admin", "drop", "c" + id, "--admin", at);
            assertEquals(0, drop.status(), drop.err());
            assertEquals(1, server.admin().list().size());
            CliRunner.Result again = CliRunner.run("admin", "drop", Long.toString(id), "--admin", at);
            assertEquals(1, again.status());
            assertTrue(again.err().contains("no connection " + id), again.err());

            CliRunner.Result user = CliRunner.run("admin", "drop-user", "anonymous", "--admin", at);
            assertEquals(0, user.status(), user.err());
            assertTrue(user.out().contains("closed 1 connections of anonymous"), user.out());
            assertEquals(0, server.admin().list().size());
        }
    }

    @Test
    void aMissingEndpointIsOneClearLine() {
        endpoint.close();
        CliRunner.Result r = CliRunner.run("admin", "connections", "--admin", at);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("cannot reach the admin endpoint") && r.err().contains("--admin-listen"), r.err());
        assertEquals(2, CliRunner.run("admin", "drop", "twelve", "--admin", at).status());
    }
}

package ferry.cli.remote;

import static org.junit.jupiter.api.Assertions.*;

import ferry.cli.CliRunner;
import ferry.client.AuthClient;
import ferry.client.FerryClient;
import ferry.protocol.CoreProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.ConnectionInfo;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.FerryServices;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.UserStore;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry admin who|kick} and {@code ferry top} in-process against a real server with the standard services. */
class AdminRemoteTest {
    @TempDir
    Path dir;
    FerryServer server;
    String host;

    @BeforeEach
    void start() throws Exception {
        addUser("alice", "alice-password", "read,admin");
        addUser("bob", "bob-password", "all");
        Path root = Files.createDirectories(dir.resolve("data"));
        server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build(), ServerLog.NONE);
        FerryServices.standard(server, UserStore.inConfigDir(dir.resolve("config")), AuthSettings.defaults(),
                FileServiceConfig.builder(root).build(), ExecConfig.builder(root).build());
        server.start();
        host = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void addUser(String name, String password, String rights) {
        CliRunner.Result r = CliRunner.run(password + "\n", Map.of(), "user", "add", name, "--rights", rights,
                "--password-stdin", "--iterations", "4096", "--config-dir", dir.resolve("config").toString());
        assertEquals(0, r.status(), r.err());
    }

    private CliRunner.Result as(String user, String... args) {
        return as(user, "", Map.of(), args);
    }

    private CliRunner.Result as(String user, String stdin, Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        env.put("FERRY_CONFIG", dir.resolve("no-such-config").toString());
        env.put("FERRY_USER", user);
        env.put("FERRY_PASSWORD", user + "-password");
        return CliRunner.run(stdin, env, args);
    }

    private FerryClient bob() throws Exception {
        FerryClient c = FerryClient.connect("127.0.0.1", server.port());
        c.hello();
        new AuthClient(c).login("bob", "bob-password".toCharArray());
        return c;
    }

    private long idOf(String user) {
        return server.admin().list().stream().filter(c -> user.equals(c.user())).mapToLong(ConnectionInfo::id)
                .findFirst().orElseThrow();
    }

    @Test
    void theRightIsStoredByNameAndAllDoesNotGiveIt() {
        CliRunner.Result list = CliRunner.run("user", "list", "--config-dir", dir.resolve("config").toString());
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("alice") && l.contains("read,admin")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("bob") && !l.contains("admin")), list.out());
    }

    @Test
    void whoListsEveryConnectionForAnAdminOnly() throws Exception {
        try (FerryClient bob = bob()) {
            CliRunner.Result who = as("alice", "admin", "who", host);
            assertEquals(0, who.status(), who.err());
            String bobLine = who.out().lines().filter(l -> l.contains(" bob ")).findFirst().orElseThrow(() ->
                    new AssertionError(who.out()));
            assertTrue(bobLine.startsWith("c" + idOf("bob") + " "), bobLine);
            assertTrue(bobLine.contains("127.0.0.1:"), bobLine);
            assertTrue(who.out().lines().anyMatch(l -> l.contains(" alice ") && l.contains(" WHO ")), who.out());

            CliRunner.Result json = as("alice", "admin", "who", host, "--json");
            assertEquals(0, json.status(), json.err());
            assertTrue(json.out().contains("\"user\":\"bob\""), json.out());

            CliRunner.Result refused = as("bob", "admin", "who", host);
            assertEquals(1, refused.status());
            assertTrue(refused.err().contains("bob may not see or close connections") && refused.err().contains("admin right"),
                    refused.err());
            assertEquals("", refused.out(), "a refused user sees no list");
            assertTrue(bob.ping() > 0);
        }
    }

    @Test
    void kickDropsTheConnectionAndAnUnknownIdIsOneClearLine() throws Exception {
        try (FerryClient bob = bob()) {
            long id = idOf("bob");
            CliRunner.Result kick = as("alice", "admin", "kick", host, "c" + id);
            assertEquals(0, kick.status(), kick.err());
            assertEquals("closed connection " + id + "\n", kick.out());
            Header last = bob.readHeader();
            assertEquals(CoreProtocol.ERROR, last.op());
            assertEquals(ErrorCode.DROPPED, last.getString("code", null));

            CliRunner.Result again = as("alice", "admin", "kick", host, Long.toString(id));
            assertEquals(1, again.status());
            assertTrue(again.err().contains("no connection " + id + " on " + host), again.err());
            assertEquals(2, as("alice", "admin", "kick", host, "twelve").status(), "a usage error");
        }
    }

    @Test
    void topOffATerminalPrintsOneTableAndExits() throws Exception {
        try (FerryClient bob = bob()) {
            CliRunner.Result top = as("alice", "top", host, "--interval", "100ms");
            assertEquals(0, top.status(), top.err());
            assertFalse(top.out().contains("\033["), "no screen control off a terminal");
            assertTrue(top.out().startsWith("ferry top - " + host), top.out());
            assertTrue(top.out().contains("RATE"), top.out());
            assertTrue(top.out().lines().anyMatch(l -> l.startsWith("c" + idOf("bob") + " ") && l.contains("B/s")), top.out());
            assertEquals(1, as("bob", "top", host, "--interval", "100ms").status(), "top needs the admin right too");
        }
    }

    @Test
    void topOnATerminalDrawsAScreenAndEndsOnQ() throws Exception {
        try (FerryClient bob = bob()) {
            // stdout a terminal, stdin not (no stty): the q waiting in stdin ends it after the first screen
            CliRunner.Result top = as("alice", "q", Map.of("FERRY_STDOUT_TTY", "1"), "top", host, "--interval", "1h");
            assertEquals(0, top.status(), top.err());
            assertTrue(top.out().startsWith(TopCommand.CLEAR_SCREEN + "ferry top - " + host), top.out());
            assertEquals(1, top.out().split("\033\\[H", -1).length - 1, "one screen: " + top.out());
            assertTrue(top.out().contains(" bob "), top.out());
        }
    }
}

package ferry.cli.remote;

import ferry.cli.Launcher;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.services.auth.AuthService;
import ferry.services.auth.DemoUser;
import ferry.services.auth.UserStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Login as users meet it: {@code ferry user}, {@code ferry serve} and the clients through {@code bin/ferry}. */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LoginLauncherTest {
    private static final Pattern DEMO_CREATED = Pattern.compile(
            "^created demo user \"demo\" with password (\\S+) \\(saved in (\\S+); .*\\)$");

    @TempDir
    Path dir;

    /** No credentials from the machine running the tests: its home folder and ./config are out of the way. */
    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        env.put("FERRY_CONFIG", dir.resolve("no-such-config").toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static void assertOneLine(Launcher.Result r, int status, String line) {
        assertEquals(status, r.status(), r.err());
        assertEquals(List.of(line), r.errLines(), "exactly one line on stderr");
        assertEquals("", r.out());
    }

    @Test
    void usersMakeServeRequireLoginAndClientsLogInWithTheirCredentials() throws Exception {
        Launcher.Result add = Launcher.run(dir, "alice-password\n", env(), "user", "add", "alice", "--password-stdin",
                "--iterations", "4096", "--config-dir", "cfg");
        assertEquals(0, add.status(), add.err());
        assertTrue(add.out().startsWith("added user alice (rights read,write,delete, home /) to "), add.out());
        Launcher.Result bob = Launcher.run(dir, "bob-password\n", env(), "user", "add", "bob", "--rights", "read",
                "--password-stdin", "--iterations", "4096", "--config-dir", "cfg");
        assertEquals(0, bob.status(), bob.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cfg/users"))));

        try (Launcher.Server server = Launcher.Server.start(dir, "--root", "files", "--config-dir", "cfg")) {
            server.assertLogged("INFO  access: login required (2 users)");
            String host = server.host();

            Launcher.Result info = Launcher.run(dir, "", env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-password"),
                    "info", host);
            assertEquals(0, info.status(), info.err());
            assertTrue(info.out().contains("\nlogin       required\n"), info.out());
            assertTrue(info.out().contains("\nuser        alice (rights read, write, delete; home /)\n"), info.out());

            assertOneLine(Launcher.run(dir, "", env("FERRY_USER", "alice", "FERRY_PASSWORD", "not-her-password"),
                    "info", host), 1, "ferry info: login failed for alice: wrong user name or password");
            assertOneLine(Launcher.run(dir, "", env("FERRY_PASSWORD", "any-password"), "info", "mallory@" + host),
                    1, "ferry info: login failed for mallory: wrong user name or password");

            Launcher.Result noCredentials = Launcher.run(dir, "whoami\n", env(), "shell", host);
            assertEquals(1, noCredentials.status());
            assertEquals(1, noCredentials.errLines().size(), noCredentials.err());
            assertTrue(noCredentials.err().startsWith("ferry shell: " + host + " requires login: no credentials"),
                    noCredentials.err());

            Path cred = dir.resolve("bob.cred");
            Files.writeString(cred, "user=bob\npassword=bob-password\n");
            Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-r-----"));
            Launcher.Result tooOpen = Launcher.run(dir, "whoami\n", env(), "shell", "--credentials", "bob.cred", host);
            assertEquals(1, tooOpen.status());
            assertEquals(1, tooOpen.errLines().size(), tooOpen.err());
            assertTrue(tooOpen.err().contains("can be read by other users") && tooOpen.err().contains("chmod 600 bob.cred"),
                    tooOpen.err());
            Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-------"));
            Launcher.Result asBob = Launcher.run(dir, "whoami\n", env(), "shell", "--credentials", "bob.cred", host);
            assertEquals(0, asBob.status(), asBob.err());
            assertEquals("bob (rights read; home /)\n", asBob.out());

            Launcher.Result del = Launcher.run(dir, "", env(), "user", "del", "bob", "--config-dir", "cfg");
            assertEquals(0, del.status(), del.err());
            Launcher.Result list = Launcher.run(dir, "", env(), "user", "list", "--config-dir", "cfg");
            assertEquals(0, list.status(), list.err());
            assertTrue(list.out().matches("NAME +RIGHTS +QUOTA +HOME\nalice +read,write,delete +server default +/\n"), list.out());
            server.assertLogged("login failed for user \"alice\"");
            assertFalse(server.log().contains("not-her-password"), "never the password");
        }
    }

    /**
     * A real terminal (util-linux {@code script}) with stdout redirected to a file, where Java has no
     * console: the password prompt goes to /dev/tty with echo off, and what is typed never shows.
     */
    @Test
    void thePasswordPromptOnATerminalDoesNotEcho() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "util-linux 'script' is needed to fake a terminal");
        Launcher.Result add = Launcher.run(dir, "alice-password\n", env(), "user", "add", "alice", "--password-stdin",
                "--iterations", "4096", "--config-dir", "cfg");
        assertEquals(0, add.status(), add.err());
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build());
        server.install(new AuthService(UserStore.inConfigDir(dir.resolve("cfg"))));
        server.start();
        try {
            Path out = dir.resolve("shell-out.txt");
            String cmd = Launcher.script() + " shell -u alice 127.0.0.1:" + server.port() + " > " + out;
            ProcessBuilder pb = Launcher.builder(dir, env(), List.of());
            pb.command(List.of(script.toString(), "-qec", cmd, "/dev/null"));
            Process p = pb.redirectErrorStream(true).start();
            InputStream tty = p.getInputStream();
            String seen = readUntil(tty, "Password for alice: ");
            OutputStream keys = p.getOutputStream();
            keys.write("alice-password\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            seen += readUntil(tty, "\n"); // the line end the prompter prints for the unechoed Enter
            keys.write("whoami\nquit\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            seen += new String(tty.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), seen);
            assertFalse(seen.contains("alice-password"), "the password is not echoed: " + seen);
            assertTrue(Files.readString(out).contains("alice (rights read, write, delete; home /)\n"),
                    Files.readString(out));
        } finally {
            server.stop();
        }
    }

    /** Reads {@code in} until {@code marker} has been seen; returns everything read. */
    private static String readUntil(InputStream in, String marker) throws java.io.IOException {
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            if (seen.toString(StandardCharsets.UTF_8).endsWith(marker)) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }
        fail("the terminal closed before '" + marker + "': " + seen.toString(StandardCharsets.UTF_8));
        return null;
    }

    @Test
    void offLoopbackWithoutUsersServeRefusesUnlessAnonymousRead() throws Exception {
        Launcher.Result refused = Launcher.run(dir, "", env(), "serve", "--listen", "0.0.0.0:0", "--root", "r",
                "--create-root", "--config-dir", "c");
        assertEquals(1, refused.status(), refused.err());
        assertEquals(1, refused.errLines().size(), refused.err());
        assertTrue(refused.err().startsWith("ferry serve: refusing to listen on 0.0.0.0 without login: there are no "
                + "users. Create one with `ferry user add NAME`, or pass --anonymous-read"), refused.err());
        assertTrue(refused.err().endsWith("/c/users)\n"), refused.err());
        assertFalse(Files.exists(dir.resolve("r")), "a refused server leaves no root folder behind");

        try (Launcher.Server server = Launcher.Server.start(dir, "--listen", "0.0.0.0:0", "--anonymous-read",
                "--root", "r", "--config-dir", "c")) {
            assertTrue(server.listeningLine.contains(" listening on 0.0.0.0:"), server.listeningLine);
            server.assertLogged("access: no users: anyone who can connect to 0.0.0.0 may read");
            Launcher.Result info = Launcher.run(dir, "", env(), "info", server.host());
            assertEquals(0, info.status(), info.err());
            assertTrue(info.out().contains("\nlogin       optional\nuser        anonymous\n"), info.out());
        }
    }

    @Test
    void theDemoUserIsCreatedOnceWithItsPasswordOutsideTheRoot() throws Exception {
        Path config = dir.resolve("config");
        String password;
        try (Launcher.Server first = Launcher.Server.start(dir, "--root", "data", "--config-dir", "config", "--demo-user")) {
            assertEquals(1, first.before.size(), "one line about the demo user: " + first.before);
            Matcher m = DEMO_CREATED.matcher(first.before.get(0));
            assertTrue(m.matches(), first.before.get(0));
            password = m.group(1);
            Path file = config.resolve(DemoUser.CREDENTIALS_FILE_NAME);
            assertEquals(file.toRealPath(), Path.of(m.group(2)).toRealPath());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(Files.readString(file).contains("\npassword=" + password + "\n"));
            assertFalse(file.toRealPath().startsWith(first.root.toRealPath()), "never downloadable");
            first.assertLogged("access: login required (1 user)");
            assertFalse(first.log().contains(password), "the log never shows the password");
        }
        try (Launcher.Server again = Launcher.Server.start(dir, "--root", "data", "--config-dir", "config", "--demo-user")) {
            assertEquals(List.of("demo user \"demo\": its password is in "
                    + config.toAbsolutePath().resolve(DemoUser.CREDENTIALS_FILE_NAME)), again.before, "printed once");
        }
        Launcher.Result inside = Launcher.run(dir, "", env(), "serve", "--root", "data", "--config-dir", "data/config");
        assertEquals(1, inside.status());
        assertEquals(1, inside.errLines().size(), inside.err());
        assertTrue(inside.err().contains("is inside the served root"), inside.err());
    }
}

package ferry.cli.remote;

import ferry.cli.command.Command;
import ferry.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.CredentialsResolver;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.auth.AuthService;
import ferry.services.auth.DemoUser;
import ferry.services.auth.UserStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client side of login, in-process against a real server with the login service: where
 * credentials come from, when commands log in, the one-line errors, the shell's login and whoami.
 * (LoginLauncherTest covers the same through bin/ferry.)
 */
public class LoginTest {
    @TempDir
    Path dir;

    private FerryServer server;
    private String host;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** A server on 127.0.0.1:0 with users alice and bob (login required) or, with {@code optional}, anonymous read. */
    private void start(boolean optional) throws Exception {
        addUser("alice", "alice-password", "read,write,delete");
        addUser("bob", "bob-password", "read");
        ServerConfig.Builder b = ServerConfig.builder().port(0);
        b = optional ? b.anonymousRights(EnumSet.of(Right.READ)) : b.loginRequired(true);
        server = new FerryServer(b.build());
        server.install(new AuthService(UserStore.inConfigDir(dir.resolve("config"))));
        server.start();
        host = "127.0.0.1:" + server.port();
    }

    private void addUser(String name, String password, String rights) {
        CliRunner.Result r = CliRunner.run(password + "\n", Map.of(), "user", "add", name, "--rights", rights,
                "--password-stdin", "--iterations", "4096", "--config-dir", dir.resolve("config").toString());
        assertEquals(0, r.status(), r.err());
    }

    /** An environment with no credentials anywhere but what the test adds. */
    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        env.put("FERRY_CONFIG", dir.resolve("no-such-config").toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static CliRunner.Result run(Map<String, String> env, String... args) {
        return CliRunner.run("", env, args);
    }

    @Test
    void infoLogsInWithEnvironmentCredentialsAndShowsTheRights() throws Exception {
        start(false);
        CliRunner.Result r = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-password"), "info", host);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("login       required\n"), r.out());
        assertTrue(r.out().contains("user        alice (rights read, write, delete; home /)\n"), r.out());
        assertTrue(r.out().contains(AuthService.FEATURE), r.out());

        CliRunner.Result none = run(env(), "info", host);
        assertEquals(0, none.status(), "info works without login: " + none.err());
        assertTrue(none.out().contains("user        (not logged in; name a user to log in"), none.out());
        CliRunner.Result ping = run(env(), "ping", "-c", "1", host);
        assertEquals(0, ping.status(), "PING needs no login: " + ping.err());
    }

    /**
     * The keys PBKDF2 derived are kept (owner-only, no password) and the next command logs in with
     * them; a wrong password is not let in by them, and a password changed on the server (new salt)
     * derives afresh.
     */
    @Test
    void theSecondLoginUsesTheKeptKeysInsteadOfPbkdf2() throws Exception {
        start(false);
        Map<String, String> alice = env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-password");
        String kept = "ferry: logged in with the keys kept in ";
        CliRunner.Result first = run(alice, "--verbose", "info", host);
        assertEquals(0, first.status(), first.err());
        assertFalse(first.err().contains(kept), first.err());
        assertTrue(first.err().contains("ferry: kept the login keys for alice on " + host), first.err());
        Path cache = dir.resolve("xdg/ferry/scram-keys");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        assertFalse(Files.readString(cache).contains("alice-password"), "never the password");

        CliRunner.Result second = run(alice, "--verbose", "info", host);
        assertEquals(0, second.status(), second.err());
        assertTrue(second.err().contains(kept + cache + " (no PBKDF2)"), second.err());
        assertTrue(second.out().contains("user        alice (rights read, write, delete; home /)\n"), second.out());

        CliRunner.Result wrong = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "not-alices"), "--verbose", "info", host);
        assertEquals(1, wrong.status(), "the kept keys are for the right password only: " + wrong.err());
        assertFalse(wrong.err().contains(kept), wrong.err());

        CliRunner.Result passwd = CliRunner.run("alice-new-password\n", Map.of(), "user", "passwd", "alice",
                "--password-stdin", "--iterations", "4096", "--config-dir", dir.resolve("config").toString());
        assertEquals(0, passwd.status(), passwd.err());
        CliRunner.Result changed = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-new-password"),
                "--verbose", "info", host);
        assertEquals(0, changed.status(), changed.err());
        assertFalse(changed.err().contains(kept), "a new salt: derived afresh: " + changed.err());
        CliRunner.Result again = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-new-password"),
                "--verbose", "info", host);
        assertTrue(again.err().contains(kept), again.err());
    }

    @Test
    void aRefusedLoginIsOneLineAndTheSameForAWrongPasswordAndAnUnknownUser() throws Exception {
        start(false);
        CliRunner.Result wrong = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "nope-nope"), "info", host);
        assertEquals(Command.EXIT_FAILURE, wrong.status());
        assertEquals("ferry info: login failed for alice: wrong user name or password\n", wrong.err());
        assertEquals("", wrong.out());
        CliRunner.Result unknown = run(env("FERRY_PASSWORD", "whatever1"), "info", "mallory@" + host);
        assertEquals(Command.EXIT_FAILURE, unknown.status());
        assertEquals("ferry info: login failed for mallory: wrong user name or password\n", unknown.err());
        CliRunner.Result shell = run(env("FERRY_USER", "bob", "FERRY_PASSWORD", "wrong-again"), "shell", host);
        assertEquals("ferry shell: login failed for bob: wrong user name or password\n", shell.err());
    }

    @Test
    void theShellLogsInWhereRequiredAndSaysWhatIsMissingWithoutATerminal() throws Exception {
        start(false);
        CliRunner.Result none = CliRunner.run("whoami\n", env(), "shell", host);
        assertEquals(Command.EXIT_FAILURE, none.status());
        assertEquals(1, none.err().lines().count(), none.err());
        assertTrue(none.err().startsWith("ferry shell: " + host + " requires login: no credentials: set FERRY_USER and "
                + "FERRY_PASSWORD"), none.err());

        CliRunner.Result bob = CliRunner.run("whoami\n", env("FERRY_PASSWORD", "bob-password"), "shell", "bob@" + host);
        assertEquals(0, bob.status(), bob.err());
        assertEquals("bob (rights read; home /)\n", bob.out());

        assertEquals(Command.EXIT_USAGE, run(env(), "info", "--user", "alice", "bob@" + host).status(),
                "--user and user@ disagree");
    }

    @Test
    void aPromptAsksAgainAfterAWrongPasswordAndLoginSwitchesUsers() throws Exception {
        start(false);
        Deque<String> typed = new ArrayDeque<>(List.of("alice", "typo-typo", "alice-password", "bob-password",
                "guess-one", "guess-two", "guess-three"));
        List<String> prompts = new ArrayList<>();
        CredentialsResolver.Prompter terminal = new CredentialsResolver.Prompter() {
            @Override
            public String readLine(String prompt) {
                prompts.add(prompt);
                return typed.removeFirst();
            }

            @Override
            public char[] readPassword(String prompt) {
                prompts.add(prompt);
                return typed.removeFirst().toCharArray();
            }
        };
        CliRunner.Result r = CliRunner.run("whoami\nlogin bob\nwhoami\nlogin mallory\nwhoami\n",
                env("FERRY_STDIN_TTY", "0"), terminal, "shell", host);
        assertEquals(List.of("Ferry user: ", "Password for alice: ", "Password for alice: ", "Password for bob: ",
                "Password for mallory: ", "Password for mallory: ", "Password for mallory: "), prompts,
                "three tries, then give up (the server would close the connection after five)");
        assertEquals(String.join("\n",
                "alice (rights read, write, delete; home /)",
                "logged in to " + host + " as bob (rights read; home /)",
                "bob (rights read; home /)",
                "bob (rights read; home /)") + "\n", r.out());
        assertTrue(r.err().startsWith("ferry: wrong user name or password; try again\n"), r.err());
        assertTrue(r.err().contains("ferry shell: line 4: login failed for mallory: wrong user name or password\n"),
                "a failed login keeps the session as it was: " + r.err());
    }

    @Test
    void credentialsFilesMustBeOwnerOnly() throws Exception {
        start(false);
        Path file = dir.resolve("alice.cred");
        Files.writeString(file, "user=alice\npassword=alice-password\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        CliRunner.Result open = run(env(), "info", "--credentials", file.toString(), host);
        assertEquals(Command.EXIT_FAILURE, open.status());
        assertEquals(1, open.err().lines().count(), open.err());
        assertTrue(open.err().contains("can be read by other users") && open.err().contains("chmod 600 " + file),
                open.err());

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        CliRunner.Result ok = run(env(), "info", "--credentials", file.toString(), host);
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("user        alice (rights"), ok.out());

        Path xdg = dir.resolve("xdg/ferry/credentials");
        Files.createDirectories(xdg.getParent());
        Files.copy(file, xdg);
        CliRunner.Result byDefault = CliRunner.run("whoami\n", env(), "shell", host);
        assertEquals("alice (rights read, write, delete; home /)\n", byDefault.out(), "the default file: " + byDefault.err());
    }

    @Test
    void makeRunsDemoCredentialsAreUsedForALoopbackServerOnly() throws Exception {
        Path config = dir.resolve("config");
        UserStore store = UserStore.inConfigDir(config);
        DemoUser.Created demo = DemoUser.ensure(store, config, true, 4096).orElseThrow();
        server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).build());
        server.install(new AuthService(store));
        server.start();
        host = "127.0.0.1:" + server.port();
        Map<String, String> env = env("FERRY_CONFIG", config.toString());

        CliRunner.Result shell = CliRunner.run("whoami\n", env, "shell", host);
        assertEquals(0, shell.status(), shell.err());
        assertEquals("demo (rights read, write, delete; home /)\n", shell.out());
        assertEquals(demo.credentialsFile(), ScramLogin.demoCredentials(env).toAbsolutePath());

        Remote elsewhere = Remote.parseHost("nas.example:7373");
        assertEquals(CredentialsResolver.defaultFile(env), ScramLogin.fallbackFile(env, elsewhere),
                "never sent to another machine");
        Remote alice = Remote.parseHost("alice@127.0.0.1:7373");
        assertEquals(CredentialsResolver.defaultFile(env), ScramLogin.fallbackFile(env, alice),
                "not when another user is asked for");
        assertEquals(demo.credentialsFile(), ScramLogin.fallbackFile(env, Remote.parseHost("localhost")).toAbsolutePath());
    }

    @Test
    void onAServerWithOptionalLoginCommandsLogInOnlyWhenAUserIsNamed() throws Exception {
        start(true);
        CliRunner.Result anonymous = CliRunner.run("whoami\n", env(), "shell", host);
        assertEquals(0, anonymous.status(), anonymous.err());
        assertEquals("anonymous (not logged in; 'login USER' to log in)\n", anonymous.out());

        CliRunner.Result named = CliRunner.run("whoami\n", env("FERRY_PASSWORD", "alice-password"), "shell", "-u", "alice",
                host);
        assertEquals("alice (rights read, write, delete; home /)\n", named.out(), named.err());
        CliRunner.Result info = run(env("FERRY_USER", "alice", "FERRY_PASSWORD", "alice-password"), "info", host);
        assertTrue(info.out().contains("user        alice (rights"), "FERRY_USER names a user: " + info.out());
    }
}

package ferry.cli.serve;

import ferry.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.CredentialsResolver;
import ferry.reactor.Right;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class UserCommandTest {
    @TempDir
    Path dir;

    String out;
    String err;

    private int run(String stdin, String... args) {
        return run(stdin, null, args);
    }

    /** Runs {@code ferry user ARGS --config-dir DIR/config} (and cheap PBKDF2 where a password is set). */
    private int run(String stdin, CredentialsResolver.Prompter terminal, String... args) {
        List<String> all = new ArrayList<>(List.of("user"));
        all.addAll(List.of(args));
        if (args.length > 0 && !args[0].startsWith("-")) {
            all.addAll(List.of("--config-dir", dir.resolve("config").toString()));
        }
        if (args.length > 0 && (args[0].equals("add") || args[0].equals("passwd"))) {
            all.addAll(List.of("--iterations", "4096")); // tests keep PBKDF2 fast
        }
        CliRunner.Result r = CliRunner.run(stdin, Map.of(), terminal, all.toArray(String[]::new));
        out = r.out();
        err = r.err();
        return r.status();
    }

    private UserStore store() {
        return UserStore.inConfigDir(dir.resolve("config"));
    }

    private UserRecord user(String name) throws Exception {
        return store().load().get(name).orElseThrow();
    }

    /** PROTOCOL.md "Iterations": a server stores only counts that clients accept, 4096 to 10,000,000. */
    @Test
    void iterationsOutsideWhatClientsAcceptAreAUsageError() throws Exception {
        for (String n : List.of("4095", "10000001", "0")) {
            CliRunner.Result r = CliRunner.run("carol-password\n", Map.of(), "user", "add", "carol", "--password-stdin",
                    "--iterations", n, "--config-dir", dir.resolve("config").toString());
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("out of range (4096 to 10000000)"), r.err());
        }
        assertFalse(Files.exists(store().file()), "nothing was stored");
    }

    @Test
    void addListPasswdSetDel() throws Exception {
        assertEquals(0, run("alice-password\n", "add", "alice", "--password-stdin"), err);
        assertTrue(out.contains("added user alice (rights read,write,delete, home /)"), out);
        assertEquals(0, run("bob-password\r\n", "add", "bob", "--rights", "read", "--home", "/bob/", "--password-stdin"), err);
        assertEquals(EnumSet.of(Right.READ), user("bob").rights());
        assertEquals("bob", user("bob").home());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store().file())));

        assertEquals(0, run("", "list"), err);
        assertTrue(out.matches("(?s)NAME +RIGHTS +QUOTA +HOME\nalice +read,write,delete +server default +/\n"
                + "bob +read +server default +/bob\n"), out);
        assertFalse(Files.readString(store().file()).contains("alice-password"));

        byte[] oldKey = user("alice").storedKey();
        assertEquals(0, run("new-alice-password\n", "passwd", "alice", "--password-stdin"), err);
        assertFalse(Arrays.equals(oldKey, user("alice").storedKey()));
        assertEquals(EnumSet.of(Right.READ, Right.WRITE, Right.DELETE), user("alice").rights(), "passwd keeps rights");

        assertEquals(0, run("", "set", "alice", "--rights", "read,exec", "--home", "shared"), err);
        assertEquals(EnumSet.of(Right.READ, Right.EXEC), user("alice").rights());
        assertEquals("shared", user("alice").home());

        assertEquals(0, run("", "del", "bob"), err);
        assertFalse(store().load().contains("bob"));
        assertEquals(0, run("", "list"), err);
        assertFalse(out.contains("bob"));
    }

    /** A home folder that does not exist would make every command of the user fail: created, or warned about. */
    @Test
    void aMissingHomeFolderIsCreatedWhenTheRootIsKnownElseWarnedAbout() throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        assertEquals(0, run("bob-password\n", "add", "bob", "--home", "/bob", "--root", root.toString(),
                "--password-stdin"), err);
        assertTrue(Files.isDirectory(root.resolve("bob")), "created in the root");
        assertTrue(out.startsWith("created the home folder " + root.resolve("bob") + "\n"), out);
        assertEquals("", err);

        assertEquals(0, run("", "set", "bob", "--home", "/carol"), err);
        assertEquals("ferry user set: warning: cannot check that the home folder /carol exists (the server's root is "
                + "unknown: give --root DIR, or --config FILE, to have it created); bob's commands fail until it does\n",
                err);

        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "root = data\nconfig-dir = config\n");
        CliRunner.Result r = CliRunner.run("dave-password\n", Map.of(), "user", "add", "dave", "--home", "team/dave",
                "--config", conf.toString(), "--password-stdin", "--iterations", "4096");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.isDirectory(root.resolve("team/dave")), "the root of the serve config file");
        assertEquals("team/dave", user("dave").home());

        Files.writeString(root.resolve("file"), "x");
        assertEquals(1, run("", "set", "bob", "--home", "/file", "--root", root.toString()));
        assertEquals("ferry user set: the home folder " + root.resolve("file") + " is not a folder; nothing changed\n", err);
        assertEquals("carol", user("bob").home(), "unchanged");
    }

    @Test
    void quotasAreSetOnAddAndSetAndListed() throws Exception {
        assertEquals(0, run("carol-password\n", "add", "carol", "--quota-bytes", "10g", "--password-stdin"), err);
        assertTrue(out.contains("added user carol (rights read,write,delete, home /, quota 10g bytes, default files)"), out);
        assertEquals(new UserQuota(10L << 30, UserQuota.SERVER_DEFAULT), user("carol").quota());

        assertEquals(0, run("", "set", "carol", "--quota-files", "1000"), err);
        assertEquals(new UserQuota(10L << 30, 1000), user("carol").quota(), "set changes only what it names");
        assertTrue(out.contains("quota 10g bytes, 1000 files"), out);
        assertEquals(0, run("", "set", "carol", "--quota-bytes", "0"), err);
        assertEquals(0, run("", "list"), err);
        assertTrue(out.contains("unlimited bytes, 1000 files"), out);
        assertEquals(0, run("", "set", "carol", "--quota-bytes", "default", "--quota-files", "default"), err);
        assertEquals(UserQuota.DEFAULTS, user("carol").quota());
        assertFalse(Files.readString(store().file()).contains("\nquota "), "back to the server's: no quota line");

        assertEquals(2, run("", "set", "carol", "--quota-files", "1k"), "a count of files, not a size");
        assertEquals(2, run("", "set", "carol", "--quota-bytes", "-1"));
    }

    @Test
    void limitsAreSetOnAddAndSetAndListed() throws Exception {
        assertEquals(0, run("carol-password\n", "add", "carol", "--max-sessions", "3", "--password-stdin"), err);
        assertTrue(out.contains("limits sessions 3, uploads default, exec default"), out);
        assertEquals(UserLimits.DEFAULTS.withSessions(3), user("carol").limits());

        assertEquals(0, run("", "set", "carol", "--max-exec", "0", "--max-uploads", "2"), err);
        assertEquals(new UserLimits(3, 2, 0), user("carol").limits(), "set changes only what it names");
        assertEquals(0, run("", "list"), err);
        assertTrue(out.contains("(limits: sessions 3, uploads 2, exec unlimited)"), out);
        assertEquals(0, run("", "set", "carol", "--max-sessions", "default", "--max-uploads", "default",
                "--max-exec", "default"), err);
        assertEquals(UserLimits.DEFAULTS, user("carol").limits());
        assertFalse(Files.readString(store().file()).contains("\nlimits "), "back to the server's: no limits line");
        assertEquals(0, run("", "set", "carol", "--max-download-rate", "10m"), err);
        assertEquals(10L << 20, user("carol").limits().downloadRate());
        assertTrue(out.contains("download 10m/s"), out);
        assertEquals(0, run("", "set", "carol", "--max-download-rate", "default"), err);
        assertEquals(2, run("", "set", "carol", "--max-sessions", "-1"));
        assertEquals(2, run("", "set", "carol", "--max-exec", "many"));
    }

    @Test
    void failuresExitOneWithOneLine() throws Exception {
        assertEquals(0, run("alice-password\n", "add", "alice", "--password-stdin"));
        assertEquals(1, run("alice-password\n", "add", "alice", "--password-stdin"));
        assertTrue(err.contains("already exists") && err.strip().lines().count() == 1, err);
        assertEquals(1, run("", "del", "nobody"));
        assertTrue(err.contains("no user nobody"), err);
        assertEquals(1, run("x\n", "passwd", "nobody", "--password-stdin"));
        assertEquals(1, run("short\n", "add", "bob", "--password-stdin"));
        assertTrue(err.contains("shorter than 8"), err);
        assertEquals(1, run("", "add", "bob", "--password-stdin"));
        assertTrue(err.contains("no password on stdin"), err);
        assertEquals(1, run("", "add", "bob"));
        assertTrue(err.contains("--password-stdin"), "no terminal: point to the script way: " + err);
        assertFalse(store().load().contains("bob"));

        Files.setPosixFilePermissions(store().file(), PosixFilePermissions.fromString("rw-rw-r--"));
        assertEquals(1, run("", "list"));
        assertTrue(err.contains("chmod 600"), err);
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, run("", "frob"));
        assertEquals(2, run("", "add"));
        assertEquals(2, run("", "add", "-rf"));
        assertEquals(2, run("", "add", "anonymous", "--password-stdin"));
        assertEquals(2, run("", "add", "bob", "--rights", "root"));
        assertTrue(err.contains("unknown right"), err);
        assertEquals(2, run("", "add", "bob", "--home", "../etc"));
        assertEquals(2, run("", "del", "bob", "--rights", "read"));
        assertEquals(2, run("", "set", "bob"));
        assertEquals(2, run("", "list", "bob"));
        assertEquals(2, run("", "add", "bob", "--wat"));
        assertEquals(2, run("", "list", "--config-dir", "a", "--config", "b"));
        assertTrue(err.contains("not both"), err);
        assertEquals(0, run("", "--help"));
        assertTrue(out.startsWith("usage: ferry user [OPTIONS] COMMAND [ARGS]"), out);
        for (String sub : new String[] {"add", "passwd", "set", "del", "list"}) {
            assertTrue(out.contains("\n  " + sub + " "), "lists " + sub + ": " + out);
        }
        assertEquals(0, run("", "add", "--help"));
        assertTrue(out.startsWith("usage: ferry user add [OPTIONS] NAME"), out);
        assertTrue(out.contains("--password-stdin") && out.contains("--config-dir DIR"), out);
        assertEquals(2, run("", new String[0]));
        assertEquals("ferry user: missing command (one of add, passwd, set, del, list)\n", err);
    }

    @Test
    void theConfigFolderComesFromTheFlagTheServeConfigFileOrTheEnvironment() throws Exception {
        Path conf = dir.resolve("etc/ferry.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "root = /srv/share\nconfig-dir = users-here   # relative to this file\n");
        CliRunner.Result viaFile = CliRunner.run("pw-for-dora\n", Map.of(), "user", "add", "dora", "--password-stdin",
                "--iterations", "4096", "--config", conf.toString());
        assertEquals(0, viaFile.status(), viaFile.err());
        assertTrue(UserStore.inConfigDir(dir.resolve("etc/users-here")).load().contains("dora"), "serve's config-dir");

        CliRunner.Result viaEnv = CliRunner.run("", Map.of("FERRY_CONFIG", dir.resolve("etc/users-here").toString()),
                "user", "list");
        assertEquals(0, viaEnv.status(), viaEnv.err());
        assertTrue(viaEnv.out().contains("dora"), viaEnv.out());

        CliRunner.Result folder = CliRunner.run("", Map.of(), "user", "list", "--config",
                dir.resolve("etc/users-here").toString());
        assertTrue(folder.out().contains("dora"), "a folder given to --config is the folder: " + folder.out());
    }

    @Test
    void theTerminalIsAskedTwiceAndMustAgree() throws Exception {
        Deque<String> answers = new ArrayDeque<>();
        CredentialsResolver.Prompter terminal = new CredentialsResolver.Prompter() {
            @Override
            public String readLine(String prompt) {
                throw new AssertionError("no user prompt expected");
            }

            @Override
            public char[] readPassword(String prompt) {
                return answers.removeFirst().toCharArray();
            }
        };
        answers.add("first-password");
        answers.add("other-password");
        assertEquals(1, run("", terminal, "add", "carol"));
        assertTrue(err.contains("do not match"), err);
        assertFalse(store().load().contains("carol"));
        answers.add("carol-password");
        answers.add("carol-password");
        assertEquals(0, run("", terminal, "add", "carol"), err);
        assertTrue(store().load().contains("carol"));
    }
}

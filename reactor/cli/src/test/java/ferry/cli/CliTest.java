package ferry.cli;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.args.Option;
import ferry.cli.serve.ListenAddress;
import ferry.cli.serve.ServeCommand;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command framework in-process: help on every level, exit codes, one-line errors. */
public class CliTest {
    private static void assertUsageError(CliRunner.Result r, String expectedLine) {
        assertEquals(Cli.EXIT_USAGE, r.status(), r.err());
        assertEquals(expectedLine + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpOnEveryLevelListsEveryOptionWithItsDefault() {
        Cli cli = new Cli(new Console(System.out, System.err, System.in, java.util.Map.of()));
        List<String[]> paths = new ArrayList<>();
        collect(cli.root(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 14, "root, serve, ping, info, speed, shell, user (add, passwd, set, del, list), demo, "
                + "demo sticky, help");
        for (String[] path : paths) {
            Command c = find(cli.root(), path);
            for (String flag : new String[] {"--help", "-h"}) {
                List<String> args = new ArrayList<>(List.of(path));
                args.add(flag);
                CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
                String where = String.join(" ", args);
                String flat = r.out().replaceAll("\\s+", " "); // help wraps long lines
                assertEquals(0, r.status(), where);
                assertEquals("", r.err(), where);
                assertTrue(r.out().startsWith("usage: ferry"), where + ": " + r.out());
                for (Option<?> o : c.options()) {
                    assertTrue(r.out().contains(o.synopsis().strip()), where + " lists " + o);
                    if (o.defaultText() != null) {
                        assertTrue(flat.contains("(default " + o.defaultText() + ")"), where + " default of " + o);
                    }
                }
                for (Option<?> g : cli.globals()) {
                    assertTrue(r.out().contains("--" + g.name()), where + " lists global " + g);
                }
                for (Command sub : c.subcommands()) {
                    assertTrue(r.out().contains("  " + sub.name() + " "), where + " lists " + sub.name());
                }
            }
        }
        assertEquals(CliRunner.run("serve", "--help").out(), CliRunner.run("help", "serve").out());
        assertEquals(CliRunner.run("demo", "sticky", "--help").out(), CliRunner.run("help", "demo", "sticky").out());
        assertTrue(CliRunner.run("serve", "--bogus", "--help").out().startsWith("usage: ferry serve"),
                "--help wins over other mistakes");
    }

    @Test
    void serveHelpShowsCoreDefaultsWithUnits() {
        String help = CliRunner.run("serve", "--help").out();
        assertTrue(help.contains("--idle-timeout DURATION"));
        assertTrue(help.contains("(default 5m)"), "idle timeout 300000 ms shown as 5m");
        assertTrue(help.contains("(default 64k)"));
        assertTrue(help.contains("--[no-]tcp-nodelay"));
        assertTrue(help.contains("--exec-allow CMD,..."));
        assertTrue(help.contains("--anonymous-read"));
        assertTrue(help.contains("Config file (--config FILE)"));
    }

    @Test
    void versionAndBareCommand() {
        CliRunner.Result v = CliRunner.run("--version");
        assertEquals(0, v.status());
        assertTrue(v.out().startsWith("ferry 0.1.0 (protocol 1.0"), v.out());
        assertEquals(v.out(), CliRunner.run("ping", "--version").out(), "--version works after a command too");
        CliRunner.Result bare = CliRunner.run();
        assertEquals(Cli.EXIT_USAGE, bare.status());
        assertTrue(bare.err().startsWith("usage: ferry"), "bare ferry shows help, on stderr");
        assertEquals("", bare.out());
    }

    @Test
    void usageErrorsAreOneLineWithExitStatus2() {
        assertUsageError(CliRunner.run("srve"), "ferry: unknown command 'srve' (did you mean 'serve'?)");
        CliRunner.Result far = CliRunner.run("frobnicate");
        assertEquals(Cli.EXIT_USAGE, far.status());
        assertTrue(far.err().matches("ferry: unknown command 'frobnicate' \\(commands: serve, get, put, cp, [a-z, ]+\\)\n"), far.err());
        assertUsageError(CliRunner.run("serve", "--wokers", "3"),
                "ferry serve: unknown option '--wokers' (did you mean '--workers'?)");
        assertUsageError(CliRunner.run("--workers", "3", "serve"),
                "ferry: unknown option '--workers' (it is an option of 'ferry serve': put it after the command)");
        assertUsageError(CliRunner.run("ping", "-c"), "ferry ping: option '-c' needs a value (N)");
        assertUsageError(CliRunner.run("ping", "-c", "0"), "ferry ping: invalid value for -c: 0 is out of range (1 to 1000000)");
        assertUsageError(CliRunner.run("ping", "a", "b"),
                "ferry ping: unexpected argument 'b' (usage: ferry ping [OPTIONS] [HOST])");
        assertUsageError(CliRunner.run("ping", "nas:99999"), "ferry ping: 'nas:99999' has an invalid port '99999' (1 to 65535)");
        assertUsageError(CliRunner.run("demo"), "ferry demo: missing command (one of sticky)");
        assertUsageError(CliRunner.run("demo", "stiky"), "ferry demo: unknown command 'stiky' (did you mean 'sticky'?)");
        assertUsageError(CliRunner.run("-q", "-v", "ping"), "ferry: --quiet and --verbose contradict each other");
        assertUsageError(CliRunner.run("serve", "--workers", "0"),
                "ferry serve: invalid value for --workers: 0 is out of range (1 to 4096)");
        assertUsageError(CliRunner.run("serve", "--listen", "0.0.0.0:0", "--anonymous-rights", "read,write,delete"),
                "ferry serve: refusing to serve 0.0.0.0 without login and with anonymous rights read,write,delete: "
                        + "off loopback, anonymous access may only read (or require login)");
        assertUsageError(CliRunner.run("help", "srve"), "ferry help: no help for 'srve' (did you mean 'serve'?)");
    }

    @Test
    void runtimeFailuresAreOneLineWithExitStatus1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRunner.Result r = CliRunner.run("ping", "127.0.0.1:" + closed);
        assertEquals(Cli.EXIT_FAILURE, r.status());
        assertEquals("ferry ping: cannot connect to 127.0.0.1:" + closed + ": connection refused\n", r.err());
        CliRunner.Result unknown = CliRunner.run("info", "no-such-host.invalid");
        assertEquals(Cli.EXIT_FAILURE, unknown.status());
        assertEquals("ferry info: cannot connect to no-such-host.invalid:7373: unknown host 'no-such-host.invalid'\n",
                unknown.err());
        CliRunner.Result debug = CliRunner.run("--debug", "ping", "127.0.0.1:" + closed);
        assertTrue(debug.err().startsWith("ferry ping: cannot connect to"), debug.err());
        assertTrue(debug.err().contains("\tat "), "--debug adds the stack trace");
    }

    /**
     * A missing --root is refused rather than created (a typo would serve a new empty folder),
     * unless --create-root. The port is busy so that a serve that gets past the root stops there.
     */
    @Test
    void aMissingRootIsRefusedUnlessCreateRoot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path typo = dir.resolve("nonexistent/a/b");
        String config = dir.resolve("config").toString();
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String listen = "127.0.0.1:" + busy.getLocalPort();
            CliRunner.Result r = CliRunner.run("serve", "--quiet", "--root", typo.toString(), "--config-dir", config,
                    "--listen", listen);
            assertEquals(Cli.EXIT_FAILURE, r.status(), r.err());
            assertEquals("ferry serve: root folder " + typo + " does not exist (a typo? to create it, add --create-root)\n",
                    r.err());
            assertFalse(java.nio.file.Files.exists(dir.resolve("nonexistent")), "nothing created");

            CliRunner.Result created = CliRunner.run("serve", "--quiet", "--root", typo.toString(), "--create-root",
                    "--config-dir", config, "--listen", listen);
            assertTrue(created.err().contains("cannot listen on " + listen), created.err());
            assertTrue(java.nio.file.Files.isDirectory(typo), "--create-root creates it, parents included");
        }
    }

    /** A listen host that does not resolve is named as such, not refused as "off loopback without login". */
    @Test
    void anUnknownListenHostIsSaidToBeUnknown() throws Exception {
        ServeCommand.HostResolver nowhere = host -> {
            throw new java.net.UnknownHostException(host); // as the system's resolver says it, without asking
        };
        CliException e = assertThrows(CliException.class,
                () -> ServeCommand.checkListenHost(ListenAddress.parse("nosuchhost.invalid:7425"), nowhere));
        assertEquals("cannot listen on nosuchhost.invalid:7425: unknown host 'nosuchhost.invalid'", e.getMessage());
        ServeCommand.checkListenHost(ListenAddress.parse("127.0.0.1:0"), java.net.InetAddress::getByName); // a literal: no lookup
    }

    @Test
    void pingAndInfoAgainstARealServer() throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
        try {
            String host = "127.0.0.1:" + server.port();
            CliRunner.Result ping = CliRunner.run("ping", "-c", "3", "-i", "0", "-s", "1k", host);
            assertEquals(0, ping.status(), ping.err());
            assertTrue(ping.out().startsWith("PING " + host + " (ferry 0.1.0): 1024 bytes of payload\n"), ping.out());
            for (int i = 1; i <= 3; i++) {
                assertTrue(ping.out().contains("1024 bytes from " + host + ": seq=" + i + " time="), ping.out());
            }
            assertTrue(ping.out().contains("3 sent, 3 received, 0% lost"), ping.out());
            assertTrue(ping.out().matches("(?s).*rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms\n"), ping.out());

            CliRunner.Result quiet = CliRunner.run("ping", "-q", "-c", "2", "-i", "0", host);
            assertFalse(quiet.out().contains("seq="), "-q: summary only");
            assertTrue(quiet.out().contains("2 sent, 2 received"));

            CliRunner.Result info = CliRunner.run("info", host);
            assertEquals(0, info.status(), info.err());
            assertTrue(info.out().contains("server      ferry 0.1.0\n"), info.out());
            assertTrue(info.out().contains("address     " + host + "\n"));
            assertTrue(info.out().contains("features    ping\n"));
            assertTrue(info.out().contains("login       optional\n"));
            CliRunner.Result json = CliRunner.run("info", "--json", "ferry://" + host);
            assertTrue(json.out().startsWith("{\"op\":\"HELLO\""), json.out());

            CliRunner.Result speed = CliRunner.run("speed", "--size", "1m", "--chunk", "16k", host);
            assertEquals(0, speed.status(), speed.err());
            assertTrue(speed.out().matches("1\\.0 MiB echoed by " + host.replace(".", "\\.")
                    + " in .* each way \\(64 round trips of up to 16\\.0 KiB, .* ms each\\)\n"), speed.out());
        } finally {
            server.stop();
        }
    }

    private static void collect(Command c, List<String> path, List<String[]> out) {
        out.add(path.toArray(String[]::new));
        for (Command s : c.subcommands()) {
            List<String> p = new ArrayList<>(path);
            p.add(s.name());
            collect(s, p, out);
        }
    }

    private static Command find(Command root, String[] path) {
        Command c = root;
        for (String name : path) {
            c = c.subcommands().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }
        return c;
    }
}

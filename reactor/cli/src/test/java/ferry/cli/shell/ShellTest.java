package ferry.cli.shell;

import ferry.cli.command.Command;
import ferry.cli.CliRunner;
import ferry.cli.command.Console;
import ferry.cli.remote.Authenticator;
import ferry.cli.remote.Connector;
import ferry.cli.remote.Remote;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public class ShellTest {
    private FerryServer server;
    private String host;

    @BeforeEach
    void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
        host = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void lexerSplitsLikeSh() {
        assertEquals(List.of("get", "my video.mp4", "."), ShellLexer.split("  get \"my video.mp4\"   . "));
        assertEquals(List.of("get", "my video.mp4"), ShellLexer.split("get my\\ video.mp4"));
        assertEquals(List.of("a\"b", "c\\d", "$x *"), ShellLexer.split("\"a\\\"b\" 'c\\d' '$x *'"));
        assertEquals(List.of("ab"), ShellLexer.split("a'b'"), "quotes join with their neighbours");
        assertEquals(List.of(""), ShellLexer.split("''"), "an explicit empty word");
        assertEquals(List.of(), ShellLexer.split("   "));
        assertThrows(IllegalArgumentException.class, () -> ShellLexer.split("get 'x"));
        assertThrows(IllegalArgumentException.class, () -> ShellLexer.split("get \"x"));
    }

    @Test
    void historyRecall() {
        ShellHistory h = new ShellHistory();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> h.expand("!!")).getMessage().contains("empty"));
        h.add("ping");
        h.add("info");
        h.add("ping -c 3");
        assertEquals("ping", h.expand("!1"));
        assertEquals("info", h.expand("!2"));
        assertEquals("ping -c 3", h.expand("!!"));
        assertEquals("info", h.expand("!-2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> h.expand("!9")).getMessage().contains("no such command"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> h.expand("!-9")).getMessage().contains("no such command"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> h.expand("!x")).getMessage().contains("use !N"));
        for (int i = 0; i < ShellHistory.MAX_ENTRIES; i++) {
            h.add("cmd " + i);
        }
        assertEquals(ShellHistory.MAX_ENTRIES, h.entries().size(), "bounded");
        assertEquals(4, h.firstNumber(), "numbers stay stable as old entries go");
        assertEquals("cmd 0", h.expand("!4"));
    }

    @Test
    void scriptedSessionRunsCommandsAndSurvivesErrors() {
        String script = String.join("\n",
                "# a comment",
                "ping",
                "",
                "info",
                "pnig",
                "ping -c 2 -s 1k",
                "ping extra",
                "history",
                "!1",
                "!42",
                "help",
                "help ping",
                "'unterminated",
                "exit",
                "ping") + "\n";
        CliRunner.Result r = CliRunner.run(script, Map.of("FERRY_STDIN_TTY", "0"), "shell", host);
        assertEquals(Command.EXIT_FAILURE, r.status(), "a script with failed commands exits 1");
        String out = r.out();
        assertFalse(out.contains("ferry " + host + ">"), "no prompt without a terminal");
        assertEquals(4, count(out, "pong from " + host), out); // ping, ping -c 2, !1
        assertTrue(out.contains("server      ferry 0.1.0"), out);
        assertTrue(out.contains("    1  ping\n    2  info\n    3  pnig\n    4  ping -c 2 -s 1k\n    5  ping extra\n    6  history\n"), out);
        assertTrue(out.contains("help [COMMAND]"), out);
        assertTrue(out.contains("-c, --count N"), "help ping shows its options");
        assertEquals(String.join("\n",
                "ferry shell: line 5: unknown command 'pnig' (did you mean 'ping'?)",
                "ferry shell: line 7: unexpected argument 'extra' (usage: ping [OPTIONS])",
                "ferry shell: line 10: !42: no such command in the history (see 'history')",
                "ferry shell: line 13: unterminated ' quote") + "\n", r.err());
    }

    @Test
    void interactiveSessionShowsBannerPromptAndEchoesRecalledCommands() {
        CliRunner.Result r = CliRunner.run("ping\n!!\nbogus\n", Map.of("FERRY_STDIN_TTY", "1"), "shell", host);
        assertEquals(0, r.status(), "interactive sessions end with 0 at end of input");
        String out = r.out();
        assertTrue(out.startsWith("Connected to " + host + " (ferry 0.1.0). Type 'help' for commands, 'quit' to leave.\n"), out);
        assertEquals(4, count(out, "ferry " + host + ":/> "), out);
        assertTrue(out.contains(":/> ping\npong from"), "!! echoes the command it runs: " + out);
        assertEquals("error: unknown command 'bogus' (type 'help' for the commands)\n", r.err());
    }

    @Test
    void lostConnectionIsReportedAndTheNextCommandReconnects() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Console c = new Console(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true), System.in, Map.of());
        ShellSession session = new ShellSession(c, new Connector(c, ferry.client.ClientOptions.defaults(),
                Authenticator.NONE), Remote.parseHost(host));
        Shell shell = new Shell(session);
        session.connection().client().close(); // the connection dies under the shell
        shell.execute("ping");
        assertTrue(err.toString().contains("connection to " + host + " lost"), err.toString());
        assertTrue(err.toString().contains("(the next command reconnects)"), err.toString());
        assertFalse(session.connected());
        shell.execute("ping");
        assertTrue(out.toString().contains("pong from " + host), "reconnected: " + out);
        assertTrue(session.connected());
        session.disconnect();
    }

    @Test
    void unreachableServerFailsTheShellCommandAtOnce() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRunner.Result r = CliRunner.run("ping\n", Map.of(), "shell", "127.0.0.1:" + port);
        assertEquals(Command.EXIT_FAILURE, r.status());
        assertEquals("ferry shell: cannot connect to 127.0.0.1:" + port + ": connection refused\n", r.err());
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}

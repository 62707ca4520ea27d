package ferry.cli.shell;

import static org.junit.jupiter.api.Assertions.*;

import ferry.cli.command.Console;
import ferry.cli.remote.Authenticator;
import ferry.cli.remote.Connector;
import ferry.cli.remote.Remote;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ShellCompleterTest {
    private final List<String> listed = new ArrayList<>();

    /** A server with {@code video/ videos/ vim.txt my file.txt .hidden} in the home folder and {@code clip.mp4} in video/. */
    private ShellCompleter.Lister fake(String side) {
        return folder -> {
            listed.add(side + ":" + folder);
            switch (folder) {
                case "": return List.of(new ShellCompleter.Entry("video", true), new ShellCompleter.Entry("videos", true),
                        new ShellCompleter.Entry("vim.txt", false), new ShellCompleter.Entry("my file.txt", false),
                        new ShellCompleter.Entry(".hidden", false));
                case "video/": return List.of(new ShellCompleter.Entry("clip.mp4", false));
                default: throw new IOException("no such folder");
            }
        };
    }

    private final ShellCompleter completer = new ShellCompleter(List.of("ls", "lcd", "lpwd", "get", "put", "ping", "info"),
            fake("remote"), fake("local"));

    @Test
    void commandNamesAtTheStart() {
        assertEquals(new Completer.Completion(0, List.of("lcd", "lpwd", "ls")), completer.complete("l"));
        assertEquals(new Completer.Completion(0, List.of("ping", "put")), completer.complete("p"));
        assertEquals(new Completer.Completion(0, List.of()), completer.complete("x"));
        assertEquals(List.of(), listed, "command names need no listing");
    }

    @Test
    void remotePathsAfterACommandThatTakesOne() {
        assertEquals(new Completer.Completion(4, List.of("video/", "videos/", "vim.txt")), completer.complete("get v"));
        assertEquals(new Completer.Completion(7, List.of("video/clip.mp4")), completer.complete("get -r video/c"));
        assertEquals(new Completer.Completion(3, List.of("my\\ file.txt")), completer.complete("ls m"),
                "a space is escaped as the lexer reads it");
        assertEquals(new Completer.Completion(3, List.of("my\\ file.txt")), completer.complete("ls my\\ f"));
        assertEquals(List.of(".hidden"), completer.complete("ls .").candidates(), "hidden names only when asked for");
        assertFalse(completer.complete("ls ").candidates().contains(".hidden"));
        assertEquals(List.of("remote:", "remote:video/", "remote:", "remote:", "remote:", "remote:"), listed);
    }

    @Test
    void localPathsAfterPutAndLcd() {
        assertEquals(List.of("vim.txt"), completer.complete("put vim").candidates());
        assertEquals(List.of("video/", "videos/"), completer.complete("lcd vid").candidates());
        assertEquals(List.of("local:", "local:"), listed);
    }

    @Test
    void nothingForOptionsQuotesOtherCommandsOrAFailedListing() {
        assertEquals(List.of(), completer.complete("get --ret").candidates());
        assertEquals(List.of(), completer.complete("get 'v").candidates());
        assertEquals(List.of(), completer.complete("ping v").candidates());
        assertEquals(List.of(), completer.complete("get nosuch/v").candidates(), "a listing that fails offers nothing");
        assertEquals(List.of("remote:nosuch/"), listed);
    }

    @Test
    void wordStartAndEscape() {
        assertEquals(4, ShellCompleter.wordStart("get a\\ b"));
        assertEquals(6, ShellCompleter.wordStart("get a "));
        assertEquals("a\\ b\\'c\\\"d\\\\", ShellCompleter.escape("a b'c\"d\\"));
    }

    @Test
    void completesAgainstARealServerThroughTheSessionsConnection(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("video"));
        Files.writeString(root.resolve("video/clip one.mp4"), "x");
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).anonymousRights(EnumSet.of(Right.READ)).build());
        server.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        server.start();
        try {
            Console c = new Console(new PrintStream(new ByteArrayOutputStream(), true),
                    new PrintStream(new ByteArrayOutputStream(), true), System.in, Map.of());
            ShellSession session = new ShellSession(c, new Connector(c, ferry.client.ClientOptions.defaults(),
                    Authenticator.NONE), Remote.parseHost("127.0.0.1:" + server.port()));
            session.setLocalCwd(root);
            ShellCompleter real = ShellCompleter.of(session, List.of("get"));
            session.connection(); // as the shell does before its first prompt
            assertEquals(List.of("video/"), real.complete("get vi").candidates());
            assertEquals(List.of("video/clip\\ one.mp4"), real.complete("get video/cl").candidates());
            session.setRemoteCwd("video");
            assertEquals(List.of("clip\\ one.mp4"), real.complete("rm c").candidates(), "relative to the working folder");
            assertEquals(List.of("video/"), real.complete("lcd v").candidates(), "lcd lists the local folder");
            session.disconnect();
            assertEquals(List.of(), real.complete("rm c").candidates(), "no listing without a connection");
            assertFalse(session.connected(), "Tab does not reconnect; the next command does");
        } finally {
            server.stop();
        }
    }
}

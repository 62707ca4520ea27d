package ferry.multihost.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HostTool without Docker: the multi-host tests trust its output, so it is checked here first. */
class HostToolTest {
    @TempDir
    Path dir;
    private FerryServer server;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    private int run(String stdin, String... args) throws Exception {
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        return new HostTool(out, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).run(args);
    }

    private String out() {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Test
    void genWritesTheSeededBytesAndTheirDigest() throws Exception {
        Path file = dir.resolve("data");
        int size = 3 * HostTool.GEN_BUFFER_BYTES + 13; // several buffers and a tail that is not whole longs
        assertEquals(0, run("", "gen", file.toString(), Integer.toString(size), "9"), out());
        byte[] expected = HostTool.randomBytes(size, 9);
        assertArrayEquals(expected, Files.readAllBytes(file));
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
        assertTrue(out().startsWith("sha256 " + hex + " bytes " + size + " "), out());

        output.reset();
        assertEquals(0, run("", "sha256", file.toString()), out());
        assertTrue(out().startsWith("sha256 " + hex + " bytes " + size + " "), out());
    }

    @Test
    void pingChecksEachTargetAndReportsAnUnreachableOne() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        int code = run("", "ping", "127.0.0.1:" + server.port(), "127.0.0.1:" + closedPort, "no-such-host.invalid:7373");
        assertEquals(HostTool.EXIT_IO, code, out());
        assertTrue(out().contains("ok 127.0.0.1:" + server.port() + " server=ferry"), out());
        assertTrue(out().contains("ERROR 127.0.0.1:" + closedPort + " java.net.ConnectException"), out());
        assertTrue(out().contains("ERROR no-such-host.invalid:7373 java.nio.channels.UnresolvedAddressException"), out());
    }

    @Test
    void holdWaitsForALineThenPings() throws Exception {
        assertEquals(0, run("go\n", "hold", "127.0.0.1:" + server.port(), "--pings", "3"), out());
        assertTrue(out().matches("(?s)READY .*\npong 1\npong 2\npong 3\nDONE\n"), out());
    }

    @Test
    void holdWithoutAGoLineStopsWithoutPinging() throws Exception {
        assertEquals(HostTool.EXIT_USAGE, run("", "hold", "127.0.0.1:" + server.port()), out());
        assertTrue(out().contains("ERROR stdin closed before go"), out());
    }
}

package ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ferry.protocol.Json;
import ferry.reactor.FerryServer;
import ferry.reactor.RawPeer;
import ferry.reactor.RawPeer.Frame;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.services.exec.ExecConfig;
import ferry.services.exec.ExecPolicy;
import ferry.services.exec.ExecService;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/PROTOCOL.md sections 3.0 and 3.1 with the EXEC section's pipelining: an EXEC is a write, so
 * one pipelined behind another waits for it and then runs; {@code busy} comes from other
 * connections holding the slots. Hand-written frames, a real server with one exec slot.
 */
class ExecConformanceTest {
    @TempDir
    Path root;

    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void section3_0_aPipelinedExecWaitsForTheEarlierOneWhileAnotherConnectionIsBusy() throws Exception {
        ExecConfig exec = ExecConfig.builder(root).policy(ExecPolicy.allowList(List.of("cat"), false)).maxRunning(1).build();
        server = new FerryServer(ServerConfig.builder().port(0).anonymousRights(Right.ALL).build());
        server.install(new ExecService(exec));
        server.start();
        Path fifo = root.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());

        // Opened read-write, the FIFO never blocks us and keeps its bytes until cat opens it:
        // cat runs (holding the one slot) until we close it.
        try (RawPeer c = RawPeer.connect(server.port());
             RawPeer other = RawPeer.connect(server.port());
             RandomAccessFile pipe = new RandomAccessFile(fifo.toFile(), "rw")) {
            c.send("{\"op\":\"EXEC\",\"id\":1,\"argv\":[\"cat\"," + Json.write(fifo.toString())
                    + "],\"timeoutMs\":60000}");
            c.send("{\"op\":\"EXEC\",\"id\":2,\"argv\":[\"cat\",\"/dev/null\"]}"); // a write: waits for #1 (3.0)
            c.send("{\"op\":\"PING\",\"id\":3}");
            pipe.write('x');

            Frame out = c.read();
            assertEquals("STDOUT", out.op(), () -> "the first EXEC's output comes first: " + out.header());
            assertEquals(1L, out.get("id"));
            assertEquals("x", out.bodyText());
            // The one slot is #1's: an EXEC on another connection is refused busy at once.
            other.send("{\"op\":\"EXEC\",\"id\":9,\"argv\":[\"cat\",\"/dev/null\"]}");
            other.expectError("busy", 9L);
            pipe.close(); // cat reads end of file and exits; the slot is free for #2

            Frame exit = c.read();
            assertEquals("EXIT", exit.op(), () -> exit.header().toString());
            assertEquals(1L, exit.get("id"));
            assertEquals(0L, exit.get("exitCode"));
            Frame second = c.read();
            assertEquals("EXIT", second.op(), () -> "#2 ran after #1 ended, not busy: " + second.header());
            assertEquals(2L, second.get("id"));
            assertEquals("PONG", c.read().op());
        }
    }
}

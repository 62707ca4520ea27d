package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ExecRequest;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Commands run off the loop: other connections are served while they run, and a full pool says busy. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecConcurrencyTest {
    static final int RUNNING = 8;

    @TempDir
    Path root;

    /**
     * Starts a command that prints "started" and then waits for its 1-byte stdin, which the test
     * holds back: the command cannot end until the test lets it.
     */
    private static long startHeld(FerryClient c) throws IOException {
        long id = c.nextId();
        c.send(Header.op("EXEC").put(Header.ID, id).put("argv", List.<Object>of("sh", "-c", "echo started; exec cat"))
                .put(Header.SIZE, 1L));
        return id;
    }

    private static String readOut(FerryClient c, long id, int bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < bytes) {
            Header f = c.expect(c.readHeader(), "STDOUT", id);
            ByteBuffer b = ByteBuffer.allocate((int) f.size());
            while (b.hasRemaining() && c.readBody(b) >= 0) {
                // whole body
            }
            out.write(b.array(), 0, b.position());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void release(FerryClient c, long id) throws IOException {
        c.sendBody(ByteBuffer.wrap(new byte[] {'x'}));
        assertEquals("x", readOut(c, id, 1));
        Header exit = c.expect(c.readHeader(), "EXIT", id);
        assertEquals(0L, exit.get("exitCode"));
    }

    @Test
    void pingsOnOtherConnectionsAnswerWhileEightCommandsRun() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> b.maxRunning(RUNNING), s -> {},
                Clock.SYSTEM, EnumSet.allOf(Right.class))) {
            List<FerryClient> runners = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < RUNNING; i++) {
                FerryClient c = h.connect();
                runners.add(c);
                ids.add(startHeld(c));
            }
            for (int i = 0; i < RUNNING; i++) {
                assertEquals("started\n", readOut(runners.get(i), ids.get(i), 8));
            }
            assertEquals(RUNNING, h.exec.stats().running());

            try (FerryClient pinger = h.connect()) {
                byte[] body = "are you there?".getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 50; i++) {
                    assertArrayEquals(body, pinger.ping(body));
                }
                assertTrue(pinger.hello().has("features"));
            }
            // The pings were answered while every command was still running: none can end before its stdin.
            assertEquals(RUNNING, h.exec.stats().running());
            assertEquals(0, h.exec.stats().finished());

            for (int i = 0; i < RUNNING; i++) {
                release(runners.get(i), ids.get(i));
            }
            assertTrue(h.exec.stats().await(h.exec.stats()::finished, RUNNING, 10, TimeUnit.SECONDS));
            assertEquals(0, h.exec.stats().running());
        }
    }

    @Test
    void aFullPoolAnswersBusyAtOnce() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> b.maxRunning(2), s -> {},
                Clock.SYSTEM, EnumSet.allOf(Right.class))) {
            FerryClient a = h.connect();
            FerryClient b = h.connect();
            long ia = startHeld(a);
            long ib = startHeld(b);
            assertEquals("started\n", readOut(a, ia, 8));
            assertEquals("started\n", readOut(b, ib, 8));

            RemoteException busy = assertThrows(RemoteException.class, () -> h.run(ExecRequest.argv("true")));
            assertEquals("busy", busy.code());
            assertEquals(1, h.exec.stats().busy());
            assertEquals(2, h.exec.stats().running(), "the refused request started nothing");

            release(a, ia);
            assertEquals(0, h.run(ExecRequest.argv("true")).exit().exitCode(), "a freed slot is usable again");
            release(b, ib);
        }
    }
}

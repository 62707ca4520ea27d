package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ExecRequest;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import ferry.reactor.UserLimits;
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

    @Test
    void oneUserRunsNoMoreThanTheirCapWhileOthersStillRun() throws Exception {
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.allowAll(false), b -> b.maxRunning(4).maxRunningPerUser(1),
                s -> s.loginRequired(true), Clock.SYSTEM, EnumSet.noneOf(Right.class), server -> server.registerPublic("LOGIN_AS",
                        call -> {
                            call.session().login(call.request().requireString("user"), EnumSet.allOf(Right.class), "");
                            long own = call.request().getLong("maxExec", UserLimits.SERVER_DEFAULT);
                            call.session().put(UserLimits.SESSION_KEY, UserLimits.DEFAULTS.withExec((int) own));
                            call.reply(Header.reply("OK", call.id()));
                            return null;
                        }))) {
            FerryClient alice = h.connect();
            alice.call(Header.op("LOGIN_AS").put("user", "alice"));
            FerryClient alice2 = h.connect();
            alice2.call(Header.op("LOGIN_AS").put("user", "alice"));
            FerryClient bob = h.connect();
            bob.call(Header.op("LOGIN_AS").put("user", "bob").put("maxExec", 2L)); // his own limit over the default
            long ia = startHeld(alice);
            assertEquals("started\n", readOut(alice, ia, 8));

            RemoteException busy = assertThrows(RemoteException.class, () -> ExecHarness.run(alice2, ExecRequest.argv("true")));
            assertEquals("busy", busy.code());
            assertTrue(busy.serverMessage().contains("user alice runs 1"), busy.serverMessage());
            long ib = startHeld(bob);
            assertEquals("started\n", readOut(bob, ib, 8));
            FerryClient bob2 = h.connect();
            bob2.call(Header.op("LOGIN_AS").put("user", "bob").put("maxExec", 2L));
            assertEquals(0, ExecHarness.run(bob2, ExecRequest.argv("true")).exit().exitCode(), "bob's own limit is 2");
            assertEquals(2, h.exec.runsPerUser().users());

            release(alice, ia);
            assertEquals(0, ExecHarness.run(alice2, ExecRequest.argv("true")).exit().exitCode(), "alice's slot came back");
            release(bob, ib);
            long held = startHeld(alice);
            assertEquals("started\n", readOut(alice, held, 8));
            alice.close(); // a run its connection's close stops gives its user's slot back too
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (h.exec.runsPerUser().users() != 0) {
                assertTrue(System.nanoTime() < deadline, "per-user counts not back to 0: " + h.exec.runsPerUser().users());
                Thread.sleep(5); // polling with a deadline
            }
        }
    }
}

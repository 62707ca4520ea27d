package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import org.junit.jupiter.api.Test;

/** The op table and the gate in front of it: registration rules, public ops, login. */
class OpsTest {
    private static BodySink ok(Call call) {
        call.reply(Header.reply("OK", call.id()));
        return null;
    }

    @Test
    void anOpCannotBeRegisteredTwiceNotEvenOverACoreOne() throws Exception {
        FerryServer s = new FerryServer(TestServers.config().build());
        OpHandler h = call -> null;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.registerPublic("PING", h));
        assertTrue(e.getMessage().contains("PING"), e.getMessage());
        s.register("MINE", h);
        assertThrows(IllegalStateException.class, () -> s.register("MINE", h, Sequencing.READ));
        assertThrows(IllegalStateException.class, () -> s.registerPublic("MINE", h));
        assertThrows(IllegalArgumentException.class, () -> s.register("", h));
        assertThrows(IllegalArgumentException.class, () -> s.register("X", null));
        assertTrue(s.ops().containsAll(java.util.List.of("BYE", "HELLO", "MINE", "PING")), s.ops().toString());
    }

    @Test
    void opsCannotBeAddedOnceTheServerRuns() throws Exception {
        try (MemoryServer m = MemoryServer.start(TestServers.config())) {
            assertThrows(IllegalStateException.class, () -> m.server().register("LATE", OpsTest::ok));
        }
    }

    @Test
    void aPublicOpRunsBeforeLoginAndAPrivateOneDoesNot() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config().loginRequired(true), ctx -> {
            ctx.registerPublic("OPEN", OpsTest::ok, Sequencing.READ);
            ctx.register("CLOSED", OpsTest::ok, Sequencing.READ);
            ctx.registerPublic("OPENW", OpsTest::ok);
            ctx.register("CLOSEDW", OpsTest::ok);
        })) {
            MemoryPeer p = s.connect();
            long id = 1;
            for (String op : new String[] {"OPEN", "OPENW", "CLOSED", "CLOSEDW"}) {
                p.send(Header.op(op).put(Header.ID, id++));
                RawPeer.Frame f = p.read();
                if (op.startsWith("OPEN")) {
                    assertEquals("OK", f.op(), op);
                } else {
                    assertEquals(ErrorCode.UNAUTHENTICATED, f.header().getString("code", null), op);
                }
            }
        }
    }

    @Test
    void withoutLoginRequiredEveryOpRunsForTheAnonymousSession() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> ctx.register("CLOSED", OpsTest::ok))) {
            MemoryPeer p = s.connect();
            p.send(Header.op("CLOSED").put(Header.ID, 1));
            assertEquals("OK", p.read().op());
        }
    }

    @Test
    void aCallReachesTheWorkersOfEachLane() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> ctx.register("WHERE", call -> {
            WorkerLane lane = WorkerLane.valueOf(call.request().getString("lane", "METADATA"));
            assertSame(ctx.workers(lane), call.workers(lane));
            call.workers(lane).submit(call, () -> Thread.currentThread().getName(),
                    (name, err) -> call.reply(Header.reply("WHERE", call.id()).put("thread", name)));
            return null;
        }))) {
            MemoryPeer p = s.connect();
            long id = 1;
            for (WorkerLane lane : WorkerLane.values()) {
                p.send(Header.op("WHERE").put(Header.ID, id++).put("lane", lane.name()));
                String thread = p.read().header().getString("thread", "");
                assertNotEquals(Thread.currentThread().getName(), thread, "ran on a worker, not the loop");
            }
        }
    }
}

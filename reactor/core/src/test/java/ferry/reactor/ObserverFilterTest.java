package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Observers see only the ops they ask for, and ops nobody asks for build no record. */
class ObserverFilterTest {
    @TempDir
    Path dir;

    @Test
    void opsNoObserverWantsAreNotRecorded() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.register("WORK", call -> {
            call.reply(Header.reply("OK", call.id()));
            return null;
        });
        server.addRequestObserver(new RequestObserver() {
            @Override
            public void requestEnded(RequestRecord r) {
                seen.add(r.op());
            }

            @Override
            public boolean observes(String op) {
                return !"PING".equals(op);
            }
        });
        server.start();
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            c.ping();
            c.call(Header.op("WORK"));
            c.ping();
            c.call(Header.op("WORK"));
        } finally {
            server.stop(0, TimeUnit.MILLISECONDS);
        }
        assertEquals(List.of("WORK", "WORK"), seen);
    }

    @Test
    void theAuditLogAsksForFileOpsNotForPings() throws Exception {
        try (AuditLog audit = new AuditLog(dir.resolve("audit.jsonl"), ServerLog.NONE)) {
            assertFalse(audit.observes("PING"));
            assertFalse(audit.observes("HELLO"));
            assertTrue(audit.observes("GET"));
            assertTrue(audit.observes(null), "a request without an op is recorded (a bad request)");
        }
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Header;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** First light of the in-memory harness. */
class InMemoryCoreTest {
    @Test
    void pingThenByeClosesAfterTheAnswer() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            MemoryPeer p = s.connect();
            p.send(Header.op("PING").put(Header.ID, 1), "hi".getBytes(StandardCharsets.UTF_8));
            RawPeer.Frame f = p.read();
            assertEquals("PONG", f.op());
            assertEquals("hi", new String(f.body(), StandardCharsets.UTF_8));
            p.send(Header.op("BYE").put(Header.ID, 2));
            assertEquals("BYE", p.read().op());
            assertTrue(p.closedByServer());
        }
    }
}

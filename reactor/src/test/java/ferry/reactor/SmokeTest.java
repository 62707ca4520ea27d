package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void helloAndPing() throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            Header h = c.hello();
            assertEquals("HELLO", h.op());
            assertEquals("ferry", h.getString("server", null));
            byte[] body = new byte[100_000];
            new java.util.Random(1).nextBytes(body);
            assertArrayEquals(body, c.ping(body));
            assertTrue(c.ping() > 0);
            c.bye();
        } finally {
            server.stop();
        }
    }
}

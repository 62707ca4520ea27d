package ferry.examples;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An application that accepts connections itself (its own listener: socket activation, a port it
 * shares with another protocol, an accept policy of its own) and hands each one to Ferry, which
 * does not listen at all. Ferry's limits apply to adopted connections as to accepted ones.
 * docs/EMBEDDING.md quotes this file; it uses public API only.
 */
class AdoptedChannelTest {
    @Test
    void anApplicationHandsFerryTheConnectionsItAccepted() throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().maxConnections(1).build(), ServerLog.NONE);
        server.listen(false);                                   // no port of Ferry's own
        server.start();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));  // the application's listener
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();

            try (FerryClient client = FerryClient.connect("127.0.0.1", port)) {
                SocketChannel accepted = listener.accept();     // blocking or not: adopt makes it non-blocking
                server.adopt(accepted);                         // from now on the channel is Ferry's
                assertEquals(3, client.ping(new byte[3]).length);

                try (FerryClient second = FerryClient.connect("127.0.0.1", port)) {
                    server.adopt(listener.accept());            // over maxConnections: refused with a reason
                    RemoteException full = assertThrows(RemoteException.class, second::hello);
                    assertEquals(ErrorCode.SERVER_FULL, full.code());
                }
                assertTrue(client.ping() > 0, "the adopted connection is unaffected");
            }
        } finally {
            server.stop(1, TimeUnit.SECONDS);
        }
        assertThrows(IllegalStateException.class, () -> server.adopt(SocketChannel.open()),
                "a stopped server adopts nothing; the channel stays the caller's");
    }
}

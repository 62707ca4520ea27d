package ferry.client;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The blocking client against peers that are not (well-behaved) Ferry servers. */
class FerryClientTest {
    @Test
    void aServerThatIsNotFerryIsReportedClearly() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = ss.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(new byte[64]);
                } catch (IOException ignored) {
                    // the client hangs up
                }
            });
            try (FerryClient c = FerryClient.connect("127.0.0.1", ss.getLocalPort())) {
                ProtocolException e = assertThrows(ProtocolException.class, c::hello);
                assertEquals(ProtocolException.BAD_PREAMBLE, e.code());
                assertTrue(e.getMessage().contains("HTTP"), e.getMessage());
            }
            peer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSilentServerHitsTheReadTimeoutInsteadOfHanging() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return ss.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ClientOptions o = ClientOptions.defaults().withReadTimeoutMillis(200);
            try (FerryClient c = FerryClient.connect("127.0.0.1", ss.getLocalPort(), o)) {
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, c::hello);
                assertTrue(e.getMessage().contains("no data from the server"), e.getMessage());
            } finally {
                accepted.get(5, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAWaitingCall() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return ss.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            FerryClient c = FerryClient.connect("127.0.0.1", ss.getLocalPort());
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    c.hello();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            accepted.get(5, TimeUnit.SECONDS);
            c.close();
            Throwable t = blocked.get(10, TimeUnit.SECONDS);
            assertNotNull(t, "the blocked call failed instead of waiting for the 60 s read timeout");
            assertTrue(t instanceof IOException, t.toString());
            accepted.get().close();
        }
    }

    @Test
    void unreachablePortFailsFast() {
        IOException e = assertThrows(IOException.class, () -> {
            int port;
            try (ServerSocket ss = new ServerSocket(0)) {
                port = ss.getLocalPort();
            }
            FerryClient.connect("127.0.0.1", port).close();
        });
        assertTrue(e.getMessage() == null || e.getMessage().toLowerCase().contains("refused"), String.valueOf(e.getMessage()));
    }
}

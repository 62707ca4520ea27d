package ferry.services.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A one-connection TCP relay between a client and a server that flips one bit of the
 * server-to-client stream at a given byte offset: corruption in transit, which only an
 * end-to-end digest can catch.
 */
final class CorruptingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread acceptor;

    CorruptingProxy(int serverPort, long flipAtDownstreamOffset) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            try (Socket client = listener.accept(); Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
                Thread up = new Thread(() -> pump(client, server, -1), "proxy-up");
                up.setDaemon(true);
                up.start();
                pump(server, client, flipAtDownstreamOffset);
                up.join(5000);
            } catch (IOException | InterruptedException ignored) {
                // the test decides from what the client saw
            }
        }, "proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private static void pump(Socket from, Socket to, long flipAt) {
        byte[] buf = new byte[64 * 1024];
        long pos = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (flipAt >= pos && flipAt < pos + n) {
                    buf[(int) (flipAt - pos)] ^= 0x01;
                }
                pos += n;
                out.write(buf, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException ignored) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}

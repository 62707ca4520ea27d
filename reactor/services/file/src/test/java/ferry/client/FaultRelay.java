package ferry.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay between clients and a server on 127.0.0.1 that forwards bytes both ways and can
 * cut a connection: after exactly N bytes in one direction (armed for the next connection it
 * accepts), or all connections on demand. A cut closes both sides, as a dead link or a crashed
 * middlebox does: the client sees its reads end and its writes fail, the server sees the
 * connection close. Each connection is a {@link Link} whose byte counts tests read to learn
 * where a transfer resumed.
 *
 * <p>Thread safety: arm and read from the test's thread; two pump threads per link.
 */
public final class FaultRelay implements AutoCloseable {
    /** Read size of the pumps: small, so a cut lands close to where it was aimed even without exact slicing. */
    private static final int PUMP_BUFFER_BYTES = 16 * 1024;

    private final ServerSocket listener;
    private final Thread acceptor;
    private volatile int targetPort;
    private final List<Link> links = new ArrayList<>();
    private long armedUp = -1;
    private long armedDown = -1;

    /** One relayed connection. */
    public static final class Link {
        private final Socket client;
        private final Socket server;
        private final long cutUpAt;
        private final long cutDownAt;
        private volatile long up;
        private volatile long down;
        private volatile boolean cut;

        Link(Socket client, Socket server, long cutUpAt, long cutDownAt) {
            this.client = client;
            this.server = server;
            this.cutUpAt = cutUpAt;
            this.cutDownAt = cutDownAt;
        }

        /** Bytes forwarded from the client to the server so far. */
        public long upstreamBytes() {
            return up;
        }

        /** Bytes forwarded from the server to the client so far. */
        public long downstreamBytes() {
            return down;
        }

        /** Whether this link was cut (rather than closed by an end). */
        public boolean wasCut() {
            return cut;
        }

        void cut() {
            cut = true;
            closeBoth();
        }

        void closeBoth() {
            closeQuietly(client);
            closeQuietly(server);
        }

        void start() {
            Thread upPump = new Thread(() -> pump(client, server, true), "relay-up");
            Thread downPump = new Thread(() -> pump(server, client, false), "relay-down");
            upPump.setDaemon(true);
            downPump.setDaemon(true);
            upPump.start();
            downPump.start();
        }

        private void pump(Socket from, Socket to, boolean upstream) {
            byte[] buf = new byte[PUMP_BUFFER_BYTES];
            long limit = upstream ? cutUpAt : cutDownAt;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                long count = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    int pass = limit < 0 ? n : (int) Math.min(n, limit - count);
                    // counted before they are written: once the other end has the bytes, the
                    // counts a test reads already include them
                    count += pass;
                    if (upstream) {
                        up = count;
                    } else {
                        down = count;
                    }
                    out.write(buf, 0, pass);
                    out.flush();
                    if (limit >= 0 && count >= limit) {
                        cut();
                        return;
                    }
                }
                to.shutdownOutput(); // pass an orderly end on
            } catch (IOException e) {
                closeBoth(); // one side failed: the link is dead both ways, as over a real network
            }
        }
    }

    /** Listens on 127.0.0.1, a free port, relaying to 127.0.0.1:{@code targetPort}. */
    public FaultRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Where new connections go from now on. */
    public void setTargetPort(int port) {
        targetPort = port;
    }

    /** The next connection is cut once exactly {@code bytes} went from the client to the server on it. */
    public synchronized void cutUpstreamAfter(long bytes) {
        armedUp = bytes;
    }

    /** The next connection is cut once exactly {@code bytes} went from the server to the client on it. */
    public synchronized void cutDownstreamAfter(long bytes) {
        armedDown = bytes;
    }

    /** Cuts every open connection now. */
    public void cutAll() {
        for (Link l : links()) {
            l.cut();
        }
    }

    /** Every connection relayed so far, oldest first. */
    public synchronized List<Link> links() {
        return new ArrayList<>(links);
    }

    /** The most recent connection. */
    public synchronized Link last() {
        return links.get(links.size() - 1);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket server;
            try {
                server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException e) {
                closeQuietly(client); // nothing to relay to: the client sees the connection end, as with a dead server
                continue;
            }
            Link link;
            synchronized (this) {
                link = new Link(client, server, armedUp, armedDown);
                armedUp = -1;
                armedDown = -1;
                links.add(link);
            }
            link.start();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Link l : links()) {
            l.closeBoth();
        }
    }
}

package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file that shrinks under a GET ends that transfer with an error (the connection closes: an
 * error cannot be sent in the middle of a body) instead of spinning on transferTo returning 0,
 * on the zero-copy path and on the copy path; the server goes on serving.
 */
class ShrinkTest {
    private static final long SIZE = 64L << 20; // far more than socket buffers hold while the client waits

    @TempDir
    Path tmp;

    @Test
    void shrinkingOnTheZeroCopyPath() throws Exception {
        shrinkDuringGet(true);
    }

    @Test
    void shrinkingOnTheCopyPath() throws Exception {
        shrinkDuringGet(false);
    }

    private void shrinkDuringGet(boolean zeroCopy) throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.zeroCopy(zeroCopy), f -> { })) {
            Path f = s.root.resolve("shrinks");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SPARSE)) {
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SIZE - 3);
            }
            // A read timeout far above the time the test needs: a spinning server would show up as a timeout.
            ClientOptions opts = ClientOptions.defaults().withReadTimeoutMillis(20_000);
            long got = 0;
            IOException failure = null;
            try (FerryClient c = FerryClient.connect("127.0.0.1", s.server.port(), opts)) {
                Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", "shrinks");
                c.send(req);
                assertEquals(SIZE, c.expect(c.readHeader(), "FILE", req.id()).size());
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                got += Math.max(0, c.readBody(buf));
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.truncate(1 << 20);
                }
                try {
                    int n;
                    while ((n = c.readBody(buf.clear())) >= 0) {
                        got += n;
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            assertNotNull(failure, "the transfer must end with an error, not a complete body");
            assertFalse(failure instanceof SocketTimeoutException, "the server closed promptly: " + failure);
            assertTrue(got < SIZE, "received " + got);
            try (FerryClient c = s.connect()) {
                Files.write(s.root.resolve("ok"), "fine".getBytes());
                assertArrayEquals("fine".getBytes(), FileTransferTest.get(c, "ok", 0, -1), "the server goes on");
            }
            assertEquals(0, s.server.loopErrors());
        }
    }
}

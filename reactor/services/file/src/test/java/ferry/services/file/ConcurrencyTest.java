package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many downloads at once get their own correct bytes; two uploads to one path never mix. */
class ConcurrencyTest {
    private static final int CLIENTS = 200;
    private static final int FILES = 5;

    @TempDir
    Path tmp;

    @Test
    void twoHundredClientsDownloadingAtOnceAllGetCorrectBytes() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"))) {
            String[] digests = new String[FILES];
            for (int i = 0; i < FILES; i++) {
                digests[i] = TestData.sha256(TestData.write(s.root.resolve("f" + i), (1 << 20) + 4099L * i, 10 + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch connected = new CountDownLatch(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int k = 0; k < CLIENTS; k++) {
                    int file = k % FILES;
                    results.add(pool.submit(() -> {
                        try (FerryClient c = s.connect()) {
                            c.hello();
                            connected.countDown();
                            go.await();
                            return streamDigest(c, "f" + file);
                        }
                    }));
                }
                assertTrue(connected.await(60, TimeUnit.SECONDS), "all clients connected");
                go.countDown(); // every client holds an open connection; all GETs start together
                for (int k = 0; k < CLIENTS; k++) {
                    assertEquals(digests[k % FILES], results.get(k).get(120, TimeUnit.SECONDS), "client " + k);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, s.server.loopErrors());
        }
    }

    /** GET with the server's digest; hashes the streamed body and checks both agree. Returns the digest. */
    private static String streamDigest(FerryClient c, String path) throws Exception {
        Header req = Header.op("GET").put(Header.ID, c.nextId()).put("path", path).put("algorithm", "sha-256");
        c.send(req);
        Header h = c.expect(c.readHeader(), "FILE", req.id());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long[] n = {0};
        while (c.readBodyChunk(chunk -> {
            n[0] += chunk.remaining();
            md.update(chunk);
        })) {
            // streamed into the digest
        }
        assertEquals(h.getLong("fileSize", -1), n[0]);
        String got = HexFormat.of().formatHex(md.digest());
        assertEquals(h.getString("digest", null), got, "bytes match the server's digest");
        return got;
    }

    @Test
    void aSecondUploadToTheSamePathGetsConflictAndTheFileIsNeverMixed() throws Exception {
        ResumeTest.Events events = new ResumeTest.Events();
        Path local = Files.createDirectories(tmp.resolve("local"));
        long size = 3L << 20;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> f.events(events));
             FerryClient first = s.connect(); FerryClient second = s.connect()) {
            Path a = TestData.write(local.resolve("a"), size, 1);
            Path b = TestData.write(local.resolve("b"), size, 2);
            Header put = ResumeTest.putHeader(first, "same", size, TestData.sha256(a));
            first.send(put);
            try (FileChannel in = FileChannel.open(a)) {
                first.sendFileBody(in, 0, size / 3);
                ResumeTest.Events.next(events.started);

                FileClient files = new FileClient(second);
                RemoteException e = assertThrows(RemoteException.class, () -> files.upload(b, "same"));
                assertEquals("conflict", e.code());
                assertTrue(e.getMessage().contains("in progress"), e.getMessage());
                // A raw PUT, without asking PARTIAL first, is refused the same way; its body is discarded.
                Header raw = ResumeTest.putHeader(second, "same", size, TestData.sha256(b));
                second.send(raw);
                try (FileChannel bin = FileChannel.open(b)) {
                    second.sendFileBody(bin, 0, size);
                }
                assertEquals("conflict", assertThrows(RemoteException.class,
                        () -> second.expect(second.readHeader(), "OK", raw.id())).code());

                first.sendFileBody(in, size / 3, size - size / 3);
            }
            first.expect(first.readHeader(), "OK", put.id());
            assertEquals(-1, TestData.mismatch(a, s.root.resolve("same")), "the first upload won, whole");

            new FileClient(second).upload(b, "same");
            assertEquals(-1, TestData.mismatch(b, s.root.resolve("same")), "then the second replaced it, whole");
            assertEquals(List.of(), ResumeTest.temps(s.root));
        }
    }

    static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b);
    }
}

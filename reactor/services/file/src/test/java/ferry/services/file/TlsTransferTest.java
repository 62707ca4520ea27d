package ferry.services.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.TransferResult;
import ferry.reactor.TlsSettings;
import ferry.reactor.TlsTestKeys;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET and PUT over TLS: byte-exact with verification, beside plaintext clients, and bounded for slow readers. */
class TlsTransferTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    /** Sizes around a TLS record (16 KiB of plaintext), the pool buffer and the read-ahead window. */
    private static final long[] SIZES = {0, 1, 16 * KIB - 1, 16 * KIB, 16 * KIB + 1, 64 * KIB + 1, MIB + 1, 4L * MIB + 1};

    private static final long POLL_NANOS = 10_000_000;
    /** Polls in a row without a byte sent that count as "the server stopped". */
    private static final int STABLE_POLLS = 30;

    @TempDir
    Path tmp;

    private static FerryClient tlsClient(FileTestServer s) throws Exception {
        return FerryClient.connect("127.0.0.1", s.server.port(), ClientOptions.defaults().withReadTimeoutMillis(20_000)
                .withTls(ClientTls.pinned(TlsTestKeys.primary().fingerprint())));
    }

    @Test
    void uploadsAndDownloadsAreByteExactOverTlsBesidePlaintext() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("local"));
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"),
                b -> b.tls(TlsTestKeys.settings(TlsSettings.Plaintext.ALWAYS)), f -> { });
             FerryClient tls = tlsClient(s); FerryClient plain = s.connect()) {
            assertTrue(tls.isTls());
            FileClient files = s.files(tls);
            FileClient plainFiles = s.files(plain);
            for (long size : SIZES) {
                Path src = TestData.write(local.resolve("src-" + size), size, size);
                TransferResult up = files.upload(src, "f-" + size);
                assertTrue(up.verified());
                assertEquals(-1, TestData.mismatch(src, s.root.resolve("f-" + size)), "uploaded over TLS, size " + size);
                Path dst = local.resolve("dst-" + size);
                TransferResult down = files.download("f-" + size, dst);
                assertEquals(up.digest(), down.digest());
                assertEquals(-1, TestData.mismatch(src, dst), "downloaded over TLS, size " + size);
                Path viaPlain = local.resolve("plain-" + size);
                plainFiles.download("f-" + size, viaPlain); // sendfile for the plaintext peer, same port
                assertEquals(-1, TestData.mismatch(src, viaPlain), "downloaded in plaintext, size " + size);
            }
        }
    }

    /**
     * A TLS reader that stops reading must not make the server read the file into memory: what the
     * server holds for it stays under the connection's output bound the whole time, and the file
     * is mostly unsent, until the reader reads again and gets every byte right.
     */
    @Test
    void aTlsReaderThatStopsReadingDoesNotGrowServerMemory() throws Exception {
        long size = 64L * MIB;
        long bound = 4L * MIB;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"),
                b -> b.tls(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER)).maxBufferedOutputBytes(bound)
                        .highWaterBytes(MIB).lowWaterBytes(MIB / 2), f -> { });
             FerryClient c = tlsClient(s)) {
            Path src = TestData.write(s.root.resolve("big"), size, 7);
            FileClient files = new FileClient(c, FileClient.Options.defaults().withVerify(false));
            files.beginGet("big", 0);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (s.server.stats().bytesWritten.sum() < MIB && System.nanoTime() < deadline) {
                LockSupport.parkNanos(POLL_NANOS); // until the socket buffers have filled a little
            }
            long last = -1;
            int unchanged = 0;
            while (unchanged < STABLE_POLLS && System.nanoTime() < deadline) { // until the server stops sending
                long written = s.server.stats().bytesWritten.sum();
                assertTrue(s.server.stats().bufferedOutputBytes.get() <= bound,
                        "buffered " + s.server.stats().bufferedOutputBytes.get());
                unchanged = written == last ? unchanged + 1 : 0;
                last = written;
                LockSupport.parkNanos(POLL_NANOS);
            }
            assertTrue(last >= MIB, "the server sent something: " + last);
            assertTrue(last < size / 2, "the server stopped well before the end: " + last + " of " + size);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(256 * KIB);
            long got = 0;
            int n;
            while ((n = c.readBody(buf.clear())) >= 0) {
                md.update(buf.flip());
                got += n;
            }
            assertEquals(size, got);
            assertEquals(TestData.sha256(src), HexFormat.of().formatHex(md.digest()));
            assertTrue(c.ping() >= 0);
        }
    }
}

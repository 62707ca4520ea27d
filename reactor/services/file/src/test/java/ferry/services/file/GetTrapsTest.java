package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.client.TransferResult;
import ferry.protocol.Header;
import ferry.reactor.RecordingLog;
import ferry.reactor.ServerLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NIO traps of issue 9 end to end through the real file service and the real client library
 * (the core's FileRegion has its own tests in NioTrapsTest): a file that shrinks under a GET,
 * empty files both ways, and the copy path a server uses where sendfile is refused.
 *
 * <p>"Never spins" is checked by counting the loop's passes ({@code FerryServer.loopIterations()})
 * against the work the test caused, not by timing anything.
 */
class GetTrapsTest {
    /** Sparse: costs no disk. Far more than socket buffers hold while the client is busy truncating. */
    private static final long BIG = 64L << 20;
    /** What the file is cut to; these bytes are real data, so a later download can be compared. */
    private static final int CUT = 1 << 20;
    /**
     * Loop passes a shrunk GET may take from request to close. The real number is a few hundred
     * (one per write event, worker hand-off and timer sweep); a loop spinning on transferTo
     * returning 0 makes about a million a second and would never close the connection at all.
     */
    private static final long MAX_PASSES_FOR_THE_GET = 2_000;
    private static final int PINGS = 200;
    /** A PING costs one or two passes; a busy loop would add thousands over 200 round trips. */
    private static final long MAX_PASSES_PER_PING = 4;
    private static final long PASSES_SLACK = 100;

    @TempDir
    Path tmp;

    private final List<String> logged = new CopyOnWriteArrayList<>();

    private final ServerLog log = RecordingLog.lines(logged, ServerLog.Level.DEBUG);

    /**
     * The file is truncated from 64 MiB to 1 MiB while a verified download of it is under way.
     * The client library ends with a clear I/O error (not a timeout, not a digest error: the body
     * was cut short), nothing appears under the final name, the partial stays for a resume; the
     * server logs why, does not spin, and serves others. Downloading again then gets the new 1 MiB
     * byte for byte (the partial, now longer than the file, is dropped and the download restarts).
     */
    @ParameterizedTest(name = "zeroCopy={0}")
    @ValueSource(booleans = {true, false})
    void fileThatShrinksDuringAGetEndsWithAClearErrorAndNoSpin(boolean zeroCopy) throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"),
                b -> b.zeroCopy(zeroCopy).socketSendBufferBytes(64 * 1024), f -> { }, log)) {
            Path src = s.root.resolve("shrinks.bin");
            byte[] head = TestData.bytes(CUT, 7);
            try (FileChannel ch = FileChannel.open(src, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SPARSE)) {
                ch.write(ByteBuffer.wrap(head), 0);
                ch.truncate(BIG);
                ch.write(ByteBuffer.wrap(new byte[] {1}), BIG - 1); // a real size, sparse middle
            }
            Path local = tmp.resolve("local.bin");
            ClientOptions opts = ClientOptions.defaults().withReadTimeoutMillis(20_000); // a spinning server would time out
            AtomicBoolean truncated = new AtomicBoolean();
            long passesBefore = s.server.loopIterations();
            IOException failure;
            try (FerryClient c = FerryClient.connect("127.0.0.1", s.server.port(), opts)) {
                FileClient files = new FileClient(c, FileClient.Options.defaults().withProgressIntervalMillis(0));
                failure = assertThrows(IOException.class, () -> files.download("shrinks.bin", local, (done, total, rate) -> {
                    if (truncated.compareAndSet(false, true)) {
                        try (FileChannel ch = FileChannel.open(src, StandardOpenOption.WRITE)) {
                            ch.truncate(CUT);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }));
            }
            long passes = s.server.loopIterations() - passesBefore;
            System.out.println("shrunk GET (zeroCopy=" + zeroCopy + "): " + passes + " loop passes; client saw: " + failure);
            assertTrue(truncated.get(), "the body had started when the file was cut");
            assertFalse(failure instanceof SocketTimeoutException, "the server closed promptly: " + failure);
            assertFalse(failure instanceof RemoteException, "an error cannot come in the middle of a body: " + failure);
            assertTrue(failure.getMessage().contains("closed") && failure.getMessage().contains("shrinks.bin"),
                    "the client says what happened to which download: " + failure.getMessage());
            assertFalse(Files.exists(local), "nothing under the final name");
            Path part = FileClient.partialPath(local);
            assertTrue(Files.exists(part), "the partial is kept for a resume");
            assertTrue(Files.size(part) < BIG, "got " + Files.size(part));

            Eventually.until(() -> logged.stream().anyMatch(l -> l.contains("file shrank under the transfer")));
            logged.stream().filter(l -> l.contains("shrank")).forEach(System.out::println);
            assertTrue(passes <= MAX_PASSES_FOR_THE_GET, "the loop made " + passes + " passes for one shrunk GET");
            assertEquals(0, s.server.loopErrors());
            assertEquals(0, s.server.stats().handlerErrors.sum());

            // Others are served, and the loop is idle between their requests: no leftover spin.
            try (FerryClient other = s.connect()) {
                Files.write(s.root.resolve("ok.txt"), "fine".getBytes());
                assertArrayEquals("fine".getBytes(), FileTransferTest.get(other, "ok.txt", 0, -1));
                long before = s.server.loopIterations();
                for (int i = 0; i < PINGS; i++) {
                    assertArrayEquals(new byte[] {(byte) i}, other.ping(new byte[] {(byte) i}));
                }
                long idle = s.server.loopIterations() - before;
                System.out.println(PINGS + " pings afterwards: " + idle + " loop passes");
                assertTrue(idle <= PINGS * MAX_PASSES_PER_PING + PASSES_SLACK,
                        PINGS + " pings took " + idle + " loop passes: something keeps the loop busy");
            }

            // Downloading again: the partial is longer than the file now, so it restarts and gets the new contents.
            try (FerryClient c = s.connect()) {
                TransferResult r = new FileClient(c).download("shrinks.bin", local);
                assertEquals(CUT, r.fileSize());
            }
            assertArrayEquals(head, Files.readAllBytes(local));
            assertFalse(Files.exists(part), "the partial became the file");
        }
    }

    /** Empty files: a PUT without body, a GET with an empty body, both verified; the connection stays in sync. */
    @ParameterizedTest(name = "zeroCopy={0}")
    @ValueSource(booleans = {true, false})
    void zeroLengthFilesGoBothWays(boolean zeroCopy) throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.zeroCopy(zeroCopy), f -> { }, log);
             FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
            String sha256OfNothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

            TransferResult up = files.upload(empty, "empty-up");
            assertEquals(0, up.fileSize());
            assertEquals(sha256OfNothing, up.digest());
            assertEquals(0, Files.size(s.root.resolve("empty-up")));

            Path local = tmp.resolve("empty-down");
            TransferResult down = files.download("empty-up", local);
            assertEquals(0, down.fileSize());
            assertEquals(sha256OfNothing, down.digest());
            assertEquals(0, Files.size(local));
            assertFalse(Files.exists(FileClient.partialPath(local)));

            // By hand: PUT with fileSize 0 and no body at all; then two empty GETs and a PING pipelined.
            // (Pipelined requests run at the same time, only their answers keep order: the GET of
            // the new file waits for the PUT's answer.)
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "raw-empty").put("fileSize", 0L);
            c.send(put);
            assertEquals(0L, c.expect(c.readHeader(), "OK", put.id()).requireLong("fileSize"));
            Header get = Header.op("GET").put(Header.ID, c.nextId()).put("path", "raw-empty");
            Header range = Header.op("GET").put(Header.ID, c.nextId()).put("path", "empty-up").put("offset", 0L).put("length", 0L);
            c.send(get);
            c.send(range);
            Header file = c.expect(c.readHeader(), "FILE", get.id());
            assertTrue(file.has(Header.SIZE), "size 0 is stated");
            assertEquals(0, file.size());
            assertEquals(0L, file.requireLong("fileSize"));
            assertEquals(0, c.expect(c.readHeader(), "FILE", range.id()).size());
            assertArrayEquals(new byte[] {4, 2}, c.ping(new byte[] {4, 2}), "the connection is in sync");

            // A GET at the very end of a non-empty file is an empty body too, not an error.
            Files.write(s.root.resolve("three"), new byte[] {1, 2, 3});
            assertEquals(0, FileTransferTest.get(c, "three", 3, -1).length);
            assertEquals("bad_request", assertThrows(RemoteException.class,
                    () -> FileTransferTest.get(c, "three", 4, -1)).code(), "past the end is refused");
            assertEquals(0, s.server.loopErrors());
        }
    }

    /**
     * Where sendfile is refused ({@code --no-zero-copy}: the server copies through a pooled buffer),
     * a GET is still byte-exact: the whole file verified by the client library, and ranges that
     * start and end inside read-ahead windows and buffer boundaries, with read-ahead on (many
     * windows) and off (one region).
     */
    @ParameterizedTest(name = "readAhead={0}")
    @ValueSource(booleans = {true, false})
    void copyPathIsByteExact(boolean readAhead) throws Exception {
        int size = 3 * 1024 * 1024 + 17;
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> b.zeroCopy(false),
                f -> f.readAheadBytes(readAhead ? 256 * 1024 : 0).readAheadWindowBytes(64 * 1024), log);
             FerryClient c = s.connect()) {
            byte[] data = TestData.bytes(size, readAhead ? 11 : 12);
            Files.write(s.root.resolve("data.bin"), data);
            Path local = tmp.resolve("data.bin");
            TransferResult r = new FileClient(c).download("data.bin", local);
            assertEquals(size, r.fileSize());
            assertEquals(-1, Files.mismatch(s.root.resolve("data.bin"), local));
            long[][] ranges = {{0, 1}, {1, 16 * 1024 - 1}, {12_345, (1 << 20) + 1}, {64 * 1024 - 3, 7}, {size - 5, -1},
                {size - 70_000, 70_000}};
            for (long[] k : ranges) {
                byte[] got = FileTransferTest.get(c, "data.bin", k[0], k[1]);
                int end = k[1] < 0 ? size : (int) (k[0] + k[1]);
                assertArrayEquals(Arrays.copyOfRange(data, (int) k[0], end), got, "range " + Arrays.toString(k));
            }
            assertTrue(c.ping() > 0);
            assertEquals(0, s.server.loopErrors());
        }
    }

    @Test
    void aGetOfAFolderOrOfNothingIsARequestErrorAndTheConnectionGoesOn() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> { }, log);
             FerryClient c = s.connect()) {
            Files.createDirectories(s.root.resolve("folder"));
            assertEquals("bad_request", assertThrows(RemoteException.class,
                    () -> FileTransferTest.get(c, "folder", 0, -1)).code());
            assertEquals("not_found", assertThrows(RemoteException.class,
                    () -> FileTransferTest.get(c, "nothing", 0, -1)).code());
            assertTrue(c.ping() > 0);
        }
    }
}

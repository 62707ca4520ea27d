package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.JsonWriter;
import ferry.reactor.RawPeer;
import ferry.reactor.RequestObserver;
import ferry.reactor.ServerLog;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 D3: LIST answers were built whole and held per connection: 100,000 names of 250
 * characters are ~30 MB per unread LIST, and ~100 connections took the heap to 5.7 GB. A LIST now
 * takes a download slot until its answer is on its way (so a connection that pipelines LISTs and
 * never reads holds a few), and a big answer waits in an unlinked temp file instead of the heap.
 */
class ListBudgetTest {
    static final int NAMES = 4000;
    static final int PIPELINED_LISTS = 24;

    @TempDir
    Path tmp;

    @Test
    void pipelinedListsOfAClientThatNeverReadsAreNotAllBuilt() throws Exception {
        AtomicInteger listsAnswered = new AtomicInteger();
        RequestObserver seen = r -> {
            if ("LIST".equals(r.op())) {
                listsAnswered.incrementAndGet();
            }
        };
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path big = Files.createDirectories(root.resolve("big"));
        String longName = "n".repeat(200);
        for (int i = 0; i < NAMES; i++) {
            Files.createFile(big.resolve(longName + i)); // ~1 MB of listing
        }
        try (FileTestServer s = FileTestServer.start(root, b -> b.socketSendBufferBytes(64 * 1024), f -> { },
                ServerLog.NONE, seen);
             RawPeer stalled = RawPeer.withReceiveBuffer(s.server.port(), 64 * 1024);
             FerryClient other = s.connect()) {
            long before = s.server.stats().requests.sum();
            for (int i = 1; i <= PIPELINED_LISTS; i++) {
                stalled.send(Header.op("LIST").put(Header.ID, (long) i).put("path", "big"));
            }
            Eventually.until(() -> s.server.stats().requests.sum() >= before + PIPELINED_LISTS);
            Eventually.until(() -> listsAnswered.get() >= 2, "the first listings are built");
            // A LIST on another connection is answered: the ones above waiting for their turn hold nothing.
            assertEquals(NAMES, new FileClient(other).list("big").size());
            int built = listsAnswered.get() - 1;
            assertTrue(built <= FileServiceConfig.DEFAULT_MAX_OPEN_DOWNLOADS_PER_CONNECTION,
                    built + " of " + PIPELINED_LISTS + " listings built for a connection that reads none");
        }
    }

    @Test
    void aBigListingSpillsToAFileWithTheSameBytes() throws Exception {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", "entry-" + i + "-" + "x".repeat(i % 50) + "\u00e9");
            m.put("type", "file");
            m.put("fileSize", (long) i);
            m.put("mtime", 1_700_000_000_000L + i);
            entries.add(m);
        }
        byte[] expected = new JsonWriter().value(entries).toByteArray();
        assertTrue(expected.length > MetadataOps.LIST_SPILL_BYTES, "the test listing must be big");
        try (var listing = MetadataOps.encode(entries)) {
            FileChannel f = listing.file();
            assertNotNull(f, "spilled");
            assertEquals(expected.length, listing.bytes());
            ByteBuffer got = ByteBuffer.allocate((int) listing.bytes());
            while (got.hasRemaining() && f.read(got, got.position()) > 0) {
                // read at positions: the channel is the one the answer is sent from
            }
            assertArrayEquals(expected, got.array());
        }
        List<Map<String, Object>> few = entries.subList(0, 3);
        try (var small = MetadataOps.encode(few)) {
            assertNull(small.file(), "a small listing stays on the heap");
            assertEquals(new String(new JsonWriter().value(few).toByteArray(), StandardCharsets.UTF_8),
                    new String(small.body(), 0, (int) small.bytes(), StandardCharsets.UTF_8));
            assertEquals(3, ((List<?>) Json.parse(new String(small.body(), 0, (int) small.bytes(), StandardCharsets.UTF_8))).size());
        }
        try (var empty = MetadataOps.encode(List.of())) {
            assertEquals("[]", new String(empty.body(), 0, (int) empty.bytes(), StandardCharsets.UTF_8));
        }
    }

}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every way TCP may cut the stream, on the in-memory harness: a pipelined conversation fed cut at
 * every byte, a byte at a time, and at random pairs of points, and answers written through write
 * calls that take 1..N bytes. The answers must be the same as when everything arrives at once.
 */
class SplitDeliveryTest {
    /** Seed of the random three-piece cuts: fixed, so a failure names its cut again. */
    private static final long SEED = 14;
    private static final int RANDOM_CUTS = 300;

    /** Preamble, HELLO, PINGs with and without bodies, an unknown op with a body, a request without id. */
    private static byte[] conversation(MemoryPeer encoder) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(Preamble.bytes());
        all.writeBytes(encoder.frameBytes(Header.op("HELLO").put(Header.ID, 1), new byte[0]));
        all.writeBytes(encoder.frameBytes(Header.op("PING").put(Header.ID, 2), "x".repeat(300).getBytes(StandardCharsets.UTF_8)));
        all.writeBytes(encoder.frameBytes(Header.op("PING").put(Header.ID, 3), new byte[0]));
        all.writeBytes(encoder.frameBytes(Header.op("NOPE").put(Header.ID, 4), new byte[] {1, 2, 3, 4, 5}));
        all.writeBytes(encoder.frameBytes(Header.op("PING"), new byte[0]));
        all.writeBytes(encoder.frameBytes(Header.op("PING").put(Header.ID, 6), new byte[] {7}));
        return all.toByteArray();
    }

    /** The answers as comparable text: each frame's header and body. */
    private static List<String> answers(MemoryPeer p) {
        List<String> out = new ArrayList<>();
        for (RawPeer.Frame f : p.readAvailable()) {
            out.add(f.header() + " " + new String(f.body(), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static List<String> reference(MemoryServer s, byte[] stream) {
        MemoryPeer p = s.connect(false);
        p.sendRaw(stream);
        List<String> ref = answers(p);
        assertEquals(6, ref.size(), "one answer per request: " + ref);
        return ref;
    }

    @Test
    void aConversationCutAtEveryByteGetsTheSameAnswers() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            for (int cut = 1; cut < stream.length; cut++) {
                MemoryPeer p = s.connect(false);
                p.sendSplit(stream, cut);
                assertEquals(ref, answers(p), "cut at byte " + cut);
            }
        }
    }

    @Test
    void aConversationFedOneByteAtATimeGetsTheSameAnswers() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            MemoryPeer p = s.connect(false);
            p.sendInChunks(stream, 1);
            assertEquals(ref, answers(p));
        }
    }

    @Test
    void aConversationCutInThreeAtRandomPointsGetsTheSameAnswers() throws Exception {
        Random rnd = new Random(SEED);
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            for (int i = 0; i < RANDOM_CUTS; i++) {
                int a = 1 + rnd.nextInt(stream.length - 2);
                int b = a + 1 + rnd.nextInt(stream.length - a - 1);
                MemoryPeer p = s.connect(false);
                p.sendSplit(stream, a, b);
                assertEquals(ref, answers(p), "cut at bytes " + a + " and " + b);
            }
        }
    }

    @Test
    void answersWrittenThroughSmallWritesArriveWholeAndInOrder() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            for (int capacity : new int[] {1, 2, 3, 5, 7, 8, 13, 64, 100, 1000}) {
                MemoryTransport t = new MemoryTransport(50_000 + capacity).maxBytesPerWrite(capacity);
                MemoryPeer p = s.connect(t, false);
                p.sendRaw(stream);
                assertEquals(ref, answers(p), capacity + " bytes per write");
                assertTrue(t.writeCalls() > 1, "the answers took several writes at " + capacity + " bytes each");
            }
        }
    }

    @Test
    void cutInputAndSmallWritesTogether() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            for (int chunk : new int[] {1, 3, 17}) {
                for (int capacity : new int[] {1, 4, 9}) {
                    MemoryTransport t = new MemoryTransport().maxBytesPerWrite(capacity);
                    MemoryPeer p = s.connect(t, false);
                    p.sendInChunks(stream, chunk);
                    assertEquals(ref, answers(p), "input in " + chunk + "-byte reads, " + capacity + " bytes per write");
                }
            }
        }
    }

    @Test
    void aPeerThatReadsInDribsGetsEveryAnswerAsRoomAppears() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config())) {
            byte[] stream = conversation(s.connect(false));
            List<String> ref = reference(s, stream);
            MemoryTransport t = new MemoryTransport().room(0);
            MemoryPeer p = s.connect(t, false);
            p.sendRaw(stream);
            assertEquals(0, t.outputSize(), "no room, nothing written");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 100_000 && got.size() < ref.size(); i++) {
                t.room(11); // the peer's window opens eleven bytes at a time
                got.addAll(answers(p));
            }
            assertEquals(ref, got);
        }
    }
}

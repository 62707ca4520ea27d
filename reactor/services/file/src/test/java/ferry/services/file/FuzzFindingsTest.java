package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.reactor.OpException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inputs the file-ops fuzzer found failures with, kept as plain regression tests. */
class FuzzFindingsTest {
    private static final String EMOJI = "\ud83d\ude00";

    @TempDir
    Path tmp;

    static void assertValidUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(++i)), "lone high surrogate in " + s);
            } else {
                assertFalse(Character.isLowSurrogate(c), "lone low surrogate in " + s);
            }
        }
    }

    /** The refusal of an over-long name quotes its start; it was cut in the middle of an emoji. */
    @Test
    void anOverLongNameIsQuotedWithoutSplittingACharacter() throws Exception {
        PathResolver r = new PathResolver(Files.createDirectories(tmp.resolve("root")).toRealPath(), 1024, 255);
        for (String name : new String[] {EMOJI.repeat(100), "y" + EMOJI.repeat(100)}) {
            OpException e = assertThrows(OpException.class, () -> r.resolve("", "in/" + name));
            assertEquals("bad_request", e.code());
            assertTrue(e.getMessage().contains("over the limit of 255"), e.getMessage());
            assertValidUnicode(e.getMessage());
        }
    }

    /** Over the wire, each of these lost the client its connection (EOF) instead of an ERROR. */
    @Test
    void refusalsQuotingAwkwardValuesArriveAsErrorsAndTheConnectionGoesOn() throws Exception {
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root")); FerryClient c = s.connect()) {
            // found: {"op":"PUT","path":"x.ferry-partial","fileSize":{"path":"😀😀...y//root"},...}
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "x")
                    .put("fileSize", Map.of("path", EMOJI.repeat(60) + "y//root"));
            c.send(put, ByteBuffer.wrap(new byte[10]));
            RemoteException e = assertThrows(RemoteException.class, () -> c.expect(c.readHeader(), "OK", put.id()));
            assertEquals("bad_request", e.code());
            assertValidUnicode(e.serverMessage());

            e = assertThrows(RemoteException.class, () -> c.call(Header.op("LIST").put("path", "y" + EMOJI.repeat(200))));
            assertEquals("bad_request", e.code());
            assertValidUnicode(e.serverMessage());

            e = assertThrows(RemoteException.class, () -> c.call(Header.op("\u0001".repeat(10_800))));
            assertEquals("unknown_op", e.code(), "an op whose quote would not fit in a header");
            e = assertThrows(RemoteException.class, () -> c.call(Header.op("STAT").put("path", "f").put("algorithm",
                    EMOJI.repeat(16_000))));
            assertEquals("bad_request", e.code(), "an algorithm name whose quote would not fit in a header");

            assertTrue(c.ping() > 0);
            assertEquals(0, s.server.loopErrors());
            assertEquals(0, s.server.stats().handlerErrors.sum());
        }
    }
}

package ferry.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameLimitsTest {
    @Test
    void defaults() {
        FrameLimits d = FrameLimits.DEFAULT;
        assertEquals(65536, d.maxHeaderBytes());
        assertEquals(Long.MAX_VALUE, d.maxBodyBytes());
        assertEquals(Json.DEFAULT_MAX_DEPTH, d.maxDepth());
        assertTrue(d.expectPreamble());
    }

    @Test
    void withersChangeOneField() {
        FrameLimits l = FrameLimits.DEFAULT.withMaxHeaderBytes(100).withMaxBodyBytes(7).withMaxDepth(3).withExpectPreamble(false);
        assertEquals(new FrameLimits(100, 7, 3, false), l);
        assertEquals(FrameLimits.DEFAULT, l.withMaxHeaderBytes(65536).withMaxBodyBytes(Long.MAX_VALUE)
                .withMaxDepth(Json.DEFAULT_MAX_DEPTH).withExpectPreamble(true));
        assertFalse(FrameLimits.DEFAULT.withExpectPreamble(false).expectPreamble());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> FrameLimits.DEFAULT.withMaxHeaderBytes(1));
        assertThrows(IllegalArgumentException.class, () -> FrameLimits.DEFAULT.withMaxBodyBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> FrameLimits.DEFAULT.withMaxDepth(0));
        FrameLimits.DEFAULT.withMaxHeaderBytes(2).withMaxBodyBytes(0).withMaxDepth(1);
    }

    @Test
    void zeroBodyLimitStillAllowsBodylessFrames() throws Exception {
        FrameDecoder d = new FrameDecoder(FrameLimits.DEFAULT.withMaxBodyBytes(0).withExpectPreamble(false));
        RecordingSink sink = new RecordingSink();
        d.decode(java.nio.ByteBuffer.wrap(TestBytes.concat(TestBytes.frame("{\"op\":\"A\",\"size\":0}"),
                TestBytes.frame("{\"op\":\"B\"}"))), sink);
        assertEquals(2, sink.frameEnds);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> d.decode(java.nio.ByteBuffer.wrap(TestBytes.frame("{\"size\":1}", new byte[1])), sink));
        assertEquals("body size 1 exceeds limit 0", e.getMessage());
    }
}

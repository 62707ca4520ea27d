package ferry.client;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Multi-byte characters split between writes (frames) decode right: the seed's GBK mix-up. */
class DecodingOutputStreamTest {
    static final Charset GBK = Charset.forName("GBK");
    static final String CHINESE = "中文 mixed with ASCII, 测试：粘包！";
    static final String UNICODE = "é ü 中 文 😀 𝄞 end";

    private static String decodeSplitAt(byte[] bytes, Charset cs, int split) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (DecodingOutputStream out = new DecodingOutputStream(sb, cs)) {
            out.write(bytes, 0, split);
            out.write(bytes, split, bytes.length - split);
        }
        return sb.toString();
    }

    @Test
    void gbkSplitAtEveryByteBoundary() throws IOException {
        byte[] b = CHINESE.getBytes(GBK);
        boolean naiveBroke = false;
        for (int i = 0; i <= b.length; i++) {
            assertEquals(CHINESE, decodeSplitAt(b, GBK, i), "split at " + i);
            String naive = new String(b, 0, i, GBK) + new String(b, i, b.length - i, GBK);
            naiveBroke |= !naive.equals(CHINESE);
        }
        assertTrue(naiveBroke, "the splits must cut characters, or this test proves nothing");
    }

    @Test
    void utf8SplitAtEveryByteBoundaryIncludingFourByteCharacters() throws IOException {
        byte[] b = UNICODE.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i <= b.length; i++) {
            assertEquals(UNICODE, decodeSplitAt(b, StandardCharsets.UTF_8, i), "split at " + i);
        }
    }

    @Test
    void oneByteAtATime() throws IOException {
        for (Charset cs : new Charset[] {GBK, StandardCharsets.UTF_8}) {
            String text = cs == GBK ? CHINESE : UNICODE;
            StringBuilder sb = new StringBuilder();
            try (DecodingOutputStream out = new DecodingOutputStream(sb, cs)) {
                for (byte x : text.getBytes(cs)) {
                    out.write(x);
                }
            }
            assertEquals(text, sb.toString(), cs.name());
        }
    }

    @Test
    void largeInputInOddChunksThroughTheInternalBuffers() throws IOException {
        String text = CHINESE.repeat(5000); // well past the 8 KiB buffers
        byte[] b = text.getBytes(GBK);
        StringBuilder sb = new StringBuilder();
        try (DecodingOutputStream out = new DecodingOutputStream(sb, GBK)) {
            for (int off = 0; off < b.length; off += 1001) {
                out.write(b, off, Math.min(1001, b.length - off));
            }
        }
        assertEquals(text, sb.toString());
    }

    @Test
    void flushKeepsAnIncompleteCharacterForTheNextWrite() throws IOException {
        byte[] b = "中".getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        DecodingOutputStream out = new DecodingOutputStream(sb, StandardCharsets.UTF_8);
        out.write(new byte[] {'a', b[0]});
        out.flush();
        assertEquals("a", sb.toString());
        out.write(Arrays.copyOfRange(b, 1, 3));
        out.flush();
        assertEquals("a中", sb.toString());
    }

    @Test
    void truncatedAtTheEndAndInvalidBytesBecomeReplacementCharacters() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (DecodingOutputStream out = new DecodingOutputStream(sb, StandardCharsets.UTF_8)) {
            out.write(new byte[] {'o', 'k', (byte) 0xFF, 'x', (byte) 0xE4, (byte) 0xB8});
        }
        assertEquals("ok\uFFFDx\uFFFD", sb.toString());
    }
}

package ferry.cli;

import ferry.cli.command.SecretLine;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class SecretLineTest {
    private static char[] read(byte[] in, int max) throws Exception {
        ByteArrayInputStream s = new ByteArrayInputStream(in);
        return SecretLine.read(s::read, max);
    }

    @Test
    void readsOneLineAsCharactersWithoutItsLineEnd() throws Exception {
        assertArrayEquals("pässwörd".toCharArray(), read("pässwörd\r\nnext\n".getBytes(StandardCharsets.UTF_8), 64));
        assertArrayEquals("last".toCharArray(), read("last".getBytes(StandardCharsets.UTF_8), 64));
        assertArrayEquals(new char[0], read("\n".getBytes(StandardCharsets.UTF_8), 64));
        assertNull(read(new byte[0], 64), "end of input before any byte");
    }

    @Test
    void refusesLongLinesAndInvalidUtf8() {
        assertTrue(assertThrows(SecretLine.BadLineException.class, () -> read("123456789\n".getBytes(StandardCharsets.UTF_8), 8))
                .getMessage().contains("longer than 8"));
        assertTrue(assertThrows(SecretLine.BadLineException.class, () -> read(new byte[] {(byte) 0xC3, '\n'}, 8))
                .getMessage().contains("UTF-8"));
    }
}

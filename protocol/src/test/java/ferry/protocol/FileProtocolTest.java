package ferry.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileProtocolTest {
    @Test
    void nameOrderIsCodePointOrder_notUtf16Order() {
        assertTrue(FileProtocol.NAME_ORDER.compare("\uFF21", "\uD83D\uDE00") < 0, "U+FF21 before U+1F600");
        assertTrue(FileProtocol.NAME_ORDER.compare("a", "ab") < 0, "a prefix first");
        assertTrue(FileProtocol.NAME_ORDER.compare("ab", "a") > 0);
        assertEquals(0, FileProtocol.NAME_ORDER.compare("\uD83D\uDE00x", "\uD83D\uDE00x"));
    }

    @Test
    void nameOrderIsUtf8ByteOrder() {
        List<String> names = new ArrayList<>(List.of("\uD83D\uDE00", "\uFFFD", "\uE000", "z", "\u00E9", "a\uD83D\uDE00",
                "a\uFF21", "", "A", "\u0800", "\uD7FF"));
        List<String> byBytes = new ArrayList<>(names);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        names.sort(FileProtocol.NAME_ORDER);
        assertEquals(byBytes, names);
    }

    @Test
    void maxMtimeIsTheLastMillisecondOfInt64Nanoseconds() {
        assertEquals(Instant.parse("2262-04-11T23:47:16.854Z"), Instant.ofEpochMilli(FileProtocol.MAX_MTIME_MILLIS));
        Math.multiplyExact(FileProtocol.MAX_MTIME_MILLIS, 1_000_000L); // fits
        assertThrows(ArithmeticException.class, () -> Math.multiplyExact(FileProtocol.MAX_MTIME_MILLIS + 1, 1_000_000L));
    }
}

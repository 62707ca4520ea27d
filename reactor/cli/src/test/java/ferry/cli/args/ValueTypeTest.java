package ferry.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTypeTest {
    private static String error(ValueType<?> type, String text) {
        return assertThrows(IllegalArgumentException.class, () -> type.parse(text)).getMessage();
    }

    @Test
    void numbersAre64BitsWideAndRangeChecked() {
        ValueType<Long> pid = ValueType.number(1, Long.MAX_VALUE);
        assertEquals(5_000_000_000L, pid.parse("5_000_000_000"));
        assertEquals("0 is out of range (1 to 9223372036854775807)", error(pid, "0"));
        assertEquals("'x' is not a whole number", error(pid, "x"));
        assertEquals(7, ValueType.integer(1, 10).parse("7"));
        assertEquals("11 is out of range (1 to 10)", error(ValueType.integer(1, 10), "11"));
    }

    @Test
    void nanosecondDurationsTakeMicrosecondsAndFormatBack() {
        ValueType<Long> d = ValueType.durationNanos(0, 86_400_000_000_000L);
        assertEquals(250_000L, d.parse("250us"));
        assertEquals(1_500_000_000L, d.parse("1500ms"));
        assertEquals(120_000_000_000L, d.parse("2m"));
        assertEquals(0L, d.parse("0"));
        assertEquals("2s", d.format(2_000_000_000L));
        assertEquals("1ms250us", d.format(1_250_000L));
        assertTrue(error(d, "soon").contains("'soon' is not a duration"));
        assertTrue(error(d, "10").contains("needs a unit"));
        assertEquals("2d is out of range (0 to 1d)", error(d, "2d"));
    }

    @Test
    void typedCommaListsReportTheBadItem() {
        ValueType<List<String>> dims = ValueType.listOf(ValueType.choice("nodelay", "write-pattern"));
        assertEquals(List.of("nodelay", "write-pattern"), dims.parse("nodelay, write-pattern"));
        assertEquals("nodelay", dims.format(List.of("nodelay")));
        assertEquals("'nagle' is not one of nodelay, write-pattern", error(dims, "nodelay,nagle"));
        assertTrue(error(dims, "nodelay,,split").contains("empty item"));
        assertEquals("needs at least one item", error(dims, ""));
        ValueType<List<Integer>> ports = ValueType.listOf(ValueType.integer(1, 65535));
        assertEquals(List.of(80, 443), ports.parse("80,443"));
    }

    @Test
    void aBadListItemIsOneUsageLineNamingTheOption() throws Exception {
        Option<List<String>> compare = Option.value("compare", "DIM,...",
                ValueType.listOf(ValueType.choice("nodelay", "write-pattern")), List.of(), "c");
        ArgParser p = new ArgParser(List.of(compare), Map.of());
        assertEquals(List.of("write-pattern"), p.parse(List.of("--compare=write-pattern")).get(compare));
        String msg = assertThrows(UsageException.class, () -> p.parse(List.of("--compare", "nagle"))).getMessage();
        assertEquals("invalid value for --compare: 'nagle' is not one of nodelay, write-pattern", msg);
    }
}

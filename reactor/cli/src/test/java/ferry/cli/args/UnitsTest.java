package ferry.cli.args;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

public class UnitsTest {
    @Test
    void parsesSizesInPowersOf1024() {
        assertEquals(0, Units.parseSize("0"));
        assertEquals(512, Units.parseSize("512"));
        assertEquals(65536, Units.parseSize("64k"));
        assertEquals(65536, Units.parseSize("64K"));
        assertEquals(65536, Units.parseSize("64KiB"));
        assertEquals(65536, Units.parseSize("64kb"));
        assertEquals(1L << 20, Units.parseSize("1m"));
        assertEquals(2L << 30, Units.parseSize("2g"));
        assertEquals(3L << 40, Units.parseSize("3t"));
        assertEquals(1536L * 1024, Units.parseSize("1.5m"));
        assertEquals(100, Units.parseSize(" 100b "));
        assertEquals(5L << 30, Units.parseSize("5g"), "sizes are 64-bit");
    }

    @Test
    void rejectsBadSizesWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("abc")).getMessage().contains("not a size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("10x")).getMessage().contains("unknown size unit 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("-1k")).getMessage().contains("not a size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("99999999t")).getMessage().contains("too large"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize(""));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("k"));
    }

    @Test
    void parsesDurationsWithUnitsOnly() {
        assertEquals(0, Units.parseDurationMillis("0"));
        assertEquals(500, Units.parseDurationMillis("500ms"));
        assertEquals(30_000, Units.parseDurationMillis("30s"));
        assertEquals(300_000, Units.parseDurationMillis("5m"));
        assertEquals(3_600_000, Units.parseDurationMillis("1h"));
        assertEquals(86_400_000, Units.parseDurationMillis("1d"));
        assertEquals(90_000, Units.parseDurationMillis("1m30s"));
        assertEquals(1_500, Units.parseDurationMillis("1.5s"));
        String bare = assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("30")).getMessage();
        assertTrue(bare.contains("needs a unit") && bare.contains("30s"), bare);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("5y")).getMessage().contains("unknown time unit 'y'"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("s"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("99999999999999d"));
    }

    @Test
    void nanosecondDurationsAddMicrosAndNanos() {
        assertEquals(250_000, Units.parseDurationNanos("250us"));
        assertEquals(7, Units.parseDurationNanos("7ns"));
        assertEquals(1_500_000_000L, Units.parseDurationNanos("1.5s"));
        assertEquals(90_000_000_000L, Units.parseDurationNanos("1m30s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("250us")).getMessage()
                .contains("unknown time unit 'us' (use ms, s, m, h or d)"), "milliseconds stay milliseconds");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDurationNanos("3")).getMessage()
                .contains("needs a unit (ns, us, ms, s, m, h or d)"));
        for (long v : new long[] {0, 1, 999, 250_000, 1_250_000, 2_000_000_000L, 90_000_000_123L, 86_400_000_000_000L}) {
            assertEquals(v, Units.parseDurationNanos(Units.formatDurationNanosSetting(v)), "nanos " + v);
        }
        assertEquals("1m30s123ns", Units.formatDurationNanosSetting(90_000_000_123L));
    }

    @Test
    void settingFormatsRoundTrip() {
        for (long v : new long[] {0, 1, 1000, 1024, 65536, 3L << 20, 5L << 30, 1025, 7L << 40, Long.MAX_VALUE / 2}) {
            assertEquals(v, Units.parseSize(Units.formatSizeSetting(v)), "size " + v);
        }
        assertEquals("64k", Units.formatSizeSetting(65536));
        assertEquals("1m", Units.formatSizeSetting(1 << 20));
        assertEquals("1000", Units.formatSizeSetting(1000));
        for (long v : new long[] {0, 1, 250, 1000, 30_000, 90_000, 300_000, 3_600_000, 86_400_000, 90_061_001}) {
            assertEquals(v, Units.parseDurationMillis(Units.formatDurationSetting(v)), "duration " + v);
        }
        assertEquals("5m", Units.formatDurationSetting(300_000));
        assertEquals("1m30s", Units.formatDurationSetting(90_000));
        assertEquals("250ms", Units.formatDurationSetting(250));
    }

    @Test
    void humanSizes() {
        assertEquals("0 B", Units.formatSize(0));
        assertEquals("1023 B", Units.formatSize(1023));
        assertEquals("1.0 KiB", Units.formatSize(1024));
        assertEquals("1.5 KiB", Units.formatSize(1536));
        assertEquals("64.0 KiB", Units.formatSize(65536));
        assertEquals("1.0 MiB", Units.formatSize(1024 * 1024 - 1), "rounds up to the next unit, not '1024.0 KiB'");
        assertEquals("2.9 GiB", Units.formatSize(3_113_851_290L));
        assertEquals("5.0 TiB", Units.formatSize(5L << 40));
        assertEquals("8.0 EiB", Units.formatSize(Long.MAX_VALUE));
    }

    @Test
    void ratesEtaAndElapsed() {
        assertEquals("105.3 MiB/s", Units.formatRate(105.3 * 1024 * 1024));
        assertEquals("0 B/s", Units.formatRate(0));
        assertEquals("-- B/s", Units.formatRate(Double.NaN));
        assertEquals("0:17", Units.formatEta(16.2));
        assertEquals("12:05", Units.formatEta(725));
        assertEquals("1:02:03", Units.formatEta(3723));
        assertEquals("--:--", Units.formatEta(Double.NaN));
        assertEquals("--:--", Units.formatEta(Double.POSITIVE_INFINITY));
        assertEquals("350 ms", Units.formatElapsed(350_000_000L));
        assertEquals("27.8 s", Units.formatElapsed(27_800_000_000L));
        assertEquals("4:05", Units.formatElapsed(245_000_000_000L));
        assertEquals("1:02:03", Units.formatElapsed(3_723_000_000_000L));
    }
}

package ferry.cli.remote;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AdminClient.LiveConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rates {@code ferry top} computes from two WHO samples, its order, and what it prints. */
class ConnectionTableTest {
    private static LiveConnection conn(long id, long ageMs, long in, long out) {
        return new LiveConnection(id, "u" + id, "127.0.0.1:" + (40000 + id), ageMs, null, 0, in, out, false);
    }

    @Test
    void ratesUseTheServersClockAndOnlyConnectionsSeenTwice() {
        List<LiveConnection> before = List.of(conn(1, 1000, 100, 100), conn(2, 5000, 0, 0));
        List<LiveConnection> now = List.of(conn(1, 3000, 100, 4100), conn(2, 5500, 0, 1000), conn(3, 10, 50, 50));
        Map<Long, Double> rates = ConnectionTable.rates(before, now);
        assertEquals(2000.0, rates.get(1L), 1e-9, "4000 bytes over 2000 ms of the connection's age");
        assertEquals(2000.0, rates.get(2L), 1e-9, "1000 bytes over 500 ms");
        assertFalse(rates.containsKey(3L), "new since the first sample: no rate yet");
        assertEquals(List.of(1L, 2L, 3L), ConnectionTable.byRate(now, rates).stream().map(LiveConnection::id).toList(),
                "equal rates by bytes moved; no rate last");
        assertEquals(List.of(2L, 1L), ConnectionTable.byRate(now.subList(0, 2), Map.of(1L, 1.0, 2L, 5.0)).stream()
                .map(LiveConnection::id).toList());
    }

    @Test
    void printsOneRowPerConnectionWithoutTheServersControlCharacters() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveConnection evil = new LiveConnection(7, "ev\033[2Jil", "10.0.0.5:5", 3_723_000, "GET", 1, 2048, 0, true);
        ConnectionTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(evil), Map.of(7L, 1536.0));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("ID "), lines[0]);
        assertFalse(lines[1].contains("\033"), lines[1]);
        for (String part : new String[] {"c7 ", "ev?[2Jil", "10.0.0.5:5", "1h02m", "GET*", "2.0 KiB", "1.5 KiB/s"}) {
            assertTrue(lines[1].contains(part), part + " in " + lines[1]);
        }
        assertEquals("59s", ConnectionTable.age(59_999));
        assertEquals("2d03h", ConnectionTable.age((2 * 86_400 + 3 * 3600 + 5) * 1000L));
    }
}

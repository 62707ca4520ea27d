package ferry.cli.args;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

public class SuggestTest {
    private static final List<String> OPTIONS = List.of("workers", "worker-queue", "loops", "max-connections",
            "max-connections-per-address", "idle-timeout", "root", "listen");

    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(0, Suggest.distance("root", "root"));
        assertEquals(1, Suggest.distance("wokers", "workers"), "one deletion");
        assertEquals(1, Suggest.distance("wrokers", "workers"), "a swap of neighbours is one edit");
        assertEquals(1, Suggest.distance("rot", "root"));
        assertEquals(4, Suggest.distance("", "root"));
        assertEquals(3, Suggest.distance("kitten", "sitting"));
    }

    @Test
    void suggestsCloseNamesOnly() {
        assertEquals("workers", Suggest.closest("wokers", OPTIONS));
        assertEquals("workers", Suggest.closest("wrokers", OPTIONS));
        assertEquals("listen", Suggest.closest("lisen", OPTIONS));
        assertEquals("idle-timeout", Suggest.closest("idle-timout", OPTIONS));
        assertEquals("max-connections", Suggest.closest("max-conn", OPTIONS), "an abbreviation");
        assertNull(Suggest.closest("verbose", OPTIONS), "nothing close");
        assertNull(Suggest.closest("x", OPTIONS));
    }
}

package ferry.cli.shell;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

public class ShellHistoryTest {
    @Test
    void aRepeatOfTheCommandBeforeIsNotAddedAgain() {
        ShellHistory h = new ShellHistory();
        h.add("ping");
        h.add("ping");
        h.add("info");
        h.add("ping");
        assertEquals(List.of("ping", "info", "ping"), h.entries(), "Up shows each command once; an older repeat stays");
        assertEquals("info", h.expand("!2"), "numbers count what was kept");
    }
}

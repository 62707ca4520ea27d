package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.services.auth.AuthSettings;
import ferry.services.exec.ExecConfig;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every settings builder refuses an out-of-range value with the same message, naming the setting. */
class ConfigCheckTest {
    @Test
    void boundsAreInclusiveAndTheMessageNamesSettingRangeAndValue() {
        assertEquals(5, ConfigCheck.range(5, 5, 9, "x"));
        assertEquals(9L, ConfigCheck.range(9L, 5L, 9L, "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.range(10, 5, 9, "x"));
        assertEquals("x must be in [5, 9]: 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.range(-1L, 0L, 1L << 40, "y"));
        assertEquals("y must be in [0, 1099511627776]: -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.require(null, "root"));
        assertEquals("root must not be null", e.getMessage());
    }

    @Test
    void eachBuilderUsesIt() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder().idleTimeoutMillis(-1))
                .getMessage().startsWith("idleTimeoutMillis must be in ["));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().maxTracked(1))
                .getMessage().startsWith("maxTracked must be in [2, "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExecConfig.builder(Path.of("/tmp")).maxRunning(0))
                .getMessage().startsWith("exec maxRunning must be in [1, 4096]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FileServiceConfig.builder(Path.of("/tmp")).root(null))
                .getMessage().startsWith("root must not be null"));
    }
}

package ferry.cli.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.args.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludesTest {
    @Test
    void aPatternWithoutSlashMatchesANameAtAnyDepth() throws Exception {
        Excludes e = Excludes.of(List.of("*.tmp", "node_modules"));
        assertTrue(e.excludes("a.tmp", false));
        assertTrue(e.excludes("deep/er/b.tmp", false));
        assertTrue(e.excludes("web/node_modules", true));
        assertFalse(e.excludes("a.tmp.keep", false));
        assertFalse(e.excludes("tmp", false));
    }

    @Test
    void aPatternWithSlashMatchesFromTheTop() throws Exception {
        Excludes e = Excludes.of(List.of("build/out", "/cache"));
        assertTrue(e.excludes("build/out", true));
        assertFalse(e.excludes("x/build/out", true));
        assertTrue(e.excludes("cache", true));
        assertFalse(e.excludes("x/cache", true), "a leading / anchors");
    }

    @Test
    void aTrailingSlashMatchesFoldersOnly() throws Exception {
        Excludes e = Excludes.of(List.of("logs/"));
        assertTrue(e.excludes("logs", true));
        assertTrue(e.excludes("app/logs", true));
        assertFalse(e.excludes("logs", false));
    }

    @Test
    void aMalformedOrEmptyPatternIsAUsageError() {
        assertThrows(UsageException.class, () -> Excludes.of(List.of("[abc")));
        assertThrows(UsageException.class, () -> Excludes.of(List.of("/")));
    }
}

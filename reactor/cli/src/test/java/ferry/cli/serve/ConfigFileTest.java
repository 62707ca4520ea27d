package ferry.cli.serve;

import ferry.cli.args.UsageException;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ConfigFileTest {
    private static List<ConfigFile.Entry> parse(String text) throws UsageException {
        return ConfigFile.parse(text, "f.conf");
    }

    private static String error(String text) {
        return assertThrows(UsageException.class, () -> parse(text)).getMessage();
    }

    @Test
    void keyValueLinesCommentsAndBlankLines() throws Exception {
        List<ConfigFile.Entry> e = parse("""
                # a comment
                workers = 16

                   idle-timeout=5m   # trailing comment
                root = /srv/ferry#not-a-comment
                """);
        assertEquals(List.of(
                new ConfigFile.Entry("workers", "16", 2),
                new ConfigFile.Entry("idle-timeout", "5m", 4),
                new ConfigFile.Entry("root", "/srv/ferry#not-a-comment", 5)), e);
    }

    @Test
    void quotedValuesKeepHashesAndSpaces() throws Exception {
        List<ConfigFile.Entry> e = parse("server-name = \"ferry #2 \\\"main\\\" \\\\ \"  # comment\nroot = \"\"\n");
        assertEquals("ferry #2 \"main\" \\ ", e.get(0).value());
        assertEquals("", e.get(1).value());
    }

    @Test
    void windowsLineEndingsAndBomAreFine() throws Exception {
        List<ConfigFile.Entry> e = parse("\uFEFFworkers = 2\r\nloops = 1\r\n");
        assertEquals("workers", e.get(0).key());
        assertEquals("2", e.get(0).value());
        assertEquals("1", e.get(1).value());
    }

    @Test
    void errorsNameFileAndLine() {
        assertEquals("f.conf:2: expected 'key = value', got 'workers 16'", error("# ok\nworkers 16\n"));
        assertEquals("f.conf:3: 'workers' was already set on line 1", error("workers = 1\nloops = 1\nworkers = 2\n"));
        assertTrue(error("Workers = 1").startsWith("f.conf:1: 'Workers' is not a key"));
        assertTrue(error("= 1").startsWith("f.conf:1: '' is not a key"));
        assertEquals("f.conf:1: unterminated quoted value", error("server-name = \"abc"));
        assertTrue(error("server-name = \"abc\" def").contains("unexpected text after the quoted value"));
    }

    @Test
    void unreadableFileIsAUsageErrorNamingIt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.conf");
        String m = assertThrows(UsageException.class, () -> ConfigFile.read(missing)).getMessage();
        assertTrue(m.startsWith("cannot read config file " + missing), m);
        Path bad = dir.resolve("bad.conf");
        Files.write(bad, new byte[] {'a', '=', (byte) 0xFF});
        assertTrue(assertThrows(UsageException.class, () -> ConfigFile.read(bad)).getMessage().contains("not valid UTF-8"));
    }
}

package ferry.cli.args;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class ArgParserTest {
    private final Option<Boolean> quiet = Option.flag("quiet", "q").shortName('q');
    private final Option<Boolean> verbose = Option.flag("verbose", "v").shortName('v');
    private final Option<Integer> count = Option.value("count", "N", ValueType.integer(1, 100), 4, "c").shortName('c');
    private final Option<Long> timeout = Option.value("idle-timeout", "DURATION", ValueType.duration(1, 1_000_000), 5000L, "t");
    private final Option<Boolean> nodelay = Option.toggle("tcp-nodelay", true, "n");
    private final Option<List<String>> allow = Option.list("exec-allow", "CMD,...", "a");
    private final ArgParser parser = new ArgParser(List.of(quiet, verbose, count, timeout, nodelay, allow),
            Map.of("root", "it is an option of 'ferry serve': put it after the command"));

    private ParsedArgs parse(String... args) throws UsageException {
        return parser.parse(List.of(args));
    }

    private String error(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsWhenAbsent() throws Exception {
        ParsedArgs a = parse();
        assertEquals(4, a.get(count));
        assertEquals(5000L, a.get(timeout));
        assertTrue(a.get(nodelay));
        assertFalse(a.get(quiet));
        assertFalse(a.has(count));
        assertEquals(List.of(), a.get(allow));
    }

    @Test
    void longOptionsWithSpaceOrEquals() throws Exception {
        assertEquals(7, parse("--count", "7").get(count));
        assertEquals(8, parse("--count=8").get(count));
        assertEquals(30_000L, parse("--idle-timeout=30s").get(timeout));
        assertTrue(parse("--count", "7").has(count));
    }

    @Test
    void shortOptionsCombineAndTakeAttachedValues() throws Exception {
        ParsedArgs a = parse("-qv", "-c3");
        assertTrue(a.get(quiet));
        assertTrue(a.get(verbose));
        assertEquals(3, a.get(count));
        assertEquals(9, parse("-c", "9").get(count));
        assertEquals(5, parse("-qc5").get(count), "a valued short option may end a group");
    }

    @Test
    void negatableSwitches() throws Exception {
        assertFalse(parse("--no-tcp-nodelay").get(nodelay));
        assertTrue(parse("--no-tcp-nodelay", "--tcp-nodelay").get(nodelay), "the last one wins");
        assertTrue(error("--no-quiet").contains("unknown option '--no-quiet'"), "only toggles have a --no- form");
    }

    @Test
    void positionalsMixWithOptionsAndDashDashEndsOptions() throws Exception {
        ParsedArgs a = parse("host", "-q", "path", "--", "-c", "--x", "-");
        assertEquals(List.of("host", "path", "-c", "--x", "-"), a.positionals());
        assertTrue(a.get(quiet));
        assertEquals(4, a.get(count), "-c after -- is positional");
        assertEquals(2, a.positionalsBeforeDashDash());
        assertEquals(-1, parse("a").positionalsBeforeDashDash());
        assertEquals(List.of("-"), parse("-").positionals(), "a lone dash is stdin/stdout");
    }

    @Test
    void stopAtPositionalLeavesTheRestUnparsed() throws Exception {
        ParsedArgs a = parser.parse(List.of("-q", "serve", "--root", "x", "--bogus"), true);
        assertTrue(a.get(quiet));
        assertEquals(List.of("serve", "--root", "x", "--bogus"), a.positionals());
    }

    @Test
    void repeatableListsAccumulateOtherOptionsKeepTheLast() throws Exception {
        ParsedArgs a = parse("--exec-allow", "ls,df", "--exec-allow=uptime", "-c", "2", "-c", "3");
        assertEquals(List.of("ls", "df", "uptime"), a.get(allow));
        assertEquals(3, a.get(count));
    }

    @Test
    void errorsAreOneClearLine() {
        assertEquals("unknown option '--cuont' (did you mean '--count'?)", error("--cuont", "3"));
        assertEquals("unknown option '--tcp-nodelai' (did you mean '--tcp-nodelay'?)", error("--tcp-nodelai"));
        assertEquals("unknown option '--no-tcp-nodelai' (did you mean '--no-tcp-nodelay'?)", error("--no-tcp-nodelai"));
        assertEquals("unknown option '--root' (it is an option of 'ferry serve': put it after the command)",
                error("--root", "x"));
        assertEquals("unknown option '--frobnicate'", error("--frobnicate"));
        assertEquals("unknown option '-x'", error("-x"));
        assertEquals("option '--count' needs a value (N)", error("--count"));
        assertEquals("option '-c' needs a value (N)", error("-c"));
        assertEquals("invalid value for --count: 'many' is not a whole number", error("--count", "many"));
        assertEquals("invalid value for -c: 500 is out of range (1 to 100)", error("-c", "500"));
        assertTrue(error("--idle-timeout", "30").contains("needs a unit"));
        assertEquals("option '--quiet' takes no value", error("--quiet=yes"));
        assertEquals("option '--tcp-nodelay' takes no value (use --tcp-nodelay or --no-tcp-nodelay)",
                error("--tcp-nodelay=false"));
        for (String m : new String[] {error("--cuont"), error("-c", "x")}) {
            assertFalse(m.contains("\n"));
        }
    }

    @Test
    void duplicateDeclarationsAreABug() {
        assertThrows(IllegalStateException.class, () -> new ArgParser(List.of(quiet, Option.flag("quiet", "again"))));
        assertThrows(IllegalStateException.class, () -> new ArgParser(List.of(quiet, Option.flag("quick", "q").shortName('q'))));
    }
}

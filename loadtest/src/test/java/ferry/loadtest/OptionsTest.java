package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void defaultsDependOnTheScenario() {
        Options ping = Options.parse(new String[] {"ping"});
        assertEquals(1, ping.connections);
        assertEquals(1, ping.depth);
        assertEquals(0, ping.bodyBytes);
        assertEquals(Options.DEFAULT_WARMUP_NANOS, ping.warmupNanos);
        assertTrue(ping.isInProcess());

        Options pipe = Options.parse(new String[] {"pipeline"});
        assertEquals(64, pipe.connections);
        assertEquals(16, pipe.depth);
        assertEquals(64, pipe.bodyBytes);

        Options idle = Options.parse(new String[] {"idle", "-c", "10000"});
        assertEquals(10000, idle.connections);
        assertEquals(0, idle.warmupNanos);
        assertEquals(Options.DEFAULT_IDLE_HOLD_NANOS, idle.durationNanos);
    }

    @Test
    void parsesDurationsSizesAndInlineValues() {
        Options o = Options.parse(new String[] {"pipeline", "--duration=1500ms", "--warmup", "250us", "-s", "16k",
                "--max-time", "2m", "--nodelay", "off", "--write-pattern", "split", "--target", "127.0.0.1:7373"});
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), o.durationNanos);
        assertEquals(TimeUnit.MICROSECONDS.toNanos(250), o.warmupNanos);
        assertEquals(16 * 1024, o.bodyBytes);
        assertEquals(TimeUnit.MINUTES.toNanos(2), o.runDeadlineNanos());
        assertFalse(o.noDelay);
        assertEquals(WritePattern.SPLIT, o.pattern);
        assertFalse(o.controlsServer());
    }

    @Test
    void everyRunHasADeadlineEvenWithARequestCount() {
        Options o = Options.parse(new String[] {"ping", "--requests", "1000000000"});
        assertTrue(o.runDeadlineNanos() > 0);
        assertTrue(o.runDeadlineNanos() < TimeUnit.MINUTES.toNanos(5));
    }

    @Test
    void compareProducesOneVariantPerSetting() {
        List<Variant> nd = Options.parse(new String[] {"ping", "--compare", "nodelay"}).variants();
        assertEquals(2, nd.size());
        assertTrue(nd.get(0).noDelay());
        assertFalse(nd.get(1).noDelay());
        assertEquals("nodelay on", nd.get(0).label());
        List<Variant> both = Options.parse(new String[] {"ping", "--compare", "nodelay,write-pattern"}).variants();
        assertEquals(4, both.size());
        assertEquals("nodelay off · split", both.get(3).label());
        assertEquals(1, Options.parse(new String[] {"ping"}).variants().size());
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertMessage("a scenario is required", new String[] {});
        assertMessage("unknown option '--bogus'", new String[] {"ping", "--bogus", "1"});
        assertMessage("-c must be in [1, 1000000], got 0", new String[] {"ping", "-c", "0"});
        assertMessage("--duration must be an integer", new String[] {"ping", "--duration", "soon"});
        assertMessage("--compare takes nodelay, write-pattern", new String[] {"ping", "--compare", "nagle"});
        assertMessage("--write-pattern must be coalesced or split", new String[] {"ping", "--write-pattern", "x"});
        assertMessage("--target must be inprocess, spawn or HOST:PORT", new String[] {"ping", "--target", "nowhere"});
        assertMessage("--server-cpus needs --target spawn", new String[] {"ping", "--server-cpus", "0"});
        assertMessage("-c needs a value", new String[] {"ping", "-c"});
    }

    @Test
    void fileScenarioOptionsAndWhatTheyRefuse() {
        Options get = Options.parse(new String[] {"get", "-c", "8", "-d", "4", "--file-size", "64m"});
        assertEquals(64L << 20, get.fileBytes);
        assertTrue(get.mix().isOnly(OpKind.GET));
        assertFalse(get.putVerify);
        assertTrue(get.serverSync);
        assertEquals(Options.DEFAULT_GET_VERIFY_EVERY, get.getVerifyEvery);
        Options mixed = Options.parse(new String[] {"mixed", "--mix", "get=3,put=1", "--put-verify", "on"});
        assertEquals("get=3,put=1", mixed.mix().toString());
        assertTrue(mixed.putVerify);
        assertEquals(Mix.DEFAULT_MIXED, Options.parse(new String[] {"mixed"}).mix().toString());
        assertEquals(Options.DEFAULT_FILE_BYTES, Options.parse(new String[] {"put"}).fileBytes);

        assertMessage("--depth above 1 is for get only", new String[] {"put", "-d", "2"});
        assertMessage("--depth above 1 is for get only", new String[] {"mixed", "-d", "2"});
        assertMessage("unknown request kind 'del'", new String[] {"mixed", "--mix", "get=1,del=2"});
        assertMessage("--mix needs a positive weight", new String[] {"mixed", "--mix", "get=0"});
        assertMessage("--mix goes with the mixed scenario", new String[] {"get", "--mix", "get=1"});
        assertMessage("--root and --mix go with the get, put and mixed", new String[] {"ping", "--root", "/tmp/x"});
        assertMessage("--root and --server-sync need --target inprocess or spawn",
                new String[] {"get", "--target", "127.0.0.1:7373", "--server-sync", "off"});
        assertMessage("--user and --password-file go together", new String[] {"get", "--user", "bench"});
    }

    private static void assertMessage(String expected, String[] args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

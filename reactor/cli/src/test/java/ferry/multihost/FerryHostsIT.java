package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ferry.multihost.tool.HostTool;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fixture's own tools, which the round-2 transfer tests will trust: test data and digests made
 * inside a host, files written into it, and a background command that is awaited, fed and killed.
 * One client-only host (no server JVM to wait for).
 */
@MultiHost
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FerryHostsIT {
    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.builder().client("ferry-t").build();

    private final FerryHost host = HOSTS.get("ferry-t");

    @Test
    void randomFileIsTheSeededBytesAndEveryDigestAgrees() throws Exception {
        int size = 8 * 1024 * 1024 + 5;
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(HostTool.randomBytes(size, 11)));
        assertEquals(expected, host.createRandomFile("/data/r", size, 11), "digest printed while writing");
        assertEquals(expected, host.sha256("/data/r"), "digest read back by Java");
        assertEquals(expected, host.sha256sum("/data/r"), "digest read back by busybox sha256sum");
        assertEquals(size, host.size("/data/r"));
    }

    @Test
    void writtenFileReadsBack() throws Exception {
        host.writeFile("/data/users", "alice:secret\nbob:hunter2\n");
        assertEquals("alice:secret\nbob:hunter2", host.execOk("cat", "/data/users").line());
    }

    @Test
    void backgroundCommandIsAwaitedFedAndKilledByPid() throws Exception {
        try (BackgroundExec bg = host.start("sh", "-c", "printf 'step 1\\rstep 2\\r'; echo waiting; read x; echo got $x; exec sleep 600")) {
            bg.awaitLine("^step 2$", Duration.ofSeconds(30)); // a \r-terminated progress line
            bg.awaitLine("^waiting$", Duration.ofSeconds(30));
            bg.sendLine("hello");
            bg.awaitLine("^got hello$", Duration.ofSeconds(30));
            bg.kill("KILL");
            assertEquals(128 + 9, bg.waitFor(Duration.ofSeconds(30)).exitCode(), "killed by SIGKILL");
        }
    }
}

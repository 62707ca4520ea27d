package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The faults the round-2 transfer tests inject, on a live connection from client host
 * {@code ferry-a} to server host {@code ferry-b}: what the client sees (a clean error within its
 * read timeout, never a hang) and that the server is usable again once the fault is undone.
 */
@MultiHost
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FaultInjectionIT {
    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.builder().client("ferry-a").server("ferry-b").build();

    /** The client's longest silence before it gives up; every fault here lasts longer. */
    private static final String CLIENT_READ_TIMEOUT_MS = "2000";
    /** Far above the read timeout: a client still running then is hung. */
    private static final Duration NO_HANG = Duration.ofSeconds(60);
    private static final ClientOptions TEST_JVM_CLIENT = ClientOptions.defaults().withReadTimeoutMillis(20_000);

    private final FerryHost a = HOSTS.get("ferry-a");
    private final FerryHost b = HOSTS.get("ferry-b");

    @Test
    void networkCutMidConnectionFailsTheClientCleanlyAndReconnectRestoresTheName() throws Exception {
        // Observed: SocketTimeoutException after the read timeout (packets to ferry-b go nowhere).
        pingThroughFault(b::disconnect);
        b.reconnect();
        assertNewConnectionsWork();
    }

    @Test
    void pausedServerTimesTheClientOutAndAnIdleConnectionSurvivesTheFreeze() throws Exception {
        byte[] body = new byte[32 * 1024];
        new SplittableRandom(5).nextBytes(body);
        try (FerryClient idle = b.connect(TEST_JVM_CLIENT)) {
            idle.hello();
            // A frozen server's kernel still acknowledges bytes, so only the read timeout can tell.
            String error = pingThroughFault(b::pause);
            assertTrue(error.contains("java.net.SocketTimeoutException"), error);
            b.unpause();
            // The frozen server kept its sockets: a connection opened before the pause still works.
            assertArrayEquals(body, idle.ping(body));
        }
        assertNewConnectionsWork();
    }

    @Test
    void killedServerFailsItsClientsAndRestartsWithItsVolume() throws Exception {
        b.execOk("sh", "-c", "echo kept > /data/marker");
        try (FerryClient fromTestJvm = b.connect(TEST_JVM_CLIENT)) {
            fromTestJvm.hello();
            // Observed: EOFException on both, as the dying process's sockets are closed by its kernel.
            pingThroughFault(b::kill);
            assertThrows(IOException.class, fromTestJvm::ping);
        }
        b.restart();
        assertNewConnectionsWork(); // at once: restart() must not return before the server listens
        assertEquals("kept", b.execOk("cat", "/data/marker").line(), "the volume survived kill -9");
    }

    /**
     * Opens a connection from ferry-a to ferry-b, injects {@code fault}, then makes the client
     * ping: it must end with an I/O error (exit 3) well within {@link #NO_HANG}. Returns the
     * client's ERROR line.
     */
    private String pingThroughFault(Runnable fault) throws InterruptedException {
        try (BackgroundExec client = a.startTool("hold", b.address(), "--read-timeout-ms", CLIENT_READ_TIMEOUT_MS)) {
            client.awaitLine("^READY ", NO_HANG);
            fault.run();
            client.sendLine("go");
            ExecResult r = client.waitFor(NO_HANG);
            assertEquals(3, r.exitCode(), () -> "client should fail with an I/O error: " + r);
            return client.awaitLine("^ERROR ", Duration.ZERO);
        }
    }

    /** From the test JVM first (the quickest client there is), then from ferry-a by name. */
    private void assertNewConnectionsWork() throws Exception {
        try (FerryClient c = b.connect(TEST_JVM_CLIENT)) {
            c.hello();
            c.ping();
        }
        ExecResult r = a.tool("ping", b.address());
        assertEquals(0, r.exitCode(), () -> "ferry-a -> ferry-b by name after the fault: " + r);
    }
}

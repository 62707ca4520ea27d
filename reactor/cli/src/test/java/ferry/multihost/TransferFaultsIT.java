package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.DigestAlgorithm;
import ferry.services.file.UploadTemps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real faults in the middle of real transfers between hosts, each run through the real
 * {@code ferry} command inside the containers and each followed by a byte-exact result (SHA-256
 * computed inside the host that holds the file) with nothing but complete, verified files ever
 * under a final name:
 * <ul>
 *   <li>the server host killed ({@code kill -9} of the whole machine) mid-upload and restarted:
 *       the client's retries find the server's partial upload and send only the rest;
 *   <li>the network cut ({@code docker network disconnect}) mid-download and restored: the
 *       client says on stderr that it reconnects, backs off, resumes, and counts the resume;
 *   <li>the client killed mid-download and the same command run again: it continues its partial;
 *   <li>an upload abandoned mid-way: its temp is removed by the server once older than
 *       {@code --temp-max-age}.
 * </ul>
 * Each fault is triggered when the file being written has reached {@link #FAULT_AT_BYTES} (watched
 * inside the host that writes it), never after a guessed sleep. Every login is real: the servers
 * listen on 0.0.0.0 with users, so they require it.
 */
@MultiHost
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TransferFaultsIT {
    private static final String PASSWORD = "alice-secret-1";
    /**
     * The server whose partial uploads must go stale quickly: 2 s old, looked for every 500 ms.
     * The other server keeps them the default day, so a restart cannot lose them.
     */
    private static final String STALE_AFTER = "2s";
    /**
     * ferry-b takes over an upload silent this long for its user's new request (the default is
     * 30 s): the crashed client's retries get it back in seconds, still well past the pauses of
     * a live upload on these hosts.
     */
    private static final String TAKEOVER_AFTER = "5s";

    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.builder()
            .client("ferry-a")
            .server("ferry-b", "--upload-takeover-after", TAKEOVER_AFTER).user("ferry-b", "alice", "read,write", PASSWORD)
            .server("ferry-c", "--temp-max-age", STALE_AFTER, "--temp-sweep-interval", "500ms")
            .user("ferry-c", "alice", "read,write", PASSWORD)
            .build();

    /**
     * 512 MiB: big enough that a fault triggered at {@link #FAULT_AT_BYTES} lands mid-transfer
     * (hundreds of MiB are still to come, a second or more at these hosts' speed), small enough to
     * make and hash in about a second.
     */
    static final long FILE_BYTES = 512L * 1024 * 1024;
    static final long FAULT_AT_BYTES = 64L * 1024 * 1024;
    /** Protocol overhead and bytes in flight at a cut are far below this; a re-sent prefix is not. */
    static final long SLACK_BYTES = 16L * 1024 * 1024;
    static final String UPLOAD = "/data/up.bin";
    static final String SERVED = "/data/served.bin";
    static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(2);
    static final Map<String, String> LOGIN = Map.of("FERRY_USER", "alice", "FERRY_PASSWORD", PASSWORD);
    /**
     * Reconnect quickly and patiently: waits from 200 ms doubling to 1 s, 60 times in a row
     * without progress (a server restart on 2 loaded cores can take several seconds).
     * {@code --timeout 3s} and {@code --connect-timeout 2s}: a silent connection (the network cut)
     * or a connection attempt nobody answers is given up after seconds, not the default minute
     * and 10 s.
     */
    static final String[] RETRY = {"--retry-wait", "200ms", "--retry-max-wait", "1s", "--retries", "60",
        "--timeout", "3s", "--connect-timeout", "2s"};
    private static final Pattern RESUMES = Pattern.compile("(\\d+) resumes? after lost connections");

    private static String uploadDigest;
    private static String servedDigest;

    private final FerryHost a = HOSTS.get("ferry-a");
    private final FerryHost b = HOSTS.get("ferry-b");
    private final FerryHost c = HOSTS.get("ferry-c");

    /** One file to upload on the client, one to download on the server; made once, at the same time. */
    @BeforeAll
    static void makeFiles() throws Exception {
        Thread served = new Thread(() -> {
            try {
                servedDigest = HOSTS.get("ferry-b").createRandomFile(SERVED, FILE_BYTES, 22);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        served.start();
        uploadDigest = HOSTS.get("ferry-a").createRandomFile(UPLOAD, FILE_BYTES, 21);
        served.join();
        assertTrue(servedDigest != null, "ferry-b could not make " + SERVED);
    }

    @Test
    void serverKilledMidUploadAndRestartedResumesFromItsPartial() throws Exception {
        String target = "/data/killed.bin";
        String temp = tempOf(target);
        try (BackgroundExec put = a.startFerry(LOGIN, args("put", "--verbose", UPLOAD, "ferry-b:/killed.bin"))) {
            long seen = b.awaitSize(temp, FAULT_AT_BYTES, TRANSFER_TIMEOUT, put);
            b.kill();
            // What the crash left on ferry-b's volume: a partial temp, nothing under the final name.
            long held = b.engineFileSize(temp);
            assertTrue(held >= seen && held < FILE_BYTES, () -> "temp holds " + held + " bytes after the crash");
            assertEquals(-1, b.engineFileSize(target), "no file under the final name after the crash");
            put.awaitStderrLine("connection lost at .* reconnecting in", TRANSFER_TIMEOUT);

            b.restart(); // same volume, new server process; its network counters start at 0
            ExecResult r = put.waitFor(TRANSFER_TIMEOUT);
            assertEquals(0, r.exitCode(), r::toString);
            assertResumed(r);
            long received = b.receivedBytes();
            assertTrue(received < FILE_BYTES - held + SLACK_BYTES, () -> "after its restart ferry-b received "
                    + received + " bytes: it should have resumed at " + held + " of " + FILE_BYTES + "\n" + r);
        }
        assertEquals(uploadDigest, b.sha256(target), "the upload is byte-exact after the crash");
        assertEquals(List.of(), b.transferLeftovers(FerryHost.DATA), "the temp became the file");
    }

    @Test
    void networkCutMidDownloadReconnectsWithBackoffAndResumes() throws Exception {
        String local = "/data/cut.bin";
        long before = a.receivedBytes();
        try (BackgroundExec get = a.startFerry(LOGIN, args("get", "--verbose", "ferry-b:/served.bin", local))) {
            a.awaitSize(local + ".ferry-partial", FAULT_AT_BYTES, TRANSFER_TIMEOUT, get);
            b.disconnect();
            // The cut is noticed (read timeout), then reconnections fail (the name no longer
            // resolves) and the client keeps backing off: wait for its second retry.
            get.awaitStderrLine("ferry get: served\\.bin: connection lost at .*; reconnecting in .* \\(attempt 1 of 60\\)",
                    TRANSFER_TIMEOUT);
            get.awaitStderrLine("reconnecting in .* \\(attempt 2 of 60\\)", TRANSFER_TIMEOUT);
            long partial = a.size(local + ".ferry-partial");
            assertTrue(partial >= FAULT_AT_BYTES && partial < FILE_BYTES, () -> "partial holds " + partial);
            assertEquals(-1, a.engineFileSize(local), "no file under the final name during the cut");

            b.reconnect();
            ExecResult r = get.waitFor(TRANSFER_TIMEOUT);
            assertEquals(0, r.exitCode(), r::toString);
            assertResumed(r);
            long received = a.receivedBytes() - before;
            assertTrue(received < FILE_BYTES + SLACK_BYTES, () -> "ferry-a received " + received
                    + " bytes for a file of " + FILE_BYTES + ": the resume fetched the prefix again\n" + r);
        }
        assertEquals(servedDigest, a.sha256(local), "the download is byte-exact after the cut");
        assertEquals(List.of(), a.transferLeftovers(FerryHost.DATA));
        a.execOk("rm", local);
    }

    @Test
    void clientKilledMidDownloadAndRunAgainContinuesItsPartial() throws Exception {
        String local = "/data/killed-client.bin";
        String[] get = args("get", "--verbose", "ferry-b:/served.bin", local);
        long partial;
        try (BackgroundExec first = a.startFerry(LOGIN, get)) {
            partial = a.killWhenSize(local + ".ferry-partial", FAULT_AT_BYTES, TRANSFER_TIMEOUT, first);
        }
        long kept = a.size(local + ".ferry-partial");
        assertTrue(kept >= partial && kept < FILE_BYTES, () -> "the killed client left " + kept + " bytes");
        assertEquals(-1, a.engineFileSize(local), "no file under the final name after the kill");

        long before = a.receivedBytes();
        ExecResult r = a.ferry(LOGIN, TRANSFER_TIMEOUT, get);
        long received = a.receivedBytes() - before;
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains(", resumed at "), () -> "the summary says it resumed: " + r);
        assertTrue(r.stdout().contains("sha-256 verified"), r::toString);
        assertTrue(received < FILE_BYTES - kept + SLACK_BYTES, () -> "the rerun received " + received
                + " bytes: it should have fetched only the " + (FILE_BYTES - kept) + " missing\n" + r);
        assertEquals(servedDigest, a.sha256(local), "the resumed download is byte-exact");
        assertEquals(List.of(), a.transferLeftovers(FerryHost.DATA));
        a.execOk("rm", local);
    }

    /**
     * The client machine dies mid-upload while cut off the network (a laptop losing power on a
     * flaky link): its connection vanishes without a FIN or RST ever reaching ferry-b, which still
     * holds the upload as running. Back up, the same command resumes at once, without waiting
     * for the server's 5-minute idle timeout to notice the dead connection.
     */
    @Test
    void clientMachineCrashedOffTheNetworkMidUploadResumesWhenBack() throws Exception {
        String target = "/data/crashed.bin";
        String[] put = args("put", "--verbose", UPLOAD, "ferry-b:/crashed.bin");
        try (BackgroundExec first = a.startFerry(LOGIN, put)) {
            b.awaitSize(tempOf(target), FAULT_AT_BYTES, TRANSFER_TIMEOUT, first);
            a.disconnect();
            a.kill();
        }
        a.restart();
        a.reconnect();
        long held = b.size(tempOf(target));
        assertTrue(held >= FAULT_AT_BYTES && held < FILE_BYTES, () -> "ferry-b holds " + held);

        long before = b.receivedBytes();
        ExecResult r = a.ferry(LOGIN, TRANSFER_TIMEOUT, put);
        long received = b.receivedBytes() - before;
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains(", resumed at "), () -> "the summary says it resumed: " + r);
        assertTrue(received < FILE_BYTES - held + SLACK_BYTES, () -> "ferry-b received " + received
                + " bytes: the upload should have resumed at " + held + "\n" + r);
        assertEquals(uploadDigest, b.sha256(target), "the resumed upload is byte-exact");
        assertEquals(List.of(), b.transferLeftovers(FerryHost.DATA));
    }

    @Test
    void abandonedUploadIsRemovedByTheServerAfterItsAgeLimit() throws Exception {
        String target = "/data/abandoned.bin";
        String temp = tempOf(target);
        long seen;
        try (BackgroundExec put = a.startFerry(LOGIN, args("put", UPLOAD, "ferry-c:/abandoned.bin"))) {
            seen = c.awaitSize(temp, FAULT_AT_BYTES, TRANSFER_TIMEOUT, put);
            put.kill("KILL"); // the client dies; nobody will resume this upload
            ExecResult r = put.waitFor(TRANSFER_TIMEOUT);
            assertEquals(128 + 9, r.exitCode(), () -> "the client was killed mid-upload, it did not finish: " + r);
        }
        assertTrue(seen >= FAULT_AT_BYTES);
        // ferry-c's sweep (every 500 ms) removes the temp once its last write is 2 s old.
        c.awaitLog("removed 1 stale upload temp file\\(s\\) older than 2000 ms", 1, TRANSFER_TIMEOUT);
        assertEquals(List.of(), c.transferLeftovers(FerryHost.DATA), "the stale temp is gone");
        assertEquals(-1, c.engineFileSize(target), "an abandoned upload never appears under its name");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The server's temp for alice's upload of {@link #UPLOAD}'s bytes to {@code target}: named by what the upload is. */
    private static String tempOf(String target) {
        return UploadTemps.tempFor(Path.of(target), LOGIN.get("FERRY_USER"), FILE_BYTES, DigestAlgorithm.SHA_256, uploadDigest).toString();
    }

    /** A transfer command with {@link #RETRY}'s options. */
    private static String[] args(String command, String... rest) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(List.of(RETRY));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    /** The summary line (stdout, --verbose) says the transfer was verified and resumed after a lost connection. */
    private static void assertResumed(ExecResult r) {
        assertTrue(r.stdout().contains("sha-256 verified"), r::toString);
        Matcher m = RESUMES.matcher(r.stdout());
        assertTrue(m.find(), () -> "the summary counts the resumes: " + r);
        assertTrue(Integer.parseInt(m.group(1)) >= 1, r::toString);
        assertFalse(r.stderr().contains("Exception"), () -> "no stack trace: " + r);
    }
}

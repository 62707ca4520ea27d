package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerLog} and its {@link LogRing}: the line format, connection events joined on the
 * writer's thread, order, drops counted, and what a line costs the thread that logs it (no
 * allocation, no wake-up of the writer while it is busy), counted rather than timed.
 */
class ServerLogTest {
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ";
    private static final long WAIT_MILLIS = 10_000;

    /** An output whose first write blocks until released, so a test can hold the writer busy. */
    private static final class GatedOutput extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                if (!release.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new IOException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            synchronized (this) {
                bytes.write(b, off, len);
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void linesKeepTheFormatAndConnectionEventsAreJoinedByTheWriter() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ServerLog log = new ServerLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), ServerLog.Level.INFO);
        log.connection(ServerLog.Level.INFO, 7, "127.0.0.1:5555", "open", null);
        log.connection(ServerLog.Level.INFO, 7, "127.0.0.1:5555", "closed: ", "peer closed");
        log.info("root é ✓");
        log.debug("not at INFO");
        log.connection(ServerLog.Level.DEBUG, 8, "127.0.0.1:5556", "open", null);
        log.error("broken", new IllegalStateException("why"));
        log.drain(WAIT_MILLIS);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].matches(STAMP + "INFO  c7 127\\.0\\.0\\.1:5555 open"), lines[0]);
        assertTrue(lines[1].matches(STAMP + "INFO  c7 127\\.0\\.0\\.1:5555 closed: peer closed"), lines[1]);
        assertTrue(lines[2].matches(STAMP + "INFO  root é ✓"), lines[2]);
        assertTrue(lines[3].matches(STAMP + "ERROR broken"), lines[3]);
        assertEquals("java.lang.IllegalStateException: why", lines[4], "an error's stack trace follows");
        assertTrue(lines[5].startsWith("\tat "), lines[5]);
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("c8 "), "below the level: nothing");
    }

    @Test
    void aConnectionLineAllocatesNothingOnTheThreadThatLogsIt() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        ServerLog log = new ServerLog(new PrintStream(OutputStream.nullOutputStream()), ServerLog.Level.INFO);
        String remote = "127.0.0.1:5555";
        int lines = 2_000;
        for (int i = 0; i < lines; i++) { // the writer thread started, the path compiled
            log.connection(ServerLog.Level.INFO, i, remote, "open", null);
        }
        log.drain(WAIT_MILLIS);
        long me = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(me);
        for (int i = 0; i < lines; i++) {
            log.connection(ServerLog.Level.INFO, i, remote, "closed: ", "peer closed");
        }
        long allocated = threads.getThreadAllocatedBytes(me) - before;
        log.drain(WAIT_MILLIS);
        assertTrue(allocated < lines, allocated + " bytes for " + lines + " lines: the parts are queued, not joined here");
    }

    @Test
    void aBurstWhileTheWriterIsBusyWakesItNotOnceAndKeepsItsOrder() throws Exception {
        GatedOutput out = new GatedOutput();
        LogRing ring = new LogRing(new PrintStream(out), 1024);
        ring.offer(ServerLog.Level.INFO, 0, null, "first", null, null, false);
        assertTrue(out.entered.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the writer took the first line");
        long wakeUps = ring.wakeUps();
        for (int i = 1; i <= 500; i++) {
            ring.offer(ServerLog.Level.INFO, i, "127.0.0.1:5555", "open", null, null, false);
        }
        assertEquals(wakeUps, ring.wakeUps(), "a busy writer is not woken per line");
        out.release.countDown();
        ring.drain(WAIT_MILLIS);
        List<String> lines = out.text().lines().toList();
        assertEquals(501, lines.size());
        assertTrue(lines.get(0).endsWith(" first"));
        for (int i = 1; i <= 500; i++) {
            assertTrue(lines.get(i).endsWith(" c" + i + " 127.0.0.1:5555 open"), lines.get(i));
        }
    }

    @Test
    void aFullRingDropsAndCountsInsteadOfBlocking() throws Exception {
        GatedOutput out = new GatedOutput();
        LogRing ring = new LogRing(new PrintStream(out), 4);
        ring.offer(ServerLog.Level.WARN, 0, null, "held", null, null, false);
        assertTrue(out.entered.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        for (int i = 0; i < 10; i++) { // 3 fit: the held line's slot is free again only after its write
            ring.offer(ServerLog.Level.WARN, 0, null, "line " + i, null, null, false);
        }
        out.release.countDown();
        ring.drain(WAIT_MILLIS);
        ring.offer(ServerLog.Level.WARN, 0, null, "after", null, null, false);
        ring.drain(WAIT_MILLIS);
        String text = out.text();
        assertTrue(text.contains("line 0"), text);
        assertTrue(text.contains("line 2"), text);
        assertFalse(text.contains("line 3"), "dropped, not waited for: " + text);
        assertTrue(text.contains("(7 earlier log lines dropped: log queue full)"), text);
    }
}

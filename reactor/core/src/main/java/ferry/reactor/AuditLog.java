package ferry.reactor;

import ferry.protocol.CoreProtocol;
import ferry.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A record of who did what to which file: one JSON line per request (file ops, EXEC, logins),
 * appended to its own file, as SFTPGo's and vsftpd's transfer logs are. Install with
 * {@link ServerContext#addRequestObserver}; {@code ferry serve --audit-log FILE}.
 *
 * <pre>{"time":"2026-12-08T01:02:03.456Z","conn":"c7","user":"alice","addr":"10.0.0.5:51234","op":"PUT",
 *  "path":"video/big.mp4","result":"OK","bytesIn":3221225472,"bytesOut":151,"ms":8123,"digest":"9f86d0…"}</pre>
 *
 * <p>A line never carries a password, a SCRAM message or a file's contents: only the fields of
 * {@link RequestRecord}. PING, HELLO and BYE are not recorded (they change nothing and would
 * drown the rest).
 *
 * <p>Cheap on the loop: the loop only offers the record to a bounded queue; a writer thread of
 * its own formats and appends the lines, in batches. When the queue is full (a disk slower than
 * the requests) lines are dropped, counted, and the count is written as a line of its own
 * ({@code {"dropped":N}}) as soon as there is room: the loop never waits for the audit disk.
 * {@link #reopen()} (on SIGHUP, for logrotate) makes the writer close the file and open the path
 * again.
 *
 * <p>Threading contract: {@link #requestEnded} from any loop thread; {@link #reopen} and
 * {@link #close} from any thread.
 */
public final class AuditLog implements RequestObserver, AutoCloseable {
    /** Lines waiting for the writer before new ones are dropped. */
    static final int QUEUE_CAPACITY = 65_536;
    /** Lines the writer formats per write call. */
    private static final int BATCH_LINES = 256;
    private static final Set<String> NOT_RECORDED = Set.of(CoreProtocol.PING, CoreProtocol.HELLO, CoreProtocol.BYE);

    private record Entry(RequestRecord record, long wallMillis) {}

    /** Wakes the writer for a reopen or a close. (Not an interrupt: that would close the FileChannel mid-write.) */
    private static final Entry WAKE = new Entry(null, 0);

    private final Path file;
    private final ServerLog log;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean reopen;
    private volatile boolean closing;
    private FileChannel out; // writer thread only

    /** Opens (creating, owner-only readable is the operator's umask's business) {@code file} for appending. */
    public AuditLog(Path file, ServerLog log) throws IOException {
        this.file = file;
        this.log = log;
        this.out = open(file);
        this.writer = new Thread(this::run, "ferry-audit");
        writer.setDaemon(true);
        writer.start();
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public boolean observes(String op) {
        return op == null || !NOT_RECORDED.contains(op);
    }

    @Override
    public void requestEnded(RequestRecord r) {
        if (r.op() != null && NOT_RECORDED.contains(r.op())) {
            return;
        }
        if (!queue.offer(new Entry(r, System.currentTimeMillis()))) {
            dropped.incrementAndGet();
        }
    }

    /** Closes the file and opens the same path again, before the next line (after logrotate moved it). */
    public void reopen() {
        reopen = true;
        queue.offer(WAKE); // if the queue is full the writer is busy and sees the flag soon anyway
    }

    /** Lines written so far. */
    public long written() {
        return written.get();
    }

    /** Lines dropped so far because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    /** Writes what is queued, then stops the writer and closes the file. */
    @Override
    public void close() {
        closing = true;
        queue.offer(WAKE);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(BATCH_LINES);
        StringBuilder sb = new StringBuilder(BATCH_LINES * 200);
        while (true) {
            try {
                if (reopen) {
                    reopen = false;
                    closeQuietly();
                    out = null;
                    out = open(file);
                }
                Entry first = closing ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (closing) {
                        break;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH_LINES - 1);
                batch.removeIf(e -> e == WAKE);
                sb.setLength(0);
                for (Entry e : batch) {
                    try {
                        sb.append(line(e)).append('\n');
                    } catch (RuntimeException unencodable) { // never lose the rest of the batch to one record
                        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.wallMillis())).append("\",\"unwritable\":true}\n");
                    }
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    sb.append("{\"time\":\"").append(Instant.now()).append("\",\"dropped\":").append(lost).append("}\n");
                }
                write(sb);
                written.addAndGet(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException | RuntimeException e) {
                if (out == null || !out.isOpen()) {
                    reopen = true; // the path could not be opened (logrotate mid-way?): try again with the next lines
                }
                log.warn("audit log " + file + ": " + e.getMessage() + " (" + batch.size() + " lines lost)");
                batch.clear();
            }
        }
        closeQuietly();
    }

    private void write(CharSequence text) throws IOException {
        ByteBuffer b = StandardCharsets.UTF_8.encode(text.toString());
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private void closeQuietly() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // closing after the last write: nothing left to lose
        }
    }

    /** One record as a JSON object on one line (Json escapes every control character). */
    static String line(Entry e) {
        RequestRecord r = e.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(e.wallMillis()).toString());
        m.put("conn", r.connection());
        m.put("user", r.user());
        m.put("addr", r.remoteAddress());
        m.put("op", r.op());
        putIfSet(m, "path", r.path());
        putIfSet(m, "to", r.to());
        m.put("result", r.outcome());
        putIfSet(m, "code", r.errorCode());
        m.put("bytesIn", r.bytesIn());
        m.put("bytesOut", r.bytesOut());
        m.put("ms", r.durationNanos() / 1_000_000);
        putIfSet(m, "digest", r.digest());
        putIfSet(m, "exitCode", r.exitCode());
        return Json.write(m);
    }

    private static void putIfSet(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }
}

package ferry.reactor;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The lines of a {@link ServerLog} on their way to its stream: a bounded ring of preallocated
 * slots that any thread fills with a line's parts (a time, a level, references to strings that
 * already exist, a number) and one writer thread formats and writes. So logging a line costs its
 * thread a clock read and a few stores: no string is built, nothing is allocated, and no thread
 * is woken per line. The writer is woken only when it sleeps, and after waking it waits
 * {@link #BATCH_LINGER_NANOS} before writing, so a burst of lines (10,000 connections opening)
 * costs a few wake-ups, not one per line. It encodes into one reused byte buffer.
 *
 * <p>When the ring is full a line is dropped and counted; the count is written with the next
 * line that is written. Lines from one thread keep their order.
 *
 * <p>Thread safety: {@link #offer} from any thread (lock-free: a bounded multi-producer queue in
 * the manner of D. Vyukov's); everything else on the writer thread, except {@link #drain}.
 */
final class LogRing {
    /** After being woken, the writer waits this long for more lines, to write a burst at once. */
    static final long BATCH_LINGER_NANOS = 2_000_000;
    /** Initial size of the encoding buffer (grows for longer lines, e.g. stack traces). */
    private static final int LINE_BUFFER_BYTES = 512;
    private static final int LEVEL_WIDTH = 5;

    /** One line's parts: {@code text} alone, or the connection event "c{id} {remote} {what}{detail}". */
    private static final class Slot {
        volatile long seq;
        long millis;
        ServerLog.Level level;
        long id;
        String text;
        String remote;
        String detail;
        Throwable error;
        boolean withTrace;
    }

    private final PrintStream out;
    private final Slot[] slots;
    private final int mask;
    private final AtomicLong tail = new AtomicLong();
    private long head; // writer thread only
    private final LongAdder dropped = new LongAdder();
    private volatile boolean sleeping;
    private volatile Thread writer;
    private volatile long written; // lines written (or given up on), for drain
    private final LongAdder wakeUps = new LongAdder();

    private byte[] line = new byte[LINE_BUFFER_BYTES];
    private int len;
    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] secondText = new byte[19]; // yyyy-MM-ddTHH:mm:ss

    /** @param capacity lines held before new ones are dropped; rounded up to a power of two */
    LogRing(PrintStream out, int capacity) {
        this.out = out;
        int n = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.slots = new Slot[n];
        this.mask = n - 1;
        for (int i = 0; i < n; i++) {
            slots[i] = new Slot();
            slots[i].seq = i;
        }
    }

    /**
     * Queues a line: {@code text} if {@code remote} is null, else the connection event
     * {@code c<id> <remote> <text><detail>} ({@code detail} may be null). Any thread; never blocks.
     */
    void offer(ServerLog.Level level, long id, String remote, String text, String detail, Throwable error, boolean withTrace) {
        long t = tail.get();
        Slot s;
        while (true) {
            s = slots[(int) t & mask];
            long d = s.seq - t;
            if (d == 0) {
                if (tail.compareAndSet(t, t + 1)) {
                    break;
                }
                t = tail.get();
            } else if (d < 0) {
                dropped.increment(); // full: the writer has not freed this slot yet
                return;
            } else {
                t = tail.get();
            }
        }
        s.millis = System.currentTimeMillis();
        s.level = level;
        s.id = id;
        s.remote = remote;
        s.text = text;
        s.detail = detail;
        s.error = error;
        s.withTrace = withTrace;
        s.seq = t + 1; // published
        if (sleeping) {
            wake();
        } else if (writer == null) {
            startWriter();
        }
    }

    private void wake() {
        Thread w = writer;
        if (w == null) {
            startWriter();
        } else {
            wakeUps.increment();
            LockSupport.unpark(w);
        }
    }

    /** How often a line woke the sleeping writer: a seam for tests (a burst should wake it about once). */
    long wakeUps() {
        return wakeUps.sum();
    }

    private synchronized void startWriter() {
        if (writer != null) {
            return;
        }
        Thread w = new Thread(this::run, "ferry-log");
        w.setDaemon(true);
        writer = w;
        w.start();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            if (writeAvailable()) {
                continue;
            }
            sleeping = true;
            if (!available()) {
                LockSupport.park(this);
            }
            sleeping = false;
            LockSupport.parkNanos(this, BATCH_LINGER_NANOS);
        }
    }

    private boolean available() {
        return slots[(int) head & mask].seq == head + 1;
    }

    /** Writes every published line; flushes after them. Returns whether there were any. */
    private boolean writeAvailable() {
        boolean any = false;
        while (available()) {
            Slot s = slots[(int) head & mask];
            try {
                format(s);
                out.write(line, 0, len);
            } catch (RuntimeException e) {
                // a line that cannot be formatted or written is lost, not the writer
            }
            s.text = null;
            s.remote = null;
            s.detail = null;
            s.error = null;
            s.seq = head + slots.length; // free for the producer one lap later
            head++;
            written = head;
            any = true;
        }
        if (any) {
            out.flush();
        }
        return any;
    }

    private void format(Slot s) {
        len = 0;
        timestamp(s.millis);
        put(' ');
        String level = s.level.name();
        put(level);
        for (int i = level.length(); i < LEVEL_WIDTH; i++) {
            put(' ');
        }
        put(' ');
        if (s.remote != null) {
            put('c');
            putDecimal(s.id);
            put(' ');
            put(s.remote);
            put(' ');
        }
        put(s.text);
        if (s.detail != null) {
            put(s.detail);
        }
        if (s.error != null && s.withTrace) {
            StringWriter sw = new StringWriter();
            s.error.printStackTrace(new PrintWriter(sw));
            put('\n');
            put(sw.toString().stripTrailing());
        }
        long lost = dropped.sumThenReset();
        if (lost > 0) {
            put(" (" + lost + " earlier log lines dropped: log queue full)");
        }
        put('\n');
    }

    /** {@code 2026-11-25T07:51:40.123Z}: the date and time are re-rendered once per second. */
    private void timestamp(long millis) {
        long second = Math.floorDiv(millis, 1000);
        if (second != cachedSecond) {
            String t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC).toString(); // ...THH:mm, :ss unless 0
            if (t.length() == 16) {
                t += ":00";
            }
            byte[] b = t.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, secondText, 0, Math.min(b.length, secondText.length));
            cachedSecond = second;
        }
        ensure(secondText.length);
        System.arraycopy(secondText, 0, line, len, secondText.length);
        len += secondText.length;
        int ms = (int) Math.floorMod(millis, 1000);
        put('.');
        put((char) ('0' + ms / 100));
        put((char) ('0' + ms / 10 % 10));
        put((char) ('0' + ms % 10));
        put('Z');
    }

    /** Appends {@code v} in decimal without building a string (the writer's garbage is heap pages touched too). */
    private void putDecimal(long v) {
        if (v < 0) {
            put(Long.toString(v));
            return;
        }
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = len + digits - 1; i >= len; i--) {
            line[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += digits;
    }

    private void put(char c) {
        ensure(1);
        line[len++] = (byte) c;
    }

    /** Appends {@code s} as UTF-8 (ASCII byte by byte, anything else through the encoder). */
    private void put(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // start again at len, overwriting the ASCII bytes put so far
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                ensure(b.length);
                System.arraycopy(b, 0, line, len, b.length);
                len += b.length;
                return;
            }
            line[len + i] = (byte) c;
        }
        len += n;
    }

    private void ensure(int more) {
        if (len + more > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, len + more));
        }
    }

    /** Waits (bounded) until every line queued before this call is written, then flushes. Any thread. */
    void drain(long timeoutMillis) {
        long target = tail.get();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (written < target && System.nanoTime() < deadline) {
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
            Thread.yield();
        }
        out.flush();
    }
}

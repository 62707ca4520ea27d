package ferry.services.exec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counters of the exec service, for monitoring and for tests that must wait for a state change
 * without sleeping ({@link #await}). Written by the loop and the exec threads.
 *
 * <p>Thread safety: all methods are safe from any thread (one monitor; updates are rare next to
 * the bytes they describe: once per chunk at most).
 */
public final class ExecStats {
    private long started;
    private long finished;
    private long refused;
    private long busy;
    private long killed;
    private long running;
    private long outputBytes;
    private long pipeBytesRead;
    private long readersWaiting;
    private long creditWaits;
    private long peakPendingOutputBytes;
    private long abandonedRuns;
    private long pipeReaders;
    private long stdinPaused;
    private long parkedCredits;
    private long peakStdinQueuedBytes;

    /** A run's process started. */
    synchronized void countStarted() {
        started++;
        running++;
        notifyAll();
    }

    /** A run ended (EXIT sent or the call was cancelled), its slot free. */
    synchronized void countFinished(boolean wasStopped, boolean hadStarted) {
        finished++;
        if (hadStarted) {
            running--;
        }
        if (wasStopped) {
            killed++;
        }
        notifyAll();
    }

    synchronized void countRefused() {
        refused++;
        notifyAll();
    }

    synchronized void countBusy() {
        busy++;
        notifyAll();
    }

    synchronized void pipeRead(long n) {
        pipeBytesRead += n;
    }

    /** Output bytes handed to the connection; {@code pending} is the connection's buffered output after it. */
    synchronized void output(long n, long pending) {
        outputBytes += n;
        if (pending > peakPendingOutputBytes) {
            peakPendingOutputBytes = pending;
        }
    }

    /** A reader found no credit and waits for the connection to drain. */
    synchronized void readerWaiting() {
        readersWaiting++;
        creditWaits++;
        notifyAll();
    }

    synchronized void readerResumed() {
        readersWaiting--;
        notifyAll();
    }

    /** A run's stdin queue passed high water ({@code +1}) or drained to low water ({@code -1}). */
    synchronized void stdinPaused(int delta) {
        stdinPaused += delta;
        notifyAll();
    }

    synchronized void stdinQueued(long queued) {
        if (queued > peakStdinQueuedBytes) {
            peakStdinQueuedBytes = queued;
        }
    }

    /** An output credit waits for its connection to drain ({@code +1}) or came back ({@code -1}). */
    synchronized void parkedCredits(int delta) {
        parkedCredits += delta;
        notifyAll();
    }

    /** A run was given up on: something outside its reach still held its pipes or ran after SIGKILL. */
    synchronized void countAbandoned() {
        abandonedRuns++;
        notifyAll();
    }

    /** A pipe reader thread started ({@code +1}) or ended ({@code -1}). */
    synchronized void pipeReaders(int delta) {
        pipeReaders += delta;
        notifyAll();
    }

    /** Runs whose process started. */
    public synchronized long started() { return started; }
    /** Runs that ended after their process started or failed to start. */
    public synchronized long finished() { return finished; }
    /** Requests refused before anything ran (rights, policy, bad fields, missing command). */
    public synchronized long refused() { return refused; }
    /** Requests answered {@code busy}. */
    public synchronized long busy() { return busy; }
    /** Runs stopped by timeout, output cap or cancel. */
    public synchronized long killed() { return killed; }
    /** Processes running now. */
    public synchronized long running() { return running; }
    /** STDOUT/STDERR body bytes handed to connections. */
    public synchronized long outputBytes() { return outputBytes; }
    /** Bytes read from process pipes (at most one cap's worth more than {@link #outputBytes()}). */
    public synchronized long pipeBytesRead() { return pipeBytesRead; }
    /** Pipe readers waiting for their connection to drain right now. */
    public synchronized long readersWaiting() { return readersWaiting; }
    /** Largest buffered output seen on a connection right after exec output was queued. */
    public synchronized long peakPendingOutputBytes() { return peakPendingOutputBytes; }
    /**
     * Runs given up on while a process outside their reach (escaped with {@code setsid}, or
     * surviving SIGKILL) still held or ran: their pipes were closed, the survivors logged.
     */
    public synchronized long abandonedRuns() { return abandonedRuns; }
    /** Pipe reader threads alive now: at most two per running command. */
    public synchronized long pipeReaders() { return pipeReaders; }

    /**
     * Output credits held until their connection drains: when a run's every credit is parked, its
     * pipe readers stop and its process blocks on the pipe (the state a non-reading client causes).
     */
    public synchronized long parkedCredits() { return parkedCredits; }
    /** Connections not being read right now because a command is slower to take stdin than the client sends it. */
    public synchronized long stdinPaused() { return stdinPaused; }
    /** Largest stdin backlog one run held (bounded by the stdin high water plus one read). */
    public synchronized long peakStdinQueuedBytes() { return peakStdinQueuedBytes; }

    /**
     * Waits until {@code condition} (read under this monitor, e.g. {@code s::running}) reaches at
     * least {@code atLeast}, or the timeout passes. Woken by every change, so no polling.
     *
     * @return whether the condition was reached
     */
    public boolean await(LongSupplier condition, long atLeast, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (condition.getAsLong() < atLeast) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    public synchronized Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("started", started);
        m.put("finished", finished);
        m.put("refused", refused);
        m.put("busy", busy);
        m.put("killed", killed);
        m.put("running", running);
        m.put("outputBytes", outputBytes);
        m.put("pipeBytesRead", pipeBytesRead);
        m.put("readersWaiting", readersWaiting);
        m.put("creditWaits", creditWaits);
        m.put("peakPendingOutputBytes", peakPendingOutputBytes);
        m.put("abandonedRuns", abandonedRuns);
        m.put("pipeReaders", pipeReaders);
        m.put("stdinPaused", stdinPaused);
        m.put("parkedCredits", parkedCredits);
        m.put("peakStdinQueuedBytes", peakStdinQueuedBytes);
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}

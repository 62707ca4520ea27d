package ferry.services.exec;

import ferry.reactor.Call;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reads one of a command's output pipes (stdout or stderr) and hands each chunk to the run on the
 * event loop, as it is produced.
 *
 * <p>Backpressure: every read needs a credit, which is one of a few fixed buffers
 * ({@link ExecConfig#chunksInFlight()} per stream). The loop gives a buffer back once its bytes
 * are queued on the connection and the connection is below its high-water mark, or later, when
 * it has drained to its low-water mark ({@code Call.whenDrained}). A client that stops reading
 * therefore stops this thread, the pipe fills, and the process blocks in write(2): the server
 * holds at most the connection's high water plus the credits, whatever the command prints.
 *
 * <p>Ends at end of file, when the pipe fails, or when the run closes the pipe under it
 * ({@link RunPipes#close}: an abandoned run whose pipe an escaped process still holds); in every
 * case it closes its end and tells the run.
 *
 * <p>Threading: {@link #run} on one exec thread; {@link #giveBack}, {@link #park} and
 * {@link #releaseParked} on the loop.
 */
final class OutputPump implements Runnable {
    /** Which pipe, and the frame op its chunks travel in. */
    enum Stream {
        STDOUT, STDERR;

        String op() {
            return name();
        }
    }

    private final ExecRun run;
    private final Stream stream;
    private final ReadableByteChannel in;
    private final ExecStats stats;
    private final ArrayBlockingQueue<ByteBuffer> credits;
    private final List<ByteBuffer> parked = new ArrayList<>(2); // loop thread

    OutputPump(ExecRun run, Stream stream, ReadableByteChannel in, ExecStats stats, int chunkBytes, int chunksInFlight) {
        this.run = run;
        this.stream = stream;
        this.in = in;
        this.stats = stats;
        this.credits = new ArrayBlockingQueue<>(chunksInFlight);
        for (int i = 0; i < chunksInFlight; i++) {
            credits.add(ByteBuffer.allocate(chunkBytes));
        }
    }

    Stream stream() {
        return stream;
    }

    /** Returns a buffer the loop is done with. Any thread. */
    void giveBack(ByteBuffer b) {
        b.clear();
        credits.offer(b);
    }

    /** Loop: keeps {@code b}'s credit until {@code call}'s connection has room again. */
    void park(Call call, ByteBuffer b) {
        parked.add(b);
        stats.parkedCredits(1);
        call.whenDrained(() -> {
            if (unpark(b)) {
                stats.parkedCredits(-1);
                giveBack(b);
            }
        });
    }

    /** Loop: gives every parked credit back now (the run was stopped: its pipes must reach EOF). */
    void releaseParked() {
        for (ByteBuffer b : parked) {
            stats.parkedCredits(-1);
            giveBack(b);
        }
        parked.clear();
    }

    private boolean unpark(ByteBuffer b) {
        for (int i = 0; i < parked.size(); i++) {
            if (parked.get(i) == b) { // identity: ByteBuffer.equals compares contents
                parked.remove(i);
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        IOException error = null;
        stats.pipeReaders(1);
        try {
            while (true) {
                ByteBuffer b = credits.poll();
                if (b == null) {
                    stats.readerWaiting();
                    try {
                        b = credits.take();
                    } finally {
                        stats.readerResumed();
                    }
                }
                b.clear();
                int n = in.read(b);
                if (n < 0) {
                    credits.offer(b);
                    break;
                }
                stats.pipeRead(n);
                b.flip();
                ByteBuffer chunk = b;
                run.post(() -> run.onOutput(this, chunk));
            }
        } catch (ClosedChannelException e) {
            // the run closed the pipe (abandoned, or over): a normal end for this reader
        } catch (IOException e) {
            error = e; // the pipe broke: treat as its end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // server stopping
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing more to read anyway
            }
            stats.pipeReaders(-1);
            IOException err = error;
            run.post(() -> run.onStreamClosed(this, err));
        }
    }
}

package ferry.multihost;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;

/**
 * A command running inside a container ({@code docker exec}), followed while it runs: its output
 * can be awaited line by line ("wait until the download printed READY"), lines can be written to
 * its stdin ("go"), and it can be killed by its PID inside the container (a client killed
 * mid-transfer). Synchronous execs are the same thing awaited at once.
 *
 * <p>Thread safety: all methods may be called from any thread; output arrives on a docker-java
 * thread and waiters are woken through this object's monitor.
 */
public final class BackgroundExec implements AutoCloseable {
    /** Prefix of the line the wrapper shell prints to stderr with the command's PID. */
    private static final String PID_MARK = "ferry-exec-pid ";
    private static final Pattern PID_LINE = Pattern.compile(PID_MARK + "(\\d+)\n");

    private final FerryHost host;
    private final String description;
    private final String execId;
    private final StdinPipe stdin;
    private final ResultCallback.Adapter<Frame> callback;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int pid = -1;
    private boolean done;
    private Throwable failure;

    BackgroundExec(FerryHost host, boolean withStdin, boolean withPid, String... command) {
        this(host, Map.of(), withStdin, withPid, command);
    }

    /**
     * @param env variables added to the command's environment (docker exec's own, so a password
     *            never appears on a command line)
     */
    BackgroundExec(FerryHost host, Map<String, String> env, boolean withStdin, boolean withPid, String... command) {
        this.host = host;
        this.description = host.name() + "$ " + String.join(" ", command);
        String[] cmd = command;
        if (withPid) {
            // The shell prints its PID, then becomes the command (exec keeps the PID).
            cmd = new String[command.length + 4];
            cmd[0] = "sh";
            cmd[1] = "-c";
            cmd[2] = "echo \"" + PID_MARK + "$$\" >&2; exec \"$@\"";
            cmd[3] = "sh";
            System.arraycopy(command, 0, cmd, 4, command.length);
        }
        DockerClient docker = DockerClientFactory.instance().client();
        this.execId = docker.execCreateCmd(host.containerId())
                .withAttachStdout(true).withAttachStderr(true).withAttachStdin(withStdin)
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withCmd(cmd).exec().getId();
        this.stdin = withStdin ? new StdinPipe() : null;
        var start = docker.execStartCmd(execId);
        if (stdin != null) {
            start.withStdIn(stdin);
        }
        this.callback = start.exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                append(frame);
            }

            @Override
            public void onError(Throwable t) {
                finish(t);
                super.onError(t);
            }

            @Override
            public void onComplete() {
                finish(null);
                super.onComplete();
            }
        });
    }

    private synchronized void append(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null) {
            return;
        }
        (frame.getStreamType() == StreamType.STDERR ? err : out).writeBytes(payload);
        if (pid < 0) {
            Matcher m = PID_LINE.matcher(err.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                pid = Integer.parseInt(m.group(1));
            }
        }
        notifyAll();
    }

    private synchronized void finish(Throwable t) {
        if (!done) {
            done = true;
            failure = t;
            if (stdin != null) {
                stdin.close();
            }
            notifyAll();
        }
    }

    /** Standard output so far. */
    public synchronized String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Standard error so far, without the wrapper's PID line. */
    public synchronized String stderr() {
        return PID_LINE.matcher(err.toString(StandardCharsets.UTF_8)).replaceFirst("");
    }

    public synchronized boolean isDone() {
        return done;
    }

    /**
     * Waits until a complete stdout line matches {@code regex} (find) and returns it. A line ends
     * at {@code \n} or {@code \r}, so progress lines that redraw themselves count one by one.
     *
     * @throws AssertionError if the command ends first or the time runs out (with its output)
     */
    public String awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        return awaitLine(line -> p.matcher(line).find(), "a line matching /" + regex + "/", timeout);
    }

    /** Waits until a complete stdout line satisfies {@code test}; see {@link #awaitLine(String, Duration)}. */
    public String awaitLine(Predicate<String> test, String what, Duration timeout) throws InterruptedException {
        return awaitLine(out, test, what, timeout);
    }

    /**
     * Like {@link #awaitLine(String, Duration)} on standard error: where the CLI reports what it
     * does about a fault (a lost connection, a reconnection) while stdout stays clean.
     */
    public String awaitStderrLine(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        return awaitLine(err, line -> p.matcher(line).find(), "a stderr line matching /" + regex + "/", timeout);
    }

    private synchronized String awaitLine(ByteArrayOutputStream stream, Predicate<String> test, String what,
                                          Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = stream.toString(StandardCharsets.UTF_8);
            int end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
            if (end >= 0) {
                for (String line : text.substring(0, end).split("[\r\n]", -1)) {
                    if (test.test(line)) {
                        return line;
                    }
                }
            }
            if (done) {
                throw new AssertionError(description + " ended before printing " + what + ": " + snapshot());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(description + " did not print " + what + " within " + timeout + ": " + snapshot());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits up to {@code timeout} for the command to end; true if it has. Never fails the test. */
    public synchronized boolean awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Writes {@code line} and a newline to the command's stdin. */
    public void sendLine(String line) {
        if (stdin == null) {
            throw new IllegalStateException(description + " was started without stdin");
        }
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the command's stdin (it reads end of file). */
    public void closeStdin() {
        if (stdin != null) {
            stdin.close();
        }
    }

    /** The command's PID inside its container (started with a PID). */
    public synchronized int pid(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pid < 0) {
            long left = deadline - System.nanoTime();
            if (done || left <= 0) {
                throw new AssertionError(description + " did not report its PID: " + snapshot());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return pid;
    }

    /** Sends {@code signal} (e.g. {@code KILL}, {@code TERM}) to the command inside its container. */
    public void kill(String signal) throws InterruptedException {
        int p = pid(Duration.ofSeconds(10));
        ExecResult r = host.exec(Duration.ofSeconds(20), "kill", "-s", signal, Integer.toString(p));
        if (!r.ok() && !isDone()) {
            throw new AssertionError("kill -s " + signal + " " + p + " on " + host.name() + " failed: " + r);
        }
    }

    /**
     * Waits for the command to end and returns its exit code and output.
     *
     * @throws AssertionError if it is still running after {@code timeout}: a hang
     */
    public ExecResult waitFor(Duration timeout) throws InterruptedException {
        synchronized (this) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(description + " still running after " + timeout + ": " + snapshot());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (failure != null) {
                throw new AssertionError(description + ": exec stream failed", failure);
            }
        }
        Long code = DockerClientFactory.instance().client().inspectExecCmd(execId).exec().getExitCodeLong();
        return new ExecResult(code == null ? -1 : code.intValue(), stdout(), stderr());
    }

    /** Its output so far, for failure messages. */
    synchronized String snapshot() {
        return "\n--- stdout\n" + out.toString(StandardCharsets.UTF_8) + "\n--- stderr\n" + stderr();
    }

    /** Kills the command if it still runs and releases the stream. */
    @Override
    public void close() {
        try {
            if (!isDone() && pid >= 0) {
                host.exec(Duration.ofSeconds(20), "kill", "-s", "KILL", Integer.toString(pid));
            }
        } catch (RuntimeException | InterruptedException e) {
            // best effort: the container may be gone
        } finally {
            closeStdin();
            try {
                callback.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /** An InputStream fed from the test thread: docker-java copies it to the command's stdin. */
    private static final class StdinPipe extends InputStream {
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private byte[] current;
        private int pos;
        private boolean closed;

        synchronized void write(byte[] b) {
            if (closed) {
                throw new IllegalStateException("stdin already closed");
            }
            chunks.add(b);
            notifyAll();
        }

        @Override
        public synchronized void close() {
            closed = true;
            notifyAll();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            while (current == null || pos == current.length) {
                current = chunks.poll();
                pos = 0;
                if (current != null) {
                    continue;
                }
                if (closed) {
                    return -1;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

}

package ferry.services.exec;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pipes between the server and one command: stdout, stderr and, when the request has a body,
 * stdin.
 *
 * <p>Why not the JDK's process pipes: a read on them blocks in the kernel until data or end of
 * file, and closing the stream from another thread does not wake it. A process that escaped the
 * run ({@code setsid cmd &}) holds the write end as long as it lives, so the reader thread, its
 * descriptor and (in the JDK's reaper) one more thread stayed forever, one set per such run.
 * Here the pipes are named pipes (FIFOs) opened as {@link FileChannel}s, which are interruptible:
 * {@link #close} wakes a blocked read or write with {@link java.nio.channels.AsynchronousCloseException}
 * and frees the descriptor, whatever an escaped process does with its end.
 *
 * <p>Setup ({@link #create}): FIFOs come from a {@link Maker}, which makes them in batches with
 * {@code mkfifo -m 600} in an owner-only temporary folder (one spawn per
 * {@value Maker#BATCH_RUNS} runs, not one per run: a spawn costs milliseconds). Each FIFO is first
 * opened read-write by the server (Linux lets that open return at once), so that
 * the server's own read end, and the process's end that the JDK opens during
 * {@link ProcessBuilder#start}, open without waiting for the other side. {@link #started} then
 * drops those extra handles and unlinks the files: from then on the process (and whatever
 * inherits its descriptors) is the only other side, so end of file and broken pipe work as with
 * ordinary pipes. Without {@code mkfifo} the JDK's pipes are used ({@link #jdk}); their readers
 * cannot be woken, which the run accounts for by keeping its slot until they end. (They have a
 * second flaw: when the command exits while a reader is between two reads, the JDK's reaper
 * drains the pipe and closes it itself, so later output of a background child is lost.)
 *
 * <p>Threading: {@link #create}, {@link #started} and {@link #holders} block (they spawn
 * {@code mkfifo} or read /proc): exec or killer threads only. {@link #close} is safe from any
 * thread but waits for woken threads to leave their system call: not on the event loop.
 */
final class RunPipes {
    private static final String OUT = "stdout";
    private static final String ERR = "stderr";
    private static final String IN = "stdin";
    private static final Path PROC = Path.of("/proc");

    private final String prefix; // the FIFOs' paths start with this, dir/N-; null for JDK pipes
    /** What /proc/PID/fd links to these pipes start with: the FIFOs' prefix, or "pipe:[". */
    private final String linkPrefix;
    private final Set<Object> fileKeys = new LinkedHashSet<>();
    private final List<FileChannel> keepers = new ArrayList<>(3);
    private volatile ReadableByteChannel stdout;
    private volatile ReadableByteChannel stderr;
    private volatile OutputStream stdin;
    private final List<Closeable> channels = new ArrayList<>(3);

    private RunPipes(String prefix) {
        this.prefix = prefix;
        this.linkPrefix = prefix != null ? prefix : "pipe:[";
    }

    /**
     * Takes a set of FIFOs from {@code maker} and opens the server's ends. Blocks (may spawn
     * {@code mkfifo}).
     *
     * @param withStdin whether the command gets a stdin pipe (else it reads /dev/null)
     */
    static RunPipes create(Maker maker, boolean withStdin) throws IOException {
        String prefix = maker.take();
        RunPipes p = new RunPipes(prefix);
        try {
            p.stdout = p.open(OUT, true);
            p.stderr = p.open(ERR, true);
            if (withStdin) {
                p.stdin = Channels.newOutputStream(p.open(IN, false));
            }
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            p.started();
            throw e;
        }
    }

    /**
     * The JDK's pipes of {@code process}: the fallback where {@code mkfifo} is missing. Their
     * identity, for {@link #holders}, is read from the process's /proc/PID/fd right away; a
     * command that already exited leaves it unknown. Blocks briefly (reads /proc).
     */
    static RunPipes jdk(Process process, boolean withStdin) {
        RunPipes p = new RunPipes(null);
        for (int fd = withStdin ? 0 : 1; fd <= 2; fd++) {
            try {
                p.fileKeys.add(Files.readAttributes(PROC.resolve(process.pid() + "/fd/" + fd), BasicFileAttributes.class)
                        .fileKey());
            } catch (IOException | RuntimeException e) {
                // exited already, or no /proc: holders stay unknown
            }
        }
        p.stdout = new StreamChannel(process.getInputStream());
        p.stderr = new StreamChannel(process.getErrorStream());
        p.stdin = withStdin ? process.getOutputStream() : null;
        synchronized (p.channels) {
            p.channels.add(p.stdout);
            p.channels.add(p.stderr);
            if (p.stdin != null) {
                p.channels.add(p.stdin);
            }
        }
        return p;
    }

    /** Opens one FIFO's keeper (read-write) and then the server's end of it. */
    private FileChannel open(String name, boolean serverReads) throws IOException {
        Path f = Path.of(prefix + name);
        FileChannel keeper = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
        keepers.add(keeper);
        fileKeys.add(Files.readAttributes(f, BasicFileAttributes.class).fileKey());
        FileChannel end = FileChannel.open(f, serverReads ? StandardOpenOption.READ : StandardOpenOption.WRITE);
        synchronized (channels) {
            channels.add(end);
        }
        return end;
    }

    private File file(String name) {
        return new File(prefix + name);
    }

    /** Whether {@link #close} can wake threads blocked on these pipes (true for FIFOs). */
    boolean closable() {
        return prefix != null;
    }

    /** Sends the process's stdout, stderr and stdin to these pipes. */
    void redirect(ProcessBuilder pb) {
        if (prefix == null) {
            return;
        }
        pb.redirectOutput(file(OUT));
        pb.redirectError(file(ERR));
        if (stdin != null) {
            pb.redirectInput(file(IN));
        }
    }

    /**
     * The process started (or could not): drops the server's extra handles, so that the
     * process's exit brings end of file, and removes the set's files (all three, used or not).
     * Idempotent.
     */
    void started() {
        for (FileChannel k : keepers) {
            closeQuietly(k);
        }
        keepers.clear();
        if (prefix != null) {
            for (String name : List.of(OUT, ERR, IN)) {
                try {
                    Files.deleteIfExists(Path.of(prefix + name));
                } catch (IOException e) {
                    // left in the service's folder, which goes when the service stops
                }
            }
        }
    }

    ReadableByteChannel stdout() {
        return stdout;
    }

    ReadableByteChannel stderr() {
        return stderr;
    }

    /** The command's stdin, or null when it reads /dev/null. */
    OutputStream stdin() {
        return stdin;
    }

    /** Closes the server's ends: blocked readers and writers wake with an exception. Idempotent. */
    void close() {
        List<Closeable> all;
        synchronized (channels) {
            all = new ArrayList<>(channels);
            channels.clear();
        }
        for (Closeable c : all) {
            closeQuietly(c);
        }
    }

    /**
     * Other processes that hold one of these pipes, from their /proc/PID/fd: for the log when a
     * run is abandoned. Empty when the pipes' identity is unknown. Blocks: killer thread.
     */
    List<Long> holders() {
        List<Long> found = new ArrayList<>();
        if (fileKeys.isEmpty() || !Files.isDirectory(PROC)) {
            return found;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, d -> isPid(d.getFileName().toString()))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && holds(proc)) {
                    found.add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changed under us: report what was found
        }
        return found;
    }

    private boolean holds(Path proc) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    // The link names the (unlinked) FIFO or "pipe:[inode]": cheap to filter on, then
                    // device and inode decide.
                    if (Files.readSymbolicLink(fd).toString().startsWith(linkPrefix)
                            && fileKeys.contains(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) {
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not ours to read, or gone
        }
        return false;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * Makes the FIFOs runs use, {@value #BATCH_RUNS} runs' worth per {@code mkfifo} spawn, in an
     * owner-only folder of its own under the system's temporary folder ({@code ferry-exec-*}),
     * named {@code N-stdout}, {@code N-stderr}, {@code N-stdin}. A FIFO nobody opened is inert.
     * {@link #close} removes the folder and what is left in it.
     *
     * <p>Thread safety: all methods are safe from any thread; {@link #take} blocks (it may spawn
     * {@code mkfifo}), so exec threads only.
     */
    static final class Maker {
        /** Sets of FIFOs made per {@code mkfifo} spawn. */
        static final int BATCH_RUNS = 16;

        private final String mkfifo;
        private Path dir;
        private long nextSet;
        private final ArrayDeque<String> ready = new ArrayDeque<>();
        private boolean closed;

        /** @param mkfifo the {@code mkfifo} program */
        Maker(String mkfifo) {
            this.mkfifo = mkfifo;
        }

        /** A ready set of FIFOs: the path prefix that {@code stdout}, {@code stderr} and {@code stdin} complete. */
        synchronized String take() throws IOException {
            if (closed) {
                throw new IOException("the exec service stopped");
            }
            if (ready.isEmpty()) {
                makeBatch();
            }
            return ready.poll();
        }

        private void makeBatch() throws IOException {
            if (dir == null || !Files.isDirectory(dir)) {
                dir = Files.createTempDirectory("ferry-exec-"); // owner-only (rwx------)
            }
            List<String> cmd = new ArrayList<>(List.of(mkfifo, "-m", "600", "--"));
            List<String> sets = new ArrayList<>(BATCH_RUNS);
            for (int i = 0; i < BATCH_RUNS; i++) {
                String prefix = dir.resolve((nextSet++) + "-").toString();
                sets.add(prefix);
                for (String name : List.of(OUT, ERR, IN)) {
                    cmd.add(prefix + name);
                }
            }
            Process mk = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                if (mk.waitFor() != 0) {
                    throw new IOException("mkfifo exited with " + mk.exitValue() + " in " + dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                mk.destroyForcibly();
                throw new IOException("interrupted while making FIFOs");
            }
            ready.addAll(sets);
        }

        /** Removes the folder and the FIFOs no run took. Runs started later fall back to JDK pipes. */
        synchronized void close() {
            closed = true;
            ready.clear();
            if (dir == null) {
                return;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // left in the temporary folder: empty FIFOs, owner-only
            }
        }
    }

    /**
     * A JDK process stream as a channel that reads straight into the buffer's array (the JDK's
     * {@link Channels#newChannel(InputStream)} copies through 8 KiB). Not interruptible.
     */
    private static final class StreamChannel implements ReadableByteChannel {
        private final InputStream in;
        private volatile boolean open = true;

        StreamChannel(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer b) throws IOException {
            int n = in.read(b.array(), b.arrayOffset() + b.position(), b.remaining());
            if (n > 0) {
                b.position(b.position() + n);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
            in.close();
        }
    }
}

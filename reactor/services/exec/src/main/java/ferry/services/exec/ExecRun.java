package ferry.services.exec;

import ferry.protocol.ExecProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.EventLoop;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command run for one {@code EXEC} call: starts the process on an exec thread, streams its
 * output as {@code STDOUT}/{@code STDERR} frames, feeds it the request body, enforces the timeout
 * and the output cap, kills its process tree when stopped, and ends the call with {@code EXIT}.
 *
 * <pre>
 * STARTING --process started--------------------------> RUNNING
 * STARTING --could not start (not found, forbidden)---> DONE     ERROR frame
 * STARTING --stop (timeout, cancelled)----------------> STOPPING the kill waits for the process
 * RUNNING  --stop (timeout, output_cap, cancelled)----> STOPPING SIGTERM to group and tree, SIGKILL after the grace
 * RUNNING  --exited, stdout and stderr at EOF---------> DONE     EXIT frame
 * STOPPING --exited, pipes at EOF, all processes gone-> DONE     EXIT frame with killed/reason
 * STOPPING --a grace after SIGKILL, still not over-----> DONE     EXIT, pipes closed, survivors and holders logged
 * DONE     --(JDK pipes only) readers ended----------> slot given back
 * </pre>
 *
 * <p>A run's slot (and its up to three threads) is given back with EXIT: its pipes are FIFOs the
 * server can close ({@link RunPipes}), which ends its reader and stdin threads even when an
 * escaped process holds the other ends. Only with the JDK's pipes (no {@code mkfifo}) does an
 * abandoned run keep its slot until its threads end, so that stuck threads stay bounded.
 *
 * <p>Threading: every method whose name starts with {@code on}, plus {@link #begin} and
 * {@link #stop}, runs on the call's event loop (all state lives there); {@link #start} runs on an
 * exec thread and reaches the loop through {@link #post}; signals and death checks run on the
 * killer thread ({@link RunKill}).
 */
final class ExecRun {
    /** Why a run was stopped; the wire value of EXIT's {@code reason}. */
    static final String TIMEOUT = ExecProtocol.REASON_TIMEOUT;
    static final String OUTPUT_CAP = ExecProtocol.REASON_OUTPUT_CAP;
    static final String CANCELLED = ExecProtocol.REASON_CANCELLED;

    private enum State { STARTING, RUNNING, STOPPING, DONE }

    private final ExecService service;
    private final ExecConfig config;
    private final ExecPool pool;
    private final ExecStats stats;
    private final Call call;
    private final ExecSpec spec;
    private final String user;
    private final String address;
    private final String home;
    private final long acceptedNanos;
    private final StdinFeeder stdin;
    private final ProcessLaunch launch;
    private final RunKill kill;

    // Loop-owned.
    private State state = State.STARTING;
    private String stopReason;
    private Process process;
    private OutputPump stdoutPump;
    private OutputPump stderrPump;
    private int openStreams = 2;
    private boolean stdinOpen;
    private RunPipes pipes;
    private boolean slotReleased;
    private boolean exited;
    private int exitCode = -1;
    /** The server signalled the command while it was running: EXIT's {@code killed}. */
    private boolean signalled;
    private boolean goneConfirmed;
    private boolean checkingGone;
    private long outputSent;
    private EventLoop.Timer timeoutTimer;
    private AtomicReference<ExecRun> timeoutRef;
    private String workDir = "?";

    // Read by the killer thread and the server's stop hook.
    private volatile ProcessTree tree;
    private volatile boolean done;

    ExecRun(ExecService service, Call call, ExecSpec spec) {
        this.service = service;
        this.config = service.config();
        this.pool = service.pool();
        this.stats = service.stats();
        this.call = call;
        this.spec = spec;
        this.user = call.session().user();
        this.address = call.session().remoteAddress();
        this.home = call.session().home();
        this.acceptedNanos = call.loop().clock().nanoTime();
        this.stdin = spec.stdinBytes() > 0
                ? new StdinFeeder(call, stats, config.chunkBytes(), config.stdinHighWaterBytes(), config.stdinLowWaterBytes())
                : null;
        this.launch = new ProcessLaunch(service, spec, user, stdin != null, call.connectionName());
        this.kill = new RunKill(pool, config, call.loop(), () -> state == State.DONE, () -> done,
                () -> signalled = true, () -> {
                    goneConfirmed = true;
                    maybeFinish();
                }, this::abandon);
    }

    ProcessTree tree() {
        return tree;
    }

    /** Loop: arms the timeout and the cancel hook, starts the process on an exec thread. Returns the stdin sink or null. */
    BodySink begin() {
        call.onCancel(() -> stop(CANCELLED));
        call.cancelOnPeerEof(); // a client that closed its socket must not leave a silent command running
        // A cancelled timer stays in the loop's queue until its deadline (up to an hour): let it
        // hold a cleared reference, not the finished run and its buffers.
        AtomicReference<ExecRun> self = new AtomicReference<>(this);
        timeoutRef = self;
        timeoutTimer = call.loop().schedule(TimeUnit.MILLISECONDS.toNanos(spec.timeoutMillis()), () -> {
            ExecRun r = self.get();
            if (r != null) {
                r.stop(TIMEOUT);
            }
        });
        try {
            pool.execute(this::start);
        } catch (RejectedExecutionException e) {
            onStartFailed(ErrorCode.SHUTTING_DOWN, "server is shutting down");
            return null;
        }
        return stdin;
    }

    /** Any thread: runs {@code task} on the call's loop. */
    void post(Runnable task) {
        call.loop().execute(task);
    }

    // ---- exec thread ----------------------------------------------------------------------------

    /** Resolves folder and command, starts the process, then reads its stdout on this thread. */
    private void start() {
        ProcessLaunch.Started started;
        try {
            started = launch.start(home, dirText -> post(() -> workDir = dirText));
        } catch (OpException e) {
            startFailed(e.code(), e.getMessage());
            return;
        } catch (IOException e) {
            startFailed(ProcessLaunch.startErrorCode(e), "cannot run " + spec.describe() + ": " + ProcessLaunch.spawnReason(e));
            return;
        } catch (RuntimeException e) {
            startFailed(ErrorCode.INTERNAL, "cannot run " + spec.describe() + ": " + e.getClass().getSimpleName());
            return;
        }
        Process p = started.process();
        RunPipes io = started.fifos() != null ? started.fifos() : RunPipes.jdk(p, stdin != null);
        ProcessTree t = new ProcessTree(p, service.usesProcessGroups() ? p.pid() : -1, service.killBinary());
        tree = t; // visible to the server's stop hook even if the loop is already gone
        if (service.isStopping()) {
            t.signal(true); // started while the server was stopping: nobody would kill it later
        }
        OutputPump out = new OutputPump(this, OutputPump.Stream.STDOUT, io.stdout(), stats,
                config.chunkBytes(), config.chunksInFlight());
        OutputPump err = new OutputPump(this, OutputPump.Stream.STDERR, io.stderr(), stats,
                config.chunkBytes(), config.chunksInFlight());
        post(() -> onStarted(p, t, out, err, io));
        p.onExit().whenComplete((ph, e) -> post(this::onExited));
        try {
            if (stdin != null) {
                pool.execute(() -> {
                    try {
                        stdin.pump(io.stdin());
                    } finally {
                        post(this::onStdinClosed);
                    }
                });
            }
            pool.execute(err);
        } catch (RejectedExecutionException e) {
            // The server is stopping; its stop hook kills the process.
        }
        out.run();
    }

    /** Exec thread: reports a start failure, its message cleared of the server's paths. */
    private void startFailed(String code, String message) {
        String shown = WorkingFolder.scrub(message, config.root(), home);
        post(() -> onStartFailed(code, shown));
    }

    // ---- loop: events -------------------------------------------------------------------------

    private void onStartFailed(String code, String message) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        done = true;
        cancelTimers();
        if (stdin != null) {
            stdin.close();
        }
        call.fail(code, message);
        service.runEnded(this, false, false);
        service.ctx().log().info("exec refused " + call.connectionName() + " " + who() + " " + spec.describe()
                + ": " + code + ": " + message);
    }

    private void onStarted(Process p, ProcessTree t, OutputPump out, OutputPump err, RunPipes io) {
        process = p;
        tree = t;
        pipes = io;
        stdinOpen = stdin != null;
        stdoutPump = out;
        stderrPump = err;
        stats.countStarted();
        service.ctx().log().info("exec start " + call.connectionName() + " " + who() + " " + spec.describe()
                + " cwd=" + workDir + envNames() + " pid=" + p.pid() + (t.usesGroup() ? " (own process group)" : ""));
        if (state == State.STOPPING) {
            kill.request(tree); // stopped (timeout, disconnect) while it was starting
        } else {
            state = State.RUNNING;
        }
    }

    /**
     * A chunk of output from {@code pump}: forward it, within the cap, and return the credit when
     * there is room. Once the run is stopped, credits come back at once so the pipes reach EOF
     * while the processes die, and output goes on only as far as the connection has room: a
     * killed command that a client is not reading must not hold its EXIT back, nor buffer what it
     * prints while it ignores SIGTERM.
     */
    void onOutput(OutputPump pump, ByteBuffer chunk) {
        int n = chunk.remaining();
        boolean stopping = stopReason != null;
        if (state == State.DONE || call.isCancelled() || call.isEnded() || OUTPUT_CAP.equals(stopReason)
                || (stopping && call.isOutputSaturated())) {
            pump.giveBack(chunk);
            return;
        }
        long room = config.maxOutputBytes() - outputSent;
        int send = (int) Math.min(n, room);
        if (send > 0) {
            call.send(Header.reply(pump.stream().op(), call.id()).put(Header.SIZE, (long) send));
            chunk.limit(chunk.position() + send);
            call.sendBody(chunk);
            outputSent += send;
            stats.output(send, call.pendingOutputBytes());
        }
        if (send < n) {
            stop(OUTPUT_CAP); // never cut silently: EXIT will say so
        }
        if (stopReason == null && call.isOutputSaturated()) {
            pump.park(call, chunk);
        } else {
            pump.giveBack(chunk);
        }
    }

    void onStreamClosed(OutputPump pump, IOException error) {
        if (error != null && state != State.DONE) {
            service.ctx().log().debug("exec " + call.connectionName() + " " + pump.stream() + " pipe failed: " + error);
        }
        openStreams--;
        maybeFinish();
        releaseSlotIfIdle();
    }

    private void onStdinClosed() {
        stdinOpen = false;
        releaseSlotIfIdle();
    }

    private void onExited() {
        exited = true;
        exitCode = process.exitValue();
        maybeFinish();
    }

    /** Stops the run for {@code reason} (the first reason wins). Loop thread. */
    void stop(String reason) {
        if (state == State.DONE || stopReason != null) {
            return;
        }
        stopReason = reason;
        if (stdoutPump != null) {
            stdoutPump.releaseParked();
            stderrPump.releaseParked();
        }
        if (timeoutTimer != null && !TIMEOUT.equals(reason)) {
            timeoutTimer.cancel();
        }
        if (state == State.RUNNING) {
            kill.request(tree);
        }
        state = State.STOPPING; // from STARTING, onStarted kills as soon as there is a process
    }

    private void maybeFinish() {
        if (state == State.DONE || !exited || openStreams > 0) {
            return;
        }
        if (stopReason != null && !goneConfirmed) {
            // Report EXIT only once the whole tree is gone, so "killed" means gone.
            if (!checkingGone) {
                checkingGone = true;
                kill.watchUntilGone(tree);
            }
            return;
        }
        finish(null);
    }

    /**
     * A grace after SIGKILL the run is still not over: the command survived SIGKILL (a process
     * stuck in the kernel) or, more often, a process that escaped the group and the tree
     * ({@code setsid cmd &}) holds its pipes. Send EXIT anyway, stop reading (closing the pipes
     * wakes the readers) and name every survivor and holder in the log, since only the operator
     * can deal with them.
     */
    private void abandon() {
        if (state == State.DONE) {
            return;
        }
        ProcessTree t = tree;
        RunPipes io = pipes;
        pool.kill(() -> {
            List<Long> inTree = t.survivors();
            List<Long> holders = io.holders();
            String named = ProcessTree.describe(inTree, holders);
            post(() -> {
                if (state == State.DONE) {
                    return;
                }
                stats.countAbandoned();
                service.ctx().log().warn("exec " + call.connectionName() + " " + who() + " " + spec.describe()
                        + ": gave up after SIGKILL; still running or holding its pipes: " + named + "; "
                        + (io.closable() ? "pipes closed, EXIT sent"
                                : "EXIT sent, " + openStreams + " pipe readers left until those processes close the pipes"
                                        + " (the run keeps its exec slot until then)"));
                List<Long> all = new ArrayList<>(inTree);
                for (Long h : holders) {
                    if (!all.contains(h)) {
                        all.add(h);
                    }
                }
                finish(all);
            });
        });
    }

    private void finish(List<Long> survivors) {
        state = State.DONE;
        done = true;
        cancelTimers();
        if (stdin != null) {
            stdin.close();
        }
        long durationMs = TimeUnit.NANOSECONDS.toMillis(call.loop().clock().nanoTime() - acceptedNanos);
        boolean wasExited = exited;
        call.send(Header.reply(ExecProtocol.EXIT, call.id())
                .put(ExecProtocol.EXIT_CODE, (long) (wasExited ? exitCode : -1))
                .put(ExecProtocol.DURATION_MS, durationMs)
                .put(ExecProtocol.KILLED, signalled)
                .put(ExecProtocol.REASON, stopReason));
        call.end();
        if (pipes != null && pipes.closable()) {
            // Wakes the stdin writer and any reader still on a pipe (abandoned run). Closing waits
            // for the woken threads to leave their system call: not on the loop.
            pool.kill(pipes::close);
        }
        service.ctx().log().info("exec end " + call.connectionName() + " " + who() + " " + spec.describe()
                + " exit=" + (wasExited ? exitCode : "?") + " duration=" + durationMs + "ms"
                + (signalled ? " killed" : "") + (stopReason != null ? " reason=" + stopReason : "")
                + " output=" + outputSent + "B" + (survivors != null ? " survivors=" + survivors : ""));
        releaseSlotIfIdle(); // after the log line: whoever sees the slot free (ExecStats) sees the line too
    }

    /**
     * Loop: gives the run's slot back once EXIT went out, and, with the JDK's pipes (which
     * cannot be closed under a blocked thread), once its threads ended too.
     */
    private void releaseSlotIfIdle() {
        if (state != State.DONE || slotReleased || process == null) {
            return;
        }
        if (pipes.closable() || (openStreams == 0 && !stdinOpen)) {
            slotReleased = true;
            service.runEnded(this, true, stopReason != null);
        }
    }

    private void cancelTimers() {
        if (timeoutTimer != null) {
            timeoutTimer.cancel();
        }
        kill.cancelTimers();
        if (timeoutRef != null) {
            timeoutRef.set(null);
        }
    }

    /** Who runs it: the session's user. Any thread (final). */
    String user() {
        return user;
    }

    private String who() {
        return user + "@" + address;
    }

    private String envNames() {
        return spec.env().isEmpty() ? "" : " env=" + spec.env().keySet();
    }
}

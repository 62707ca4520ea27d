package ferry.services.exec;

import ferry.protocol.ErrorCode;
import ferry.protocol.ExecProtocol;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.FerryService;
import ferry.reactor.OpException;
import ferry.reactor.Right;
import ferry.reactor.ServerContext;
import ferry.reactor.UserCounter;
import ferry.reactor.UserLimits;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Remote command execution: the {@code EXEC} op (docs/PROTOCOL.md, "Exec").
 *
 * <p>Off by default: with {@link ExecPolicy#DISABLED} every request is refused with
 * {@code forbidden}. When enabled, HELLO lists the feature {@value #FEATURE}, only sessions with
 * {@link Right#EXEC} may run commands, and at most {@link ExecConfig#maxRunning()} run at once
 * on the service's own threads ({@link ExecPool}); one more is answered {@code busy} at once.
 * Every run and every refusal is logged with user, address, command, exit and duration.
 *
 * <pre>{@code
 * ExecConfig exec = ExecConfig.builder(rootDir)
 *         .policy(ExecPolicy.parse("ls,df,uptime", false, false))   // --exec-allow ls,df,uptime
 *         .build();
 * server.install(new ExecService(exec));
 * }</pre>
 *
 * <p>Threading: {@link #install} on the configuring thread; requests on the event loop; see
 * {@link ExecRun} for the rest.
 */
public final class ExecService implements FerryService {
    /** The word HELLO lists when exec is enabled. */
    public static final String FEATURE = "exec";
    public static final String OP = ExecProtocol.EXEC;

    private final ExecConfig config;
    private final ExecStats stats = new ExecStats();
    private final Set<ExecRun> active = ConcurrentHashMap.newKeySet();
    private final UserCounter runsPerUser = new UserCounter();
    private ServerContext ctx;
    private ExecPool pool;
    private List<String> launchPrefix = List.of();
    private String killBinary;
    private RunPipes.Maker fifos;
    private volatile boolean stopping;

    public ExecService(ExecConfig config) {
        this.config = config;
    }

    public ExecConfig config() {
        return config;
    }

    /** Commands running per user now; safe from any thread (for leak tests). */
    public UserCounter runsPerUser() {
        return runsPerUser;
    }

    /** Live counters; safe from any thread. */
    public ExecStats stats() {
        return stats;
    }

    @Override
    public void install(ServerContext ctx) {
        this.ctx = ctx;
        ctx.register(OP, this::onExec);
        if (!config.policy().enabled()) {
            return;
        }
        pool = new ExecPool(config.maxRunning());
        String mkfifo = config.namedPipes() ? ProcessTree.findTool("mkfifo", config.searchPath()) : null;
        fifos = mkfifo == null ? null : new RunPipes.Maker(mkfifo);
        if (config.processGroups()) {
            detectProcessGroupTools();
        }
        ctx.addFeature(FEATURE);
        ctx.onStop(this::stopAll);
        ctx.log().info("exec enabled: " + config.policy() + ", up to " + config.maxRunning() + " at once, timeout "
                + config.defaultTimeoutMillis() + " ms (max " + config.maxTimeoutMillis() + "), output cap "
                + config.maxOutputBytes() + " bytes, search path " + config.searchPathString() + ", "
                + (launchPrefix.isEmpty() ? "no process groups (setsid not found): orphans of killed commands may survive"
                        : "own process group per command via " + String.join(" ", launchPrefix))
                + (fifos == null ? ", JDK pipes (no mkfifo): a run whose pipes an escaped process holds"
                        + " keeps its slot until that process ends" : ", FIFOs via " + mkfifo));
    }

    ServerContext ctx() {
        return ctx;
    }

    ExecPool pool() {
        return pool;
    }

    /** What goes before every command: {@code setsid -w}, {@code setsid}, or nothing. */
    List<String> launchPrefix() {
        return launchPrefix;
    }

    boolean usesProcessGroups() {
        return !launchPrefix.isEmpty();
    }

    String killBinary() {
        return killBinary;
    }

    /** Where runs get their FIFOs ({@link RunPipes}), or null (no {@code mkfifo}): the JDK's pipes. */
    RunPipes.Maker fifos() {
        return fifos;
    }

    /** True once the server's stop hook ran: a process that starts now is killed at once. */
    boolean isStopping() {
        return stopping;
    }

    /** Loop thread: the EXEC op. */
    private BodySink onExec(Call call) throws OpException, ProtocolException {
        try {
            if (!config.policy().enabled()) {
                throw OpException.forbidden("exec is disabled on this server (the operator enables it with --exec-allow)");
            }
            call.session().require(Right.EXEC);
            ExecSpec spec = ExecSpec.parse(call.request(), config);
            String user = call.session().user();
            int userLimit = UserLimits.effective(UserLimits.of(call.session()).maxExec(), config.maxRunningPerUser());
            if (!runsPerUser.tryAcquire(user, userLimit)) {
                stats.countBusy();
                throw new OpException(ErrorCode.BUSY, "server busy: user " + user + " runs " + userLimit
                        + " commands, the most one user may run at once; retry when one ends");
            }
            if (!pool.tryAcquire()) {
                runsPerUser.release(user);
                stats.countBusy();
                throw new OpException(ErrorCode.BUSY, "server busy: all " + pool.slots()
                        + " exec slots are running commands; retry later");
            }
            ExecRun run;
            try {
                run = new ExecRun(this, call, spec);
            } catch (RuntimeException e) {
                pool.release();
                runsPerUser.release(user);
                throw e;
            }
            active.add(run);
            return run.begin();
        } catch (OpException | ProtocolException e) {
            if (!ErrorCode.BUSY.equals(Call.errorCode(e))) {
                stats.countRefused();
            }
            ctx.log().info("exec refused " + call.connectionName() + " " + call.session().user() + "@"
                    + call.session().remoteAddress() + " " + describe(call) + ": " + Call.errorCode(e) + ": " + e.getMessage());
            throw e;
        }
    }

    private static String describe(Call call) {
        Object argv = call.request().get("argv");
        Object shell = call.request().get("shell");
        return argv != null ? Json.write(argv) : shell != null ? "shell " + Json.write(shell) : "(no command)";
    }

    /** Loop thread: a run gave its slot back. */
    void runEnded(ExecRun run, boolean started, boolean stopped) {
        if (active.remove(run)) {
            pool.release();
            runsPerUser.release(run.user());
            stats.countFinished(stopped, started);
            if (!started) {
                stats.countRefused();
            }
        }
    }

    /**
     * Server stop: connections are closed (so runs are cancelled), but their kills are still
     * queued on the killer thread. SIGKILL every tree now and wait, up to the kill grace, until
     * they are gone: nothing a user started outlives the server.
     */
    private void stopAll() {
        stopping = true;
        List<ProcessTree> trees = new ArrayList<>();
        for (ExecRun r : active) {
            ProcessTree t = r.tree();
            if (t != null) {
                t.signal(true);
                trees.add(t);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.killGraceMillis());
        for (ProcessTree t : trees) {
            while (!t.allGone() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(config.deathCheckMillis()); // stop() is a blocking call, never on a loop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!t.allGone()) {
                ctx.log().warn("exec: processes " + t.survivors() + " survived SIGKILL at server stop");
            }
        }
        pool.shutdown();
        if (fifos != null) {
            fifos.close();
        }
    }

    /**
     * Looks for setsid (and whether it has {@code -w}, which makes it wait for the command should
     * it ever have to fork) and kill, once at install: blocking, but not on a loop.
     */
    private void detectProcessGroupTools() {
        String setsid = ProcessTree.findTool("setsid", config.searchPath());
        killBinary = ProcessTree.findTool("kill", config.searchPath());
        if (setsid == null) {
            return;
        }
        String trueBinary = ProcessTree.findTool("true", config.searchPath());
        if (trueBinary != null && runs(setsid, "-w", trueBinary)) {
            launchPrefix = List.of(setsid, "-w");
        } else if (trueBinary == null || runs(setsid, trueBinary)) {
            launchPrefix = List.of(setsid);
        }
        launchPrefix = Collections.unmodifiableList(launchPrefix);
    }

    private static boolean runs(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

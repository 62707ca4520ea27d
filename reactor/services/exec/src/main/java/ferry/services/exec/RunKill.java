package ferry.services.exec;

import ferry.reactor.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How one stopped {@link ExecRun} is killed: SIGTERM now, SIGKILL after the grace, give up a
 * grace later; or give up at the SIGKILL already when the run's processes were all gone by then:
 * a run not over a grace after its last process died has its pipes held from outside (an
 * escapee), and waiting longer changes nothing. Also the death check that lets a stopped run
 * report EXIT only once its whole tree is gone, so "killed" means gone.
 *
 * <p>Threading: {@link #request}, {@link #watchUntilGone} and {@link #cancelTimers} on the run's
 * loop thread (the timers are its, on the server clock); signals and death checks run on the
 * killer thread and reach the loop by posting, in order.
 */
final class RunKill {
    private final ExecPool pool;
    private final ExecConfig config;
    private final EventLoop loop;
    private final BooleanSupplier over; // the run is DONE; loop thread
    private final BooleanSupplier finished; // the run has sent EXIT; any thread
    private final Runnable signalled; // the command was running when signalled; loop thread
    private final Runnable allGone; // every process of the run is gone; loop thread
    private final Runnable abandon; // give up on the run; loop thread
    private EventLoop.Timer escalateTimer; // loop thread
    private EventLoop.Timer abandonTimer;

    RunKill(ExecPool pool, ExecConfig config, EventLoop loop, BooleanSupplier over, BooleanSupplier finished,
            Runnable signalled, Runnable allGone, Runnable abandon) {
        this.pool = pool;
        this.config = config;
        this.loop = loop;
        this.over = over;
        this.finished = finished;
        this.signalled = signalled;
        this.allGone = allGone;
        this.abandon = abandon;
    }

    /** Starts the sequence described above for {@code t}. Loop thread. */
    void request(ProcessTree t) {
        pool.kill(() -> signal(t, false));
        long graceNanos = TimeUnit.MILLISECONDS.toNanos(config.killGraceMillis());
        escalateTimer = loop.schedule(graceNanos, () -> {
            if (over.getAsBoolean()) {
                return;
            }
            pool.kill(() -> {
                boolean goneBefore = t.allGone();
                signal(t, true);
                if (goneBefore) {
                    loop.execute(abandon);
                }
            });
            abandonTimer = loop.schedule(graceNanos, abandon);
        });
    }

    /**
     * Killer thread: signals the tree and records whether the command was running when it was
     * signalled. Only the OS knows that at this moment: the loop hears of an exit later, through
     * the process reaper, so deciding on the loop reported commands that had exited by themselves
     * (status 0) as killed. The post reaches the loop before the death check that lets the run
     * finish, since both come from this one thread in order.
     */
    private void signal(ProcessTree t, boolean force) {
        if (t.signal(force)) {
            loop.execute(signalled);
        }
    }

    /** Polls on the killer thread until every process of {@code t} is gone, then tells the loop. Loop thread. */
    void watchUntilGone(ProcessTree t) {
        pool.kill(() -> checkGone(t));
    }

    /** Killer thread: polls until every process of the run is gone; the escalation timer sends SIGKILL meanwhile. */
    private void checkGone(ProcessTree t) {
        if (finished.getAsBoolean()) {
            return;
        }
        if (t.allGone()) {
            loop.execute(allGone);
        } else {
            pool.killLater(() -> checkGone(t), config.deathCheckMillis());
        }
    }

    /** The run is over: the escalation and give-up timers must not fire. Loop thread. */
    void cancelTimers() {
        for (EventLoop.Timer t : new EventLoop.Timer[] {escalateTimer, abandonTimer}) {
            if (t != null) {
                t.cancel();
            }
        }
    }
}

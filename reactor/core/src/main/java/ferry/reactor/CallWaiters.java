package ferry.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What waits on one {@link Call}: the hooks to run if it is cancelled ({@link Call#onCancel}),
 * and the one task to run once it reaches the head of its connection ({@link Call#whenHead}).
 * Made only for the calls that have any.
 *
 * <p>Threading contract: owned by the call's loop thread, like the call.
 */
final class CallWaiters {
    private List<Runnable> cancelHooks;
    private Runnable headTask;

    void addCancelHook(Runnable hook) {
        if (cancelHooks == null) {
            cancelHooks = new ArrayList<>(2);
        }
        cancelHooks.add(hook);
    }

    /** The call ended: nothing will cancel it any more. */
    void dropCancelHooks() {
        cancelHooks = null;
    }

    /** Runs the cancel hooks once; one that throws is reported to {@code onError} and the rest still run. */
    void runCancelHooks(Consumer<RuntimeException> onError) {
        List<Runnable> hooks = cancelHooks;
        cancelHooks = null;
        if (hooks == null) {
            return;
        }
        for (Runnable r : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                onError.accept(e);
            }
        }
    }

    void setHeadTask(Runnable task, Call owner) {
        if (headTask != null) {
            throw new IllegalStateException("whenHead already has a task for " + owner);
        }
        headTask = task;
    }

    /** The head task, now forgotten, or null. */
    Runnable takeHeadTask() {
        Runnable t = headTask;
        headTask = null;
        return t;
    }
}

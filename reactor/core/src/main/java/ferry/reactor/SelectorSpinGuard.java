package ferry.reactor;

/**
 * Recognises the epoll "spin" bug (JDK-6670302, JDK-6403933; Netty and Jetty carry the same
 * guard): {@code select(timeout)} returning at once, again and again, with no key ready, while the
 * loop has no task or timer to run, so the loop burns a core doing nothing. A select is "early and
 * empty" when it returned before its timeout with nothing selected, no work done and the thread
 * not interrupted; after {@code threshold} of them in a row the selector should be replaced.
 *
 * <p>Anything that explains an early return resets the count: a ready key, a task or timer (an
 * {@link EventLoop#execute} wakeup), a {@code selectNow} (timeout 0), a select that waited its
 * full timeout, an interrupt.
 *
 * <p>Pure: fed with what each iteration observed, so it is tested without a selector. Thread
 * safety: none; owned by one loop.
 */
final class SelectorSpinGuard {
    private final int threshold;
    private int earlyEmptySelects;

    /** @param threshold consecutive early empty selects that mean the selector spins (Netty uses 512) */
    SelectorSpinGuard(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be >= 1: " + threshold);
        }
        this.threshold = threshold;
    }

    /**
     * Records one loop iteration.
     *
     * @param selected keys the select reported ready
     * @param didWork whether tasks or timers ran in the iteration
     * @param timeoutMillis the select's timeout; 0 for {@code selectNow}
     * @param elapsedNanos how long the select took, by the real clock (not the app's fake one)
     * @param interrupted whether the loop thread had been interrupted (select returns early then)
     * @return true when the selector should be rebuilt now (the count starts again)
     */
    boolean afterSelect(int selected, boolean didWork, long timeoutMillis, long elapsedNanos, boolean interrupted) {
        boolean explained = selected > 0 || didWork || timeoutMillis == 0 || interrupted
                || elapsedNanos >= timeoutMillis * 1_000_000;
        if (explained) {
            earlyEmptySelects = 0;
            return false;
        }
        if (++earlyEmptySelects >= threshold) {
            earlyEmptySelects = 0;
            return true;
        }
        return false;
    }

    /** Early empty selects in a row so far. */
    int earlyEmptySelects() {
        return earlyEmptySelects;
    }
}

package ferry.services.file;

import ferry.reactor.EventLoop;

/**
 * The loop timer that looks at an upload's rate ({@link UploadPace}) once per window while it
 * receives.
 *
 * <p>A disarmed timer stays in the loop's queue until its time (up to a window); its task is
 * cleared, so it holds nothing of the upload meanwhile (thousands of vanished uploads would
 * otherwise keep their calls and connections reachable for a minute).
 *
 * <p>Threading contract: the upload's loop thread.
 */
final class UploadPaceTimer {
    private final EventLoop loop;
    private final UploadPace pace;
    private EventLoop.Timer timer;
    private Check check;

    UploadPaceTimer(EventLoop loop, UploadPace pace) {
        this.loop = loop;
        this.pace = pace;
    }

    /** Runs {@code onDue} on the loop at the next check; nothing when no minimum rate is enforced. */
    void arm(Runnable onDue) {
        disarm();
        if (pace.enforced()) {
            check = new Check(onDue);
            timer = loop.schedule(pace.nextCheckDelayNanos(loop.clock().nanoTime()), check);
        }
    }

    void disarm() {
        if (timer != null) {
            timer.cancel();
            check.onDue = null;
            timer = null;
            check = null;
        }
    }

    private final class Check implements Runnable {
        private Runnable onDue;

        Check(Runnable onDue) {
            this.onDue = onDue;
        }

        @Override
        public void run() {
            Runnable r = onDue;
            onDue = null;
            timer = null;
            check = null;
            if (r != null) {
                r.run();
            }
        }
    }
}

package ferry.reactor;

import java.util.concurrent.Callable;

/**
 * One trip through {@link Workers#trySubmit}: a job on a worker, then a task on its loop that
 * runs the completion there, or abandons the result if the loop has stopped.
 *
 * <p>Threading contract: {@link #work()} on one worker (or, for {@link Workers#post}, none);
 * then exactly one of {@link #run()} (loop thread) and {@link #abandon()} (whichever thread saw
 * the loop stopped: the worker, or the loop's thread as it exits). The loop's task queue orders
 * the handover of {@code result} and {@code error}.
 */
final class Handoff<T> implements EventLoop.Abandonable {
    private final EventLoop loop;
    private final Callable<T> job;
    private final Workers.Completion<? super T> completion;
    private T result;
    private Throwable error;

    Handoff(EventLoop loop, Callable<T> job, Workers.Completion<? super T> completion) {
        this.loop = loop;
        this.job = job;
        this.completion = completion;
    }

    /** A result a worker already holds, for {@link Workers#post}. */
    Handoff(EventLoop loop, T result, Throwable error, Workers.Completion<? super T> completion) {
        this(loop, null, completion);
        this.result = result;
        this.error = error;
    }

    /** Worker: the job, then the trip to the loop. */
    void work() {
        try {
            result = job.call();
        } catch (Throwable t) {
            error = t;
        }
        deliver();
    }

    /** Any thread: to the loop, or straight to abandonment if the loop has stopped. */
    void deliver() {
        if (loop.isStopped()) {
            abandon();
        } else {
            loop.execute(this); // abandoned by the loop's exit drain if it stops before running it
        }
    }

    /** Loop thread: the completion. */
    @Override
    public void run() {
        completion.complete(result, error);
    }

    @Override
    public void abandon() {
        if (error == null) {
            completion.abandoned(result);
        }
    }
}

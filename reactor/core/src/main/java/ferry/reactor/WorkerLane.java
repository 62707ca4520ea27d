package ferry.reactor;

/**
 * The server's worker pools, one per kind of blocking work, so that one kind cannot starve
 * another: sixteen users hashing 1 GiB files must not make a third user's login or STAT wait
 * behind them, and a flood of unauthenticated AUTH_STARTs must not make anyone's file ops
 * {@code busy}. Each lane is a bounded {@link Workers} of its own (threads and queue).
 */
public enum WorkerLane {
    /** Short file-system calls a request waits on: open, stat, list, mkdir, delete, rename. */
    METADATA,
    /** Long reads and writes: hashing, read-ahead, upload writes, fsync and commit, temp sweeps. */
    BULK,
    /** Login work (the SCRAM exchange's key lookups and proofs), before and after authentication. */
    LOGIN
}

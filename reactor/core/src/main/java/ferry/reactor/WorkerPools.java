package ferry.reactor;

/**
 * A server's worker pools, one per {@link WorkerLane}, so one kind of blocking work filling its
 * pool leaves the others served. Threading: any thread.
 */
final class WorkerPools {
    private final Workers metadata;
    private final Workers bulk;
    private final Workers login;

    WorkerPools(ServerConfig config) {
        this.metadata = new Workers("ferry-worker", config.workerThreads(), config.workerQueue());
        this.bulk = new Workers("ferry-bulk", config.bulkWorkerThreads(), config.workerQueue());
        this.login = new Workers("ferry-login", config.loginWorkerThreads(), config.workerQueue());
    }

    Workers lane(WorkerLane lane) {
        return switch (lane) {
            case METADATA -> metadata;
            case BULK -> bulk;
            case LOGIN -> login;
        };
    }

    /** Stops every pool, letting running work finish until {@code deadlineNanos} (System.nanoTime). */
    void shutdown(long deadlineNanos) throws InterruptedException {
        for (Workers w : new Workers[] {metadata, bulk, login}) {
            w.shutdown(Math.max(0, deadlineNanos - System.nanoTime()));
        }
    }
}

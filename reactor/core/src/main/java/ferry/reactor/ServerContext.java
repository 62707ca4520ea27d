package ferry.reactor;

/**
 * What a {@link FerryService} sees of the server while installing itself: where to register ops,
 * the worker pool, the configuration, the log. Registration is allowed only before
 * {@link FerryServer#start()}.
 */
public interface ServerContext {
    ServerConfig config();

    /** The {@link WorkerLane#METADATA} pool, for short blocking work; see {@link Workers#submit}. */
    Workers workers();

    /** The pool of {@code lane}: long disk work goes to {@link WorkerLane#BULK}, login work to {@link WorkerLane#LOGIN}. */
    Workers workers(WorkerLane lane);

    ServerLog log();

    ServerStats stats();

    /**
     * Registers an op that needs a logged-in session and is sequenced as a {@link Sequencing#WRITE}.
     * Every {@code register*} method throws {@link IllegalStateException} when {@code op} is already
     * registered (a second handler would silently replace the first, even a core op such as PING)
     * or the server has started.
     */
    void register(String op, OpHandler handler);

    /** Registers an op that needs a logged-in session, sequenced as {@code sequencing}. */
    void register(String op, OpHandler handler, Sequencing sequencing);

    /**
     * Registers a public op: one a connection may use before it logs in (HELLO, AUTH*, PING, BYE),
     * sequenced as a {@link Sequencing#WRITE} (the safe default: an op that may change something
     * waits for every earlier request on its connection).
     */
    void registerPublic(String op, OpHandler handler);

    /** Registers a public op (usable before login), sequenced as {@code sequencing}. */
    void registerPublic(String op, OpHandler handler, Sequencing sequencing);

    /** Adds a word to the {@code features} list that {@code HELLO} reports. */
    void addFeature(String feature);

    /** Adds an observer of every finished request (an audit log, metrics); before the server starts. */
    void addRequestObserver(RequestObserver observer);

    /** Runs {@code hook} during {@link FerryServer#stop}, after connections closed and before workers stop. */
    void onStop(Runnable hook);
}

package ferry.reactor;

/**
 * What a {@link FerryService} sees of the server while installing itself: where to register ops,
 * the worker pool, the configuration, the log. Registration is allowed only before
 * {@link FerryServer#start()}.
 */
public interface ServerContext {
    ServerConfig config();

    /** The shared pool for blocking work; see {@link Workers#submit}. */
    Workers workers();

    ServerLog log();

    ServerStats stats();

    /** Registers an op that needs a logged-in session. */
    void register(String op, OpHandler handler);

    /**
     * Registers an op.
     *
     * @param allowedBeforeLogin whether a connection that has not logged in may use it (HELLO,
     *     AUTH*, PING, BYE)
     */
    void register(String op, OpHandler handler, boolean allowedBeforeLogin);

    /** Adds a word to the {@code features} list that {@code HELLO} reports. */
    void addFeature(String feature);

    /** Runs {@code hook} during {@link FerryServer#stop}, after connections closed and before workers stop. */
    void onStop(Runnable hook);
}

package ferry.reactor;

/**
 * A group of ops installed together (files, auth, exec). Applications embedding Ferry write their
 * own beside the built-in ones.
 */
@FunctionalInterface
public interface FerryService {
    /** Registers ops and hooks. Called once, before the server starts, on the caller's thread. */
    void install(ServerContext ctx) throws Exception;
}

package ferry.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A kind of load: how each connection behaves ({@link #newScript}) and how the run is sequenced.
 *
 * <p>Timed scenarios ({@code ping}, {@code pipeline}, {@code get}, {@code put},
 * {@code mixed}) run connect, warm-up, a measured window, drain. The {@code idle} scenario
 * ({@link #holdsIdle()}) connects, measures server memory, sends one PING per connection,
 * measures again, and holds. File scenarios create their test files in {@link #prepare} and return a
 * script that sends GET, PUT or a mix of requests.
 */
public interface Scenario {
    String name();

    /** The script of connection {@code index}. */
    ConnectionScript newScript(Options options, int index);

    /**
     * Blocking setup against the server before the connections open (e.g. create the files a GET
     * reads).
     *
     * @param fileRoot the root of the server's files when the harness started the server and
     *     can write there directly, else null (reach them through the protocol)
     */
    default void prepare(InetSocketAddress server, Options options, Path fileRoot) throws IOException {}

    /** Whether this is the idle-hold sequence rather than a timed load. */
    default boolean holdsIdle() {
        return false;
    }

    /** Whether reports break the numbers down per kind of request (a mix of kinds). */
    default boolean reportsKinds() {
        return false;
    }
}

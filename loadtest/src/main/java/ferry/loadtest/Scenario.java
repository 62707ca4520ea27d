package ferry.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A kind of load: how each connection behaves ({@link #newScript}) and how the run is sequenced.
 *
 * <p>Timed scenarios ({@code ping}, {@code pipeline}, and later {@code get}, {@code put},
 * {@code mixed}) run connect, warm-up, a measured window, drain. The {@code idle} scenario
 * ({@link #holdsIdle()}) connects, measures server memory, sends one PING per connection,
 * measures again, and holds. File scenarios plug in by implementing this interface: upload their
 * test files in {@link #prepare} and return a script that sends GET or PUT requests.
 */
public interface Scenario {
    String name();

    /** The script of connection {@code index}. */
    ConnectionScript newScript(Options options, int index);

    /** Blocking setup against the server before the connections open (e.g. create the files a GET reads). */
    default void prepare(InetSocketAddress server, Options options) throws IOException {}

    /** Whether this is the idle-hold sequence rather than a timed load. */
    default boolean holdsIdle() {
        return false;
    }

    /** Bytes of payload one request and its answer carry (for reports), beyond headers. */
    default long payloadBytesPerRequest(Options options) {
        return 0;
    }
}

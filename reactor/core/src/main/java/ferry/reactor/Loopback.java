package ferry.reactor;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one test of whether a host string (a bind address, a server to connect to) means this
 * machine only, which decides what Ferry allows without login and what it warns about.
 *
 * <p>Thread safety: stateless, any thread; but see {@link #isLoopbackHost} about blocking.
 */
public final class Loopback {
    private Loopback() {}

    /**
     * Whether {@code host} is a loopback address ({@code 127.0.0.0/8}, {@code ::1}) or a name that
     * resolves to one. An IP literal is parsed without any lookup. A host name is resolved with
     * {@link InetAddress#getByName}, which reads the hosts file and may ask DNS and block: call it
     * while configuring, never on an event loop. A name that does not resolve is not loopback.
     */
    public static boolean isLoopbackHost(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package ferry.reactor;

import java.net.InetSocketAddress;

/**
 * A parsed PROXY protocol header (HAProxy's {@code proxy-protocol.txt}, v1 or v2): who the proxy
 * says the client is.
 *
 * @param version 1 (text) or 2 (binary)
 * @param source  the real client's address and port, or null when the header names none (v1
 *                {@code UNKNOWN}, v2 {@code LOCAL} or {@code UNSPEC}: a proxy's own health check);
 *                the connection then keeps the proxy's own address
 * @param destination the address the client connected to on the proxy, or null with {@code source}
 * @param length  bytes the header took on the wire
 */
public record ProxyHeader(int version, InetSocketAddress source, InetSocketAddress destination, int length) {
    /** Whether the header names a client (else the connection is the proxy's own). */
    public boolean hasSource() {
        return source != null;
    }
}

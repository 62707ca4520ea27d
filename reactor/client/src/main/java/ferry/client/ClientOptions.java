package ferry.client;

import ferry.protocol.FrameLimits;

/**
 * How a {@link FerryClient} connects. Immutable; start from {@link #defaults()} and use the
 * {@code with*} methods.
 *
 * @param connectTimeoutMillis how long to wait for the TCP connection
 * @param readTimeoutMillis    longest silence from the server before a read fails
 * @param tcpNoDelay           disable Nagle's algorithm (Ferry coalesces its own writes)
 * @param maxHeaderBytes       largest header accepted from the server
 * @param ioBufferBytes        size of the client's read and write buffers
 * @param clientName           reported to the server in HELLO
 * @param tls                  TLS and how the server is trusted; null for plaintext
 */
public record ClientOptions(long connectTimeoutMillis, long readTimeoutMillis, boolean tcpNoDelay,
                            int maxHeaderBytes, int ioBufferBytes, String clientName, ClientTls tls) {
    /** Plaintext options. */
    public ClientOptions(long connectTimeoutMillis, long readTimeoutMillis, boolean tcpNoDelay,
                         int maxHeaderBytes, int ioBufferBytes, String clientName) {
        this(connectTimeoutMillis, readTimeoutMillis, tcpNoDelay, maxHeaderBytes, ioBufferBytes, clientName, null);
    }

    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_READ_TIMEOUT_MILLIS = 60_000;
    /** 64 KiB reads beat 1 MiB reads on loopback here: they stay inside the L2 cache. */
    public static final int DEFAULT_IO_BUFFER_BYTES = 64 * 1024;

    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_READ_TIMEOUT_MILLIS, true,
                FrameLimits.DEFAULT_MAX_HEADER_BYTES, DEFAULT_IO_BUFFER_BYTES, "ferry-client");
    }

    public ClientOptions withConnectTimeoutMillis(long v) {
        return new ClientOptions(v, readTimeoutMillis, tcpNoDelay, maxHeaderBytes, ioBufferBytes, clientName, tls);
    }

    public ClientOptions withReadTimeoutMillis(long v) {
        return new ClientOptions(connectTimeoutMillis, v, tcpNoDelay, maxHeaderBytes, ioBufferBytes, clientName, tls);
    }

    public ClientOptions withTcpNoDelay(boolean v) {
        return new ClientOptions(connectTimeoutMillis, readTimeoutMillis, v, maxHeaderBytes, ioBufferBytes, clientName, tls);
    }

    public ClientOptions withMaxHeaderBytes(int v) {
        return new ClientOptions(connectTimeoutMillis, readTimeoutMillis, tcpNoDelay, v, ioBufferBytes, clientName, tls);
    }

    public ClientOptions withClientName(String v) {
        return new ClientOptions(connectTimeoutMillis, readTimeoutMillis, tcpNoDelay, maxHeaderBytes, ioBufferBytes, v, tls);
    }

    /** TLS with this trust (null: plaintext). */
    public ClientOptions withTls(ClientTls v) {
        return new ClientOptions(connectTimeoutMillis, readTimeoutMillis, tcpNoDelay, maxHeaderBytes, ioBufferBytes, clientName, v);
    }
}

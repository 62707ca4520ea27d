package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.FrameEncoder;
import ferry.protocol.Preamble;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * A server's TLS: the context that holds its key, and which peers may still speak plaintext on the
 * same port (a plaintext peer is told in one ERROR {@code tls_required} and closed otherwise).
 *
 * @param context   the server's key and certificate; TLS 1.3 and 1.2 only (see {@code TlsEngine})
 * @param plaintext who may connect without TLS
 */
public record TlsSettings(SSLContext context, Plaintext plaintext) {
    /** Who may skip TLS on a TLS server. */
    public enum Plaintext {
        /** Nobody: every peer must start TLS. */
        NEVER,
        /** Peers on loopback (local scripts, tests); everyone else must start TLS. */
        LOOPBACK,
        /** Anyone (a migration period: old clients keep working while new ones encrypt). */
        ALWAYS
    }

    /** The one line a plaintext peer reads when TLS is required. */
    static final String REFUSAL_MESSAGE = "this server requires TLS: connect with ferrys://host:port"
            + " (or --tls); plaintext is refused";
    private static final int REFUSAL_HEADER_BYTES = 512;

    public TlsSettings {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(plaintext, "plaintext");
    }

    /** Whether a peer at {@code addr} may speak plaintext. */
    public boolean allowsPlaintextFrom(InetAddress addr) {
        switch (plaintext) {
            case ALWAYS:
                return true;
            case LOOPBACK:
                return addr.isLoopbackAddress();
            default:
                return false;
        }
    }

    /**
     * Wraps each new connection's transport in a {@link TlsTransport}; handshake work goes to
     * {@code handshakeWork} (a bounded worker pool: when it refuses, that handshake fails).
     */
    UnaryOperator<Transport> decorator(Executor handshakeWork, int maxPooledBuffers) {
        ByteBuffer refusal = refusal();
        // One set of pools per loop, created by that loop on its first TLS connection.
        Map<EventLoop, TlsLoopBuffers> perLoop = new ConcurrentHashMap<>();
        Function<EventLoop, TlsLoopBuffers> buffers =
                loop -> perLoop.computeIfAbsent(loop, l -> TlsLoopBuffers.create(maxPooledBuffers));
        return t -> new TlsTransport(t, context, allowsPlaintextFrom(t.remoteAddress().getAddress()), refusal, handshakeWork,
                buffers);
    }

    /** Preamble plus ERROR {@code tls_required}, ready to read: what a refused plaintext peer gets. */
    static ByteBuffer refusal() {
        ByteBuffer out = ByteBuffer.allocate(Preamble.LENGTH + REFUSAL_HEADER_BYTES);
        Preamble.write(out);
        new FrameEncoder().encode(ErrorFrames.connectionError(ErrorCode.TLS_REQUIRED, REFUSAL_MESSAGE), out);
        return out.flip().asReadOnlyBuffer();
    }
}

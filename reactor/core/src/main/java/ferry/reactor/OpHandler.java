package ferry.reactor;

/**
 * Serves one op. Register with {@link ServerContext#register}.
 *
 * <p>Threading contract: {@link #onRequest} runs on the connection's event loop thread and must
 * not block: no disk, no subprocess, no sleeping. Blocking work goes to
 * {@link ServerContext#workers()}, whose completion comes back to the loop.
 */
@FunctionalInterface
public interface OpHandler {
    /**
     * A request header arrived. Reply through {@code call} now or later (exactly one end per call).
     *
     * @return where the request body (of {@code call.request().size()} bytes) goes; null discards
     *     it. A body after the call has ended is discarded.
     * @throws OpException, {@link ferry.protocol.ProtocolException} or another exception: the call
     *     fails with an {@code ERROR} frame ({@code internal} for unexpected exceptions) and the
     *     connection goes on.
     */
    BodySink onRequest(Call call) throws Exception;
}

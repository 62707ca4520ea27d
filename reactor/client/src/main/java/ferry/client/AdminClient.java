package ferry.client;

import ferry.protocol.AdminProtocol;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator's ops ({@code WHO}, {@code KICK}; docs/PROTOCOL.md "Admin") over a logged-in
 * {@link FerryClient} whose user has the admin right; anyone else gets a {@link RemoteException}
 * with code {@code forbidden} (or {@code unauthenticated}).
 *
 * <p>Thread safety: one call at a time, on the thread that owns the client.
 */
public final class AdminClient {
    /** Largest WHO body read: the server's 10,000 rows of ~250 bytes, with room to spare. */
    public static final int MAX_WHO_BYTES = 16 << 20;

    /** One live connection as WHO lists it; {@code user} and {@code op} may be null. */
    public record LiveConnection(long id, String user, String address, long ageMillis, String op, long inflight,
                                 long bytesIn, long bytesOut, boolean throttled) {}

    /** A WHO answer: the rows, and how many connections there are in all (more when the list was cut). */
    public record Who(List<LiveConnection> connections, long total) {}

    private final FerryClient client;

    public AdminClient(FerryClient client) {
        this.client = client;
    }

    /** The live connections, by id. */
    public Who who() throws IOException {
        Header req = Header.op(AdminProtocol.WHO).put(Header.ID, client.nextId());
        client.send(req);
        Header h = client.expect(client.readHeader(), AdminProtocol.WHO, req.id());
        long size = h.size();
        if (size > MAX_WHO_BYTES) {
            throw new ProtocolException("WHO body of " + size + " bytes is over the client's limit of " + MAX_WHO_BYTES);
        }
        ByteBuffer body = ByteBuffer.allocate((int) size);
        while (body.hasRemaining() && client.readBody(body) >= 0) {
            // keep reading
        }
        if (body.hasRemaining()) {
            throw new ProtocolException("WHO body ended after " + body.position() + " of " + size + " bytes");
        }
        Object parsed = size == 0 ? List.of() : Json.parse(body.array());
        if (!(parsed instanceof List<?> list)) {
            throw new ProtocolException("WHO body is not a JSON array");
        }
        List<LiveConnection> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new ProtocolException("a WHO row is not a JSON object: " + o);
            }
            out.add(new LiveConnection(number(m, AdminProtocol.ROW_ID), text(m, AdminProtocol.ROW_USER),
                    text(m, AdminProtocol.ROW_ADDRESS), number(m, AdminProtocol.ROW_AGE_MS), text(m, AdminProtocol.ROW_OP),
                    number(m, AdminProtocol.ROW_INFLIGHT), number(m, AdminProtocol.ROW_BYTES_IN),
                    number(m, AdminProtocol.ROW_BYTES_OUT), Boolean.TRUE.equals(m.get(AdminProtocol.ROW_THROTTLED))));
        }
        return new Who(out, h.getLong(AdminProtocol.TOTAL, out.size()));
    }

    /**
     * Closes connection {@code id} (its client reads {@code ERROR dropped}).
     *
     * @throws RemoteException {@code not_found} when there is no such connection
     */
    public void kick(long id) throws IOException {
        Header req = Header.op(AdminProtocol.KICK).put(Header.ID, client.nextId()).put(AdminProtocol.CONNECTION, id);
        client.send(req);
        client.expect(client.readHeader(), AdminProtocol.OK, req.id());
    }

    private static long number(Map<?, ?> m, String key) throws ProtocolException {
        if (!(m.get(key) instanceof Long v)) {
            throw new ProtocolException("a WHO row lacks the number \"" + key + "\": " + m);
        }
        return v;
    }

    private static String text(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }
}

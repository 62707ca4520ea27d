package ferry.services.admin;

import ferry.protocol.AdminProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.ConnectionAdmin;
import ferry.reactor.ConnectionInfo;
import ferry.reactor.FerryService;
import ferry.reactor.OpException;
import ferry.reactor.Right;
import ferry.reactor.Sequencing;
import ferry.reactor.ServerContext;
import ferry.reactor.ServerLog;
import ferry.reactor.WorkerLane;
import ferry.reactor.Workers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's view over the protocol (docs/PROTOCOL.md, "Admin"): {@code WHO} lists the live
 * connections, {@code KICK} closes one with {@code ERROR dropped}, as the loopback HTTP endpoint
 * ({@link AdminEndpoint}) does. Both need a logged-in session with {@link Right#ADMIN}; anyone
 * else gets {@code forbidden} (or {@code unauthenticated}) before anything is read.
 *
 * <p>Threading: handlers run on the caller's loop and only check and hand off. {@link ConnectionAdmin}
 * waits for every loop (the caller's too), so it runs on a metadata worker through
 * {@link Workers#submit}; the answer is sent from the completion, back on the caller's loop.
 */
public final class AdminService implements FerryService {
    /**
     * Most rows one WHO answers: the default connection limit. At ~250 bytes a row the body stays
     * under ~2.5 MB; the answer says {@code total} so a cut list is visible.
     */
    public static final int MAX_ROWS = 10_000;

    private final ConnectionAdmin admin;
    private ServerLog log = ServerLog.NONE;

    /** @param admin the server's {@link ferry.reactor.FerryServer#admin()} */
    public AdminService(ConnectionAdmin admin) {
        this.admin = admin;
    }

    @Override
    public void install(ServerContext ctx) {
        this.log = ctx.log();
        ctx.register(AdminProtocol.WHO, this::who, Sequencing.READ);
        ctx.register(AdminProtocol.KICK, this::kick); // a WRITE: it changes what a later WHO sees
        ctx.addFeature(AdminProtocol.FEATURE);
    }

    private BodySink who(Call call) throws OpException, ProtocolException {
        call.session().require(Right.ADMIN);
        long limit = call.request().optLong(AdminProtocol.LIMIT, MAX_ROWS);
        if (limit < 1) {
            throw OpException.badRequest("\"" + AdminProtocol.LIMIT + "\" must be at least 1");
        }
        int rows = (int) Math.min(limit, MAX_ROWS);
        call.workers(WorkerLane.METADATA).submit(call, () -> encode(admin.list(), rows),
                (answer, error) -> {
                    if (error != null) {
                        call.fail(error);
                        return;
                    }
                    call.reply(Header.reply(AdminProtocol.WHO, call.id()).put(AdminProtocol.COUNT, answer.count)
                            .put(AdminProtocol.TOTAL, answer.total), ByteBuffer.wrap(answer.json));
                });
        return null;
    }

    private BodySink kick(Call call) throws OpException, ProtocolException {
        call.session().require(Right.ADMIN);
        long id = call.request().requireLong(AdminProtocol.CONNECTION);
        String by = call.session().user();
        call.workers(WorkerLane.METADATA).submit(call, () -> admin.close(id), (closed, error) -> {
            if (error != null) {
                call.fail(error);
                return;
            }
            log.info("admin: " + Json.write(by) + " closed connection c" + id + (closed ? "" : ": no such connection"));
            if (closed) {
                call.reply(Header.reply(AdminProtocol.OK, call.id())); // nothing arrives when it was the caller's own
            } else {
                call.fail(ErrorCode.NOT_FOUND, "no connection " + id + " (WHO lists the live ones)");
            }
        });
        return null;
    }

    /** A WHO body: the first {@code rows} connections by id. */
    record Answer(byte[] json, long count, long total) {}

    /** The JSON array of WHO, on a worker. */
    static Answer encode(List<ConnectionInfo> all, int rows) {
        List<Object> out = new ArrayList<>(Math.min(all.size(), rows));
        for (ConnectionInfo c : all) {
            if (out.size() == rows) {
                break;
            }
            out.add(row(c));
        }
        return new Answer(Json.write(out).getBytes(StandardCharsets.UTF_8), out.size(), all.size());
    }

    /** One connection as WHO (and the HTTP endpoint) show it. */
    static Map<String, Object> row(ConnectionInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(AdminProtocol.ROW_ID, c.id());
        m.put(AdminProtocol.ROW_USER, c.user());
        m.put(AdminProtocol.ROW_ADDRESS, c.address());
        m.put(AdminProtocol.ROW_AGE_MS, c.ageMillis());
        m.put(AdminProtocol.ROW_OP, c.op());
        m.put(AdminProtocol.ROW_INFLIGHT, (long) c.inflight());
        m.put(AdminProtocol.ROW_BYTES_IN, c.bytesIn());
        m.put(AdminProtocol.ROW_BYTES_OUT, c.bytesOut());
        m.put(AdminProtocol.ROW_THROTTLED, c.throttled());
        return m;
    }
}

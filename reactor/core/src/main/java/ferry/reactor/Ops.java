package ferry.reactor;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dispatch in one place: the op table, and the rules a request meets before its handler runs —
 * it names an op and carries an integer id, the op exists, the server is not stopping, and the
 * session is logged in unless the op is public (HELLO, AUTH*, PING, BYE).
 *
 * <p>Threading: ops are added by the configuring thread before the server starts; from then on the
 * table is only read, by every loop (the server's start publishes it).
 */
final class Ops {
    /** An installed op: its handler, whether it runs before login, and how it orders on a connection. */
    record Spec(String op, OpHandler handler, boolean isPublic, Sequencing sequencing) {}

    private final Map<String, Spec> table = new HashMap<>();

    /**
     * Installs {@code op}.
     *
     * @throws IllegalStateException when {@code op} is already installed: a second handler would
     *     silently replace the first (even a core op such as PING)
     * @throws IllegalArgumentException when a part is missing
     */
    void add(String op, OpHandler handler, boolean isPublic, Sequencing sequencing) {
        if (op == null || op.isEmpty() || handler == null || sequencing == null) {
            throw new IllegalArgumentException("op, handler and sequencing are required");
        }
        if (table.containsKey(op)) {
            throw new IllegalStateException("op " + op + " is already registered");
        }
        table.put(op, new Spec(op, handler, isPublic, sequencing));
    }

    /** The installed op names, sorted (a bounded label set for metrics). */
    List<String> names() {
        return table.keySet().stream().sorted().toList();
    }

    /**
     * The op {@code call} asks for, or null after answering the call with why it cannot run (no op
     * string, no integer id, unknown op). Loop thread.
     */
    Spec resolve(Call call, Header header) {
        String op = call.op();
        if (op == null) {
            call.fail(ErrorCode.BAD_REQUEST, header.has(Header.OP) ? "field \"op\" must be a string"
                    : "header has no \"op\" string");
            return null;
        }
        if (!call.hasId()) {
            // Not run: an answer without the request's id could not be matched to it (PROTOCOL.md 2.2).
            call.fail(ErrorCode.BAD_REQUEST, "field \"id\" must be an integer"
                    + (header.has(Header.ID) ? "" : " (missing)") + "; the request was not run");
            return null;
        }
        Spec spec = table.get(op);
        if (spec == null) {
            call.fail(ErrorCode.UNKNOWN_OP, "unknown op \"" + op + "\"");
        }
        return spec;
    }

    /**
     * Whether a request whose turn came may run: false after answering it {@code shutting_down}
     * (the server or its connection is stopping) or {@code unauthenticated} (not logged in, op not
     * public). Loop thread.
     */
    static boolean mayRun(Call call, Spec spec, Session session, boolean stopping) {
        if (stopping) {
            call.fail(ErrorCode.SHUTTING_DOWN, "server is shutting down: this request was not run");
            return false;
        }
        if (!session.isLoggedIn() && !spec.isPublic()) {
            call.fail(ErrorCode.UNAUTHENTICATED,
                    "log in first: before login only HELLO, AUTH*, PING and BYE are accepted (got " + call.op() + ")");
            return false;
        }
        return true;
    }
}

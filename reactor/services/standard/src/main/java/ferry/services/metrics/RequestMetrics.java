package ferry.services.metrics;

import ferry.protocol.ErrorCode;
import ferry.reactor.RequestObserver;
import ferry.reactor.RequestRecord;
import ferry.services.auth.AuthService;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts finished requests by op and outcome, errors by op and code, durations by op, and login
 * outcomes, as a {@link RequestObserver}; writes them into a scrape as a {@link MetricsSource}.
 *
 * <p>Label values are bounded: ops are the ones registered when this was built (any other, and a
 * request without an op, counts as {@value #OTHER}: a client may send any name), codes are the
 * fixed {@link ErrorCode} set (anything else is {@value #OTHER}). So a scrape has at most
 * ops × (3 outcomes + codes + histogram buckets) series, whatever clients send.
 *
 * <p>Logins are read from AUTH_FINISH's answer: OK is a success, {@code unauthenticated} a failure
 * (wrong password or no such user), {@code busy} an attempt the throttle refused unjudged.
 *
 * <p>Threading contract: {@link #requestEnded} on any loop thread, a few LongAdder increments and
 * one or two hash lookups, no allocation once warm (a LongAdder adds a cell the first times loops
 * contend); {@link #writeTo} on the scraping thread. The tables are built in
 * the constructor and never change.
 */
public final class RequestMetrics implements RequestObserver, MetricsSource {
    /** The label of ops and codes outside the known sets. */
    public static final String OTHER = "other";
    private static final String[] OUTCOMES = {"ok", "error", "cancelled"};
    private static final int OK = 0;
    private static final int ERROR = 1;
    private static final int CANCELLED = 2;
    private static final String[] CODES = errorCodes();

    private final String[] ops;
    private final Map<String, Integer> opIndex = new HashMap<>();
    private final Map<String, Integer> codeIndex = new HashMap<>();
    private final LongAdder[][] outcomes;
    private final LongAdder[][] errors;
    private final DurationHistogram[] durations;
    private final LongAdder loginSuccesses = new LongAdder();
    private final LongAdder loginFailures = new LongAdder();
    private final LongAdder loginThrottled = new LongAdder();

    /** @param ops the server's registered ops ({@code FerryServer.ops()}, once every service is installed) */
    public RequestMetrics(List<String> ops) {
        List<String> labels = new ArrayList<>(ops);
        labels.remove(OTHER);
        labels.add(OTHER);
        this.ops = labels.toArray(String[]::new);
        for (int i = 0; i < this.ops.length; i++) {
            opIndex.put(this.ops[i], i);
        }
        for (int i = 0; i < CODES.length; i++) {
            codeIndex.put(CODES[i], i);
        }
        outcomes = adders(this.ops.length, OUTCOMES.length);
        errors = adders(this.ops.length, CODES.length);
        durations = new DurationHistogram[this.ops.length];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = new DurationHistogram();
        }
    }

    /** ErrorCode's constants, read once: a code added there is counted here without a second list to keep. */
    private static String[] errorCodes() {
        List<String> codes = new ArrayList<>();
        for (Field f : ErrorCode.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    codes.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        codes.sort(null);
        codes.add(OTHER);
        return codes.toArray(String[]::new);
    }

    private static LongAdder[][] adders(int rows, int columns) {
        LongAdder[][] a = new LongAdder[rows][columns];
        for (LongAdder[] row : a) {
            for (int j = 0; j < columns; j++) {
                row[j] = new LongAdder();
            }
        }
        return a;
    }

    @Override
    public void requestEnded(RequestRecord r) {
        int op = index(opIndex, r.op(), ops.length - 1);
        int outcome = RequestRecord.CANCELLED.equals(r.outcome()) ? CANCELLED : r.errorCode() != null ? ERROR : OK;
        outcomes[op][outcome].increment();
        if (outcome == ERROR) {
            errors[op][index(codeIndex, r.errorCode(), CODES.length - 1)].increment();
        }
        durations[op].record(r.durationNanos());
        if (AuthService.OP_FINISH.equals(r.op()) && outcome != CANCELLED) {
            if (outcome == OK) {
                loginSuccesses.increment();
            } else if (ErrorCode.UNAUTHENTICATED.equals(r.errorCode())) {
                loginFailures.increment();
            } else if (ErrorCode.BUSY.equals(r.errorCode())) {
                loginThrottled.increment();
            }
        }
    }

    private static int index(Map<String, Integer> table, String key, int otherwise) {
        Integer i = key == null ? null : table.get(key);
        return i == null ? otherwise : i;
    }

    @Override
    public void writeTo(PrometheusText out) {
        out.family("ferry_requests_total", "counter",
                "Finished requests by op and outcome (ok: answered without ERROR; cancelled: the connection closed first).");
        for (int i = 0; i < ops.length; i++) {
            for (int o = 0; o < OUTCOMES.length; o++) {
                out.sample("ferry_requests_total", outcomes[i][o].sum(), "op", ops[i], "outcome", OUTCOMES[o]);
            }
        }
        out.family("ferry_request_errors_total", "counter", "Requests answered with ERROR, by op and code (only pairs seen).");
        for (int i = 0; i < ops.length; i++) {
            for (int c = 0; c < CODES.length; c++) {
                long n = errors[i][c].sum();
                if (n > 0) {
                    out.sample("ferry_request_errors_total", n, "op", ops[i], "code", CODES[c]);
                }
            }
        }
        out.family("ferry_request_duration_seconds", "histogram",
                "From a request's header to its last answer frame queued, by op (only ops seen).");
        for (int i = 0; i < ops.length; i++) {
            if (durations[i].count() > 0) {
                durations[i].writeTo(out, "ferry_request_duration_seconds", "op", ops[i]);
            }
        }
        out.family("ferry_logins_total", "counter",
                "Login attempts (AUTH_FINISH) by result: success, failure (wrong password or user), throttled "
                        + "(refused unjudged after too many failures from the address).");
        out.sample("ferry_logins_total", loginSuccesses.sum(), "result", "success");
        out.sample("ferry_logins_total", loginFailures.sum(), "result", "failure");
        out.sample("ferry_logins_total", loginThrottled.sum(), "result", "throttled");
    }
}

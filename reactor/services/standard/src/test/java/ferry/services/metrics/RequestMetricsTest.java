package ferry.services.metrics;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.RequestRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The observer alone, fed records: outcomes, bounded labels, bucket edges, logins. */
class RequestMetricsTest {
    private static final long MILLISECOND = 1_000_000;

    private static RequestRecord record(String op, String outcome, String code, long nanos) {
        return new RequestRecord("c1", null, "127.0.0.1:1", op, null, null, outcome, code, 0, 0, nanos, null, null);
    }

    private static Exposition scrape(RequestMetrics m) {
        PrometheusText out = new PrometheusText();
        m.writeTo(out);
        return Exposition.parse(out.text());
    }

    @Test
    void unknownOpsAndCodesShareOneLabelAndLeIsInclusive() {
        RequestMetrics m = new RequestMetrics(List.of("GET", "PING"));
        m.requestEnded(record("GET", "FILE", null, MILLISECOND)); // exactly on the 1 ms bound
        m.requestEnded(record("GET", "ERROR", "not_found", MILLISECOND + 1));
        m.requestEnded(record("GET", RequestRecord.CANCELLED, null, 0));
        m.requestEnded(record("X1", "ERROR", "unknown_op", 5));
        m.requestEnded(record("X2", "ERROR", "a_code_from_the_future", 5));
        m.requestEnded(record(null, "ERROR", "bad_request", 5));
        Exposition e = scrape(m);
        assertEquals(1, e.value("ferry_requests_total", "op", "GET", "outcome", "ok"));
        assertEquals(1, e.value("ferry_requests_total", "op", "GET", "outcome", "error"));
        assertEquals(1, e.value("ferry_requests_total", "op", "GET", "outcome", "cancelled"));
        assertEquals(3, e.value("ferry_requests_total", "op", "other", "outcome", "error"));
        assertEquals(1, e.value("ferry_request_errors_total", "op", "other", "code", "other"));
        assertEquals(1, e.value("ferry_request_errors_total", "op", "other", "code", "unknown_op"));
        assertEquals(1, e.value("ferry_request_errors_total", "op", "GET", "code", "not_found"));
        assertEquals(2, e.value("ferry_request_duration_seconds_bucket", "op", "GET", "le", "0.001"),
                "the cancelled one at 0 and the one at exactly 1 ms");
        assertEquals(3, e.value("ferry_request_duration_seconds_bucket", "op", "GET", "le", "0.0025"));
        assertEquals(0.002000001, e.value("ferry_request_duration_seconds_sum", "op", "GET"), 1e-12);
        assertNull(e.value("ferry_request_duration_seconds_count", "op", "PING"), "ops not seen have no histogram");
        assertEquals(0, e.value("ferry_requests_total", "op", "PING", "outcome", "ok"), "but have their counters");
        assertEquals(3 * 3, e.family("ferry_requests_total").samples().size(), "GET, PING, other × 3 outcomes");
    }

    @Test
    void loginsAreReadFromAuthFinishAnswers() {
        RequestMetrics m = new RequestMetrics(List.of("AUTH_START", "AUTH_FINISH"));
        m.requestEnded(record("AUTH_FINISH", "OK", null, 1));
        m.requestEnded(record("AUTH_FINISH", "ERROR", "unauthenticated", 1));
        m.requestEnded(record("AUTH_FINISH", "ERROR", "unauthenticated", 1));
        m.requestEnded(record("AUTH_FINISH", "ERROR", "busy", 1));
        m.requestEnded(record("AUTH_FINISH", RequestRecord.CANCELLED, null, 1)); // nobody was answered
        m.requestEnded(record("AUTH_FINISH", "ERROR", "bad_request", 1)); // a broken exchange, no attempt judged
        m.requestEnded(record("AUTH_START", "ERROR", "busy", 1)); // the login pool was full: not the throttle
        Exposition e = scrape(m);
        assertEquals(1, e.value("ferry_logins_total", "result", "success"));
        assertEquals(2, e.value("ferry_logins_total", "result", "failure"));
        assertEquals(1, e.value("ferry_logins_total", "result", "throttled"));
    }
}

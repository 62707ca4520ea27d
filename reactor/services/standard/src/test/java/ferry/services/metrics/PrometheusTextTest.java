package ferry.services.metrics;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The writer escapes what the format requires and refuses bad names; the test parser refuses malformed text. */
class PrometheusTextTest {
    @Test
    void awkwardLabelValuesAndHelpSurviveTheRoundTrip() {
        String value = "G1 \"Old\" \\ Gen\nnext";
        String text = new PrometheusText()
                .family("x_total", "counter", "help with \\ and\nnewline")
                .sample("x_total", 7, "gc", value, "lane", "")
                .family("y_seconds", "gauge", "fractions")
                .sample("y_seconds", 0.25)
                .sample("y_seconds", Double.POSITIVE_INFINITY, "k", "inf")
                .text();
        assertEquals("""
                # HELP x_total help with \\\\ and\\nnewline
                # TYPE x_total counter
                x_total{gc="G1 \\"Old\\" \\\\ Gen\\nnext",lane=""} 7
                # HELP y_seconds fractions
                # TYPE y_seconds gauge
                y_seconds 0.25
                y_seconds{k="inf"} +Inf
                """, text);
        Exposition e = Exposition.parse(text);
        assertEquals(7, e.value("x_total", "gc", value, "lane", ""));
        assertEquals("help with \\ and\nnewline", e.family("x_total").help());
        assertEquals(Double.POSITIVE_INFINITY, e.value("y_seconds", "k", "inf"));
    }

    @Test
    void badNamesAndRepeatedFamiliesAreRefusedWhenWritten() {
        PrometheusText t = new PrometheusText();
        assertThrows(IllegalArgumentException.class, () -> t.family("ferry-requests", "counter", "h"));
        assertThrows(IllegalArgumentException.class, () -> t.family("1st", "gauge", "h"));
        assertThrows(IllegalArgumentException.class, () -> t.family("ok", "summary", "h"), "not a type Ferry writes");
        t.family("ok", "gauge", "h");
        assertThrows(IllegalArgumentException.class, () -> t.family("ok", "gauge", "h"));
        assertThrows(IllegalArgumentException.class, () -> t.sample("ok", 1, "bad-label", "v"));
        assertThrows(IllegalArgumentException.class, () -> t.sample("ok", 1, "__reserved", "v"));
        assertThrows(IllegalArgumentException.class, () -> t.sample("ok", 1, "odd"));
    }

    /** The parser MetricsTest relies on must fail on each way an exposition can be wrong. */
    @Test
    void theStrictParserRefusesMalformedExpositions() {
        String head = "# HELP a h\n# TYPE a counter\n";
        Exposition.parse(head + "a 1\n"); // the well-formed base
        String[] bad = {
            head + "a 1", // no final newline
            "a 1\n", // no TYPE
            "# TYPE a counter\na 1\n", // no HELP
            head + "b 1\n", // sample of another family
            head + "a{l=\"x} 1\n", // unterminated value
            head + "a{l=\"\\t\"} 1\n", // unknown escape
            head + "a{l=\"x\",l=\"y\"} 1\n", // label twice
            head + "a{9l=\"x\"} 1\n", // bad label name
            head + "a one\n", // not a number
            head + "a -1\n", // negative counter
            head + "a 1\na 2\n", // series twice
            head + "a 1\n\n", // empty line
            head + "a 1\n# HELP a again\n# TYPE a counter\n", // family twice
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 0\nh_count 1\n", // not cumulative
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 0\nh_count 1\n", // no +Inf
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 0\nh_count 1\n", // +Inf != count
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // no _sum
        };
        for (String text : bad) {
            assertThrows(IllegalArgumentException.class, () -> Exposition.parse(text), text);
        }
    }
}

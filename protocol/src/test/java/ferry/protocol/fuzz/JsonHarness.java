package ferry.protocol.fuzz;

import ferry.protocol.Header;
import ferry.protocol.JsonReader;
import ferry.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Runs one JSON text through {@link JsonReader} both ways a server uses it ({@code parse} for any
 * value, {@code parseObjectInto} for headers), from a heap array and from a direct buffer at an
 * offset, and compares with {@link ReferenceJson}: same accept/reject decision, same value. Only
 * {@link ProtocolException} may escape.
 */
final class JsonHarness {
    private JsonHarness() {}

    static void check(byte[] json, int maxDepth, Coverage.Trace trace) {
        JsonReader reader = new JsonReader(maxDepth);
        Coverage.rawJson(trace, json);

        Object value = null;
        ProtocolException valueError = null;
        try {
            value = reader.parse(ByteBuffer.wrap(json));
        } catch (ProtocolException e) {
            valueError = e;
        } catch (Throwable t) {
            throw new DecoderHarness.Violation("json-crash", t.getClass().getName() + " escaped JsonReader.parse", t);
        }

        Header header = new Header();
        ProtocolException headerError = null;
        ByteBuffer direct = ByteBuffer.allocateDirect(json.length + 6);
        direct.position(3);
        direct.put(json);
        try {
            reader.parseObjectInto(direct, 3, 3 + json.length, header);
        } catch (ProtocolException e) {
            headerError = e;
        } catch (Throwable t) {
            throw new DecoderHarness.Violation("json-crash", t.getClass().getName() + " escaped JsonReader.parseObjectInto", t);
        }

        if (valueError != null) {
            trace.add("jerr", Coverage.errorKind(valueError.getMessage()));
        } else {
            Coverage.value(trace, value, 1);
        }

        Object expected;
        boolean oracleAccepts;
        try {
            expected = ReferenceJson.parse(json, maxDepth, false);
            oracleAccepts = true;
        } catch (ReferenceJson.Reject r) {
            expected = r.getMessage();
            oracleAccepts = false;
        } catch (ReferenceJson.TooDeep deep) {
            return; // beyond what the oracle judges; the crash checks above still ran
        }
        if (oracleAccepts != (valueError == null)) {
            throw new DecoderHarness.Violation("oracle", "JsonReader " + (valueError == null ? "accepted" : "rejected ("
                    + valueError.getMessage() + ")") + " what the reference " + (oracleAccepts ? "accepts" : "rejects ("
                    + expected + ")"), null);
        }
        if (oracleAccepts && !Objects.equals(expected, value)) {
            throw new DecoderHarness.Violation("oracle", "values differ: " + value + " vs reference " + expected, null);
        }
        boolean isObject = oracleAccepts && expected instanceof java.util.Map;
        if (isObject != (headerError == null)) {
            throw new DecoderHarness.Violation("oracle", "parseObjectInto " + (headerError == null ? "accepted" : "rejected ("
                    + headerError.getMessage() + ")") + " but the text is " + (isObject ? "" : "not ") + "a valid object", null);
        }
        if (isObject && !header.asMap().equals(expected)) {
            throw new DecoderHarness.Violation("oracle", "header " + header + " differs from " + expected, null);
        }
        if (valueError != null && headerError != null && isObjectStart(json)
                && !valueError.getMessage().equals(headerError.getMessage())) {
            trace.add("jerr-paths-differ", Coverage.errorKind(headerError.getMessage()));
        }
    }

    private static boolean isObjectStart(byte[] json) {
        for (byte b : json) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '{';
            }
        }
        return false;
    }
}

package ferry.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Byte-building helpers shared by the tests; deliberately independent of the code under test. */
final class TestBytes {
    private TestBytes() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from ints, so tests can write 0xED, 0xA0 without casts. */
    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Big-endian u32, written by hand so encoder bugs cannot hide decoder bugs. */
    static byte[] u32(long v) {
        return bytes((int) (v >>> 24), (int) (v >>> 16), (int) (v >>> 8), (int) v);
    }

    /** The preamble this side speaks, written by hand: "FERRY\0" + major + minor. */
    static byte[] preamble(int major, int minor) {
        return concat(utf8("FERRY"), bytes(0, major, minor));
    }

    /** A frame on the wire: u32 length of the JSON text, the JSON text, the body. */
    static byte[] frame(byte[] headerJson, byte[] body) {
        return concat(u32(headerJson.length), headerJson, body);
    }

    static byte[] frame(String headerJson, byte[] body) {
        return frame(utf8(headerJson), body);
    }

    static byte[] frame(String headerJson) {
        return frame(utf8(headerJson), new byte[0]);
    }

    static ByteBuffer direct(byte[] b) {
        ByteBuffer d = ByteBuffer.allocateDirect(b.length);
        d.put(b).flip();
        return d;
    }

    static ByteBuffer heap(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    /** {@code s} wrapped in a JSON string's quotes, as raw bytes (no escaping). */
    static byte[] quoted(byte[] raw) {
        return concat(bytes('"'), raw, bytes('"'));
    }
}

package ferry.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The 8 bytes each side sends once, before its first frame: ASCII {@code FERRY}, a zero byte,
 * then the protocol's major and minor version. It lets either side reject a peer that speaks
 * something else at the first wrong byte, with a reason, instead of reading "GET /" as a
 * 1.2 GB header length.
 *
 * <p>A peer whose major version differs is refused; minor versions are compatible by definition
 * (new optional fields and ops only) and are reported in {@code HELLO}.
 */
public final class Preamble {
    public static final int MAJOR = 1;
    public static final int MINOR = 0;
    /** Bytes of the preamble on the wire. */
    public static final int LENGTH = 8;
    private static final byte[] MAGIC = {'F', 'E', 'R', 'R', 'Y', 0};
    /** How many of a foreign peer's first bytes an error message quotes. */
    static final int QUOTED_BYTES = 24;
    private static final String[] HTTP_STARTS = {
        "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "HTTP/", "PRI * HTTP/2"};

    private Preamble() {}

    /** Writes this side's preamble. */
    public static void write(ByteBuffer out) {
        out.put(MAGIC).put((byte) MAJOR).put((byte) MINOR);
    }

    /** This side's preamble as a fresh array (for blocking clients). */
    public static byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        write(b);
        return b.array();
    }

    /** Whether {@code b} is acceptable as byte {@code index} of a peer's preamble. */
    static boolean matches(int index, byte b) {
        if (index < MAGIC.length) {
            return b == MAGIC[index];
        }
        if (index == MAGIC.length) {
            return (b & 0xFF) == MAJOR;
        }
        return true; // minor versions are compatible
    }

    /**
     * The error for a peer whose byte at {@code index} (at {@code in}'s position) did not match:
     * the bytes before it matched the magic, so the message quotes those plus what is readable.
     */
    static ProtocolException mismatch(int index, ByteBuffer in) {
        if (index == MAGIC.length) {
            int major = in.get(in.position()) & 0xFF;
            return new ProtocolException(ProtocolException.BAD_PREAMBLE,
                    "unsupported protocol version " + major + ".x (this side speaks " + MAJOR + "." + MINOR + ")");
        }
        int n = Math.min(QUOTED_BYTES, index + in.remaining());
        byte[] seen = new byte[n];
        System.arraycopy(MAGIC, 0, seen, 0, Math.min(index, n));
        for (int i = index; i < n; i++) {
            seen[i] = in.get(in.position() + i - index);
        }
        return new ProtocolException(ProtocolException.BAD_PREAMBLE,
                "not a Ferry peer: expected the preamble \"FERRY\\0\" + version, " + describeForeign(seen, n));
    }

    /** A short human description of bytes that are not a Ferry preamble. */
    static String describeForeign(byte[] seen, int n) {
        String text = printable(seen, n);
        if (n >= 2 && seen[0] == 0x16 && seen[1] == 0x03) {
            return "got a TLS handshake (Ferry speaks plain TCP here; TLS is not enabled)";
        }
        if (text != null) {
            if (text.startsWith("SSH-")) {
                return "got an SSH banner \"" + text + "\"";
            }
            for (String method : HTTP_STARTS) {
                if (text.startsWith(method)) {
                    return "got what looks like HTTP \"" + text + "\"";
                }
            }
            return "got plain text \"" + text + "\" (a raw command? Ferry frames need a preamble and a length prefix)";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) {
            hex.append(String.format("%02x", seen[i] & 0xFF));
        }
        return "got bytes 0x" + hex;
    }

    private static String printable(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (!(c >= 0x20 && c < 0x7F) && c != '\r' && c != '\n' && c != '\t') {
                return null;
            }
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }
}

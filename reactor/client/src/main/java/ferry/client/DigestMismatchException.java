package ferry.client;

import java.io.IOException;

/**
 * The bytes received (or stored by the server) do not hash to the digest they should: the
 * transfer is corrupt. A download that fails this check is never left under its final name.
 */
public class DigestMismatchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String expected;
    private final String actual;

    public DigestMismatchException(String what, String algorithm, String expected, String actual) {
        super(what + ": " + algorithm + " mismatch, expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}

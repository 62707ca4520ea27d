package ferry.loadtest;

import java.util.Locale;

/**
 * How the load client hands a request frame to the kernel.
 *
 * <ul>
 *   <li>{@link #COALESCED}: the length prefix, header and a small body in one write (and all
 *       frames produced in one event in one write). What Ferry's own client does; Nagle's
 *       algorithm has nothing to hold back.</li>
 *   <li>{@link #SPLIT}: the seed's pattern: the 4-byte length prefix, then the header, then the
 *       body, as three separate {@code write()} calls. With TCP_NODELAY off, Nagle holds the
 *       second write until the first is acknowledged, and the server delays that ACK (Linux:
 *       40 ms) waiting for data to piggyback it on: the classic stall.</li>
 * </ul>
 */
public enum WritePattern {
    COALESCED, SPLIT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WritePattern parse(String s) {
        switch (s) {
            case "coalesced": return COALESCED;
            case "split": return SPLIT;
            default: throw new IllegalArgumentException("--write-pattern must be coalesced or split, got '" + s + "'");
        }
    }
}

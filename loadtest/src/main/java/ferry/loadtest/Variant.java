package ferry.loadtest;

/**
 * One setting of a run that a comparison varies: TCP_NODELAY (set on the client's sockets and,
 * when the harness controls the server, on the server's) and the client's write pattern.
 *
 * @param label     column heading in reports, e.g. {@code nodelay off · split}
 * @param noDelay   TCP_NODELAY on both ends
 * @param pattern   how request frames are written
 */
public record Variant(String label, boolean noDelay, WritePattern pattern) {
    public static Variant of(boolean noDelay, WritePattern pattern, boolean showNoDelay, boolean showPattern) {
        String label;
        if (showNoDelay && showPattern) {
            label = "nodelay " + (noDelay ? "on" : "off") + " · " + pattern.label();
        } else if (showPattern) {
            label = pattern.label();
        } else {
            label = "nodelay " + (noDelay ? "on" : "off");
        }
        return new Variant(label, noDelay, pattern);
    }
}

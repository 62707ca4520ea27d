package ferry.loadtest;

/**
 * The kinds of request a load connection sends; each gets its own latency histogram and counters
 * so a mixed run reports them apart.
 */
public enum OpKind {
    PING("ping"),
    GET("get"),
    PUT("put");

    /** Number of kinds: the size of per-kind arrays. */
    public static final int COUNT = values().length;

    private final String label;

    OpKind(String label) {
        this.label = label;
    }

    /** Lower-case name, as in {@code --mix} and in per-kind report fields ({@code requests.get}). */
    public String label() {
        return label;
    }

    /** The kind called {@code label}. */
    public static OpKind parse(String label) {
        for (OpKind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown request kind '" + label + "' (ping, get or put)");
    }
}

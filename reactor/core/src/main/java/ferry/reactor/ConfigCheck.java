package ferry.reactor;

/**
 * The checks every settings builder makes on a value before it keeps it, with the one message
 * format they share ({@code "idleTimeoutMillis must be in [1, 86400000]: 0"}), so that a bad
 * setting reads the same whichever part of Ferry it belongs to.
 *
 * <p>Threading contract: stateless; any thread.
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** {@code v}, or an {@link IllegalArgumentException} naming {@code name} if it is null. */
    public static <T> T require(T v, String name) {
        if (v == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return v;
    }

    /** {@code v}, or an {@link IllegalArgumentException} if it is outside {@code [min, max]}. */
    public static int range(int v, int min, int max, String name) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + v);
        }
        return v;
    }

    /** {@code v}, or an {@link IllegalArgumentException} if it is outside {@code [min, max]}. */
    public static long range(long v, long min, long max, String name) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + v);
        }
        return v;
    }
}

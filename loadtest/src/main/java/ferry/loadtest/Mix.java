package ferry.loadtest;

import ferry.cli.args.ValueType;
import java.util.SplittableRandom;

/**
 * Relative weights of the request kinds a file-scenario connection sends, e.g.
 * {@code ping=80,get=15,put=5}: each next request is drawn at random with these odds.
 *
 * <p>Thread safety: immutable; {@link #pick} uses the caller's random source.
 */
final class Mix {
    /** The {@code mixed} scenario's default: mostly small requests, some downloads, a few uploads. */
    static final String DEFAULT_MIXED = "ping=80,get=15,put=5";

    private static final ValueType<Integer> WEIGHT = ValueType.integer(0, 1_000_000);

    private final int[] weights = new int[OpKind.COUNT];
    private final int total;

    private Mix(int[] w) {
        System.arraycopy(w, 0, weights, 0, w.length);
        int t = 0;
        for (int x : w) {
            t += x;
        }
        total = t;
    }

    /** Only {@code kind}. */
    static Mix only(OpKind kind) {
        int[] w = new int[OpKind.COUNT];
        w[kind.ordinal()] = 1;
        return new Mix(w);
    }

    /** Parses {@code kind=weight,...}; weights are integers ≥ 0 and at least one is positive. */
    static Mix parse(String spec) {
        int[] w = new int[OpKind.COUNT];
        for (String part : spec.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("wants kind=weight pairs like " + DEFAULT_MIXED + ", got '" + part + "'");
            }
            OpKind k = OpKind.parse(p.substring(0, eq).trim());
            try {
                w[k.ordinal()] = WEIGHT.parse(p.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("weight of " + k.label() + ": " + e.getMessage());
            }
        }
        Mix m = new Mix(w);
        if (m.total == 0) {
            throw new IllegalArgumentException("needs a positive weight, got '" + spec + "'");
        }
        return m;
    }

    boolean includes(OpKind k) {
        return weights[k.ordinal()] > 0;
    }

    /** Whether every request is of {@code k}. */
    boolean isOnly(OpKind k) {
        return weights[k.ordinal()] == total;
    }

    OpKind pick(SplittableRandom random) {
        int x = random.nextInt(total);
        for (OpKind k : OpKind.values()) {
            x -= weights[k.ordinal()];
            if (x < 0) {
                return k;
            }
        }
        throw new AssertionError("weights sum to " + total);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (OpKind k : OpKind.values()) {
            if (weights[k.ordinal()] > 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(k.label()).append('=').append(weights[k.ordinal()]);
            }
        }
        return sb.toString();
    }
}

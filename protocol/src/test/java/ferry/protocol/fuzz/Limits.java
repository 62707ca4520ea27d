package ferry.protocol.fuzz;

import ferry.protocol.FrameLimits;

/** The decoder configurations a case can run under: defaults, the smallest legal limits, the largest. */
final class Limits {
    private Limits() {}

    /** Deepest nesting any configuration may ask for; the "deep" variant uses it. */
    static final int DEEPEST = FrameLimits.MAX_SUPPORTED_DEPTH;

    static final FrameLimits[] VARIANTS = {
        FrameLimits.DEFAULT,
        FrameLimits.DEFAULT.withExpectPreamble(false),
        new FrameLimits(64, 1000, 2, true),
        new FrameLimits(2, 0, 1, false),
        new FrameLimits(1 << 20, Long.MAX_VALUE, DEEPEST, false),
        new FrameLimits(300, 0, 16, true),
    };

    /** The variant generated cases use most: the server's defaults. */
    static final int DEFAULT = 0;
}

package ferry.protocol.fuzz;

import ferry.protocol.FrameLimits;
import ferry.protocol.Header;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A small corpus-driven fuzzer in the manner of libFuzzer, without its instrumentation: each input
 * is generated (valid frames from {@link FrameGenerator}), drawn from pure random bytes, or a
 * stacked {@link Mutator mutation} of a corpus seed; it runs through {@link DecoderHarness} and
 * {@link JsonHarness}; an input that reaches a {@link Coverage} feature never seen before joins
 * the corpus. Failures are minimised and reported in hex.
 *
 * <p>Work per input is bounded by construction (inputs are capped at about 1 MiB, decode calls
 * are counted); a true hang is caught by the watchdog in {@link #run} and an input much slower
 * than its size justifies is reported as slow (a failure in strict mode).
 *
 * <p>Thread safety: one fuzzer per thread; {@link #progress()} may be read from another.
 */
final class Fuzzer {
    /** Corpus size cap; past it a new seed replaces a random old one. */
    static final int MAX_CORPUS = 8192;
    /** Executions allowed to the minimiser per failure. */
    static final int MINIMISE_BUDGET = 3000;
    /** Failures kept in full detail; later ones are only counted by category. */
    static final int MAX_REPORTED_FAILURES = 10;
    /**
     * Decoding an input (whole and chunked) slower than this plus {@link #SLOW_NANOS_PER_BYTE} per
     * byte is slow: linear decoding runs at tens of ns per byte, a quadratic path at a 64 KiB
     * header took ~130 ms.
     */
    static final long SLOW_BASE_NANOS = 25_000_000;
    static final long SLOW_NANOS_PER_BYTE = 200;

    private final Random r;
    private final FrameGenerator gen;
    private final Mutator mutator;
    private final Coverage coverage = new Coverage();
    private final List<FuzzCase> corpus = new ArrayList<>();
    private final boolean strictTime;

    long inputs;
    long seedsKept;
    long generated;
    long randomInputs;
    long mutated;
    long pristineChecked;
    long bytesFed;
    final Map<String, Long> failuresByCategory = new LinkedHashMap<>();
    final List<String> failureReports = new ArrayList<>();
    final List<String> slowReports = new ArrayList<>();
    long slowestNanos;
    int slowestBytes;

    /** Set while an input runs, for the watchdog. */
    volatile FuzzCase current;
    volatile long currentStartNanos;

    Fuzzer(long seed, boolean strictTime) {
        this.r = new Random(seed);
        this.gen = new FrameGenerator(r);
        this.mutator = new Mutator(r, gen);
        this.strictTime = strictTime;
    }

    /** Runs {@code iterations} inputs. */
    void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
            FuzzCase c = next();
            Coverage.Trace trace = new Coverage.Trace();
            current = c;
            if (c.expected != null) {
                pristineChecked++;
            }
            currentStartNanos = System.nanoTime();
            String failure = null;
            DecoderHarness.Violation violation = null;
            try {
                long took = execute(c, trace);
                failure = checkSlow(c, took);
            } catch (DecoderHarness.Violation v) {
                violation = v;
            }
            current = null;
            inputs++;
            if (violation != null) {
                recordFailure(c, violation);
                continue;
            }
            if (failure != null && strictTime) {
                failuresByCategory.merge("slow", 1L, Long::sum);
            }
            if (coverage.merge(trace) > 0) {
                seedsKept++;
                c.expected = null;
                if (corpus.size() < MAX_CORPUS) {
                    corpus.add(c);
                } else {
                    corpus.set(r.nextInt(corpus.size()), c);
                }
            }
        }
    }

    private FuzzCase next() {
        int k = r.nextInt(100);
        if (corpus.isEmpty() || k < 8) {
            generated++;
            int limits = r.nextInt(3) == 0 ? r.nextInt(Limits.VARIANTS.length) : Limits.DEFAULT;
            return gen.generate(limits);
        }
        if (k < 12) {
            randomInputs++;
            FuzzCase c = new FuzzCase();
            c.limits = r.nextInt(Limits.VARIANTS.length);
            c.splitSeed = r.nextLong();
            c.pauseRate = r.nextInt(257);
            byte[] bytes = gen.randomBytes(r.nextInt(r.nextInt(8) == 0 ? 4096 : 64));
            if (r.nextBoolean() && Limits.VARIANTS[c.limits].expectPreamble()) {
                c.preamble = ferry.protocol.Preamble.bytes();
            }
            c.segs.add(FuzzCase.Seg.raw(bytes));
            return c;
        }
        mutated++;
        FuzzCase parent = pickSeed();
        FuzzCase c = parent.copy();
        mutator.mutate(c, pickSeed());
        return c;
    }

    /** A corpus seed, the smaller of two drawn at random: small inputs mutate into more inputs per second. */
    private FuzzCase pickSeed() {
        FuzzCase a = corpus.get(r.nextInt(corpus.size()));
        FuzzCase b = corpus.get(r.nextInt(corpus.size()));
        return a.wireLength() <= b.wireLength() ? a : b;
    }

    /** Runs every check on one case; throws the first violation. Returns the nanoseconds spent decoding. */
    long execute(FuzzCase c, Coverage.Trace trace) {
        FrameLimits limits = Limits.VARIANTS[c.limits];
        byte[] stream = c.encode();
        bytesFed += stream.length;
        trace.add("limits", c.limits);
        long t0 = System.nanoTime();
        DecoderHarness.Run whole = DecoderHarness.whole(stream, limits, trace);
        DecoderHarness.Run chunked = DecoderHarness.chunked(stream, limits, c.splitSeed, c.pauseRate, trace);
        long decodeNanos = System.nanoTime() - t0;
        DecoderHarness.assertSame(whole, chunked);
        for (DecoderHarness.FrameRec f : whole.frames) {
            Header h = f.header();
            trace.add("hdr", Coverage.bucket(h.fieldCount()), (h.op() != null ? "op" : "-") + (h.id() >= 0 ? "id" : "-")
                    + (h.has(Header.SIZE) ? "size" + Coverage.bucket(Long.numberOfTrailingZeros(Long.highestOneBit(h.size() + 1))) : "-"));
        }
        if (c.expected != null) {
            checkPristine(c, whole);
        }
        int n = 0;
        for (byte[] json : c.jsonTexts()) {
            if (n++ == 4) {
                break;
            }
            JsonHarness.check(json, limits.maxDepth(), trace);
        }
        return decodeNanos;
    }

    /** A case straight from the generator within its limits must decode to exactly what was generated. */
    private void checkPristine(FuzzCase c, DecoderHarness.Run whole) {
        if (whole.failure != null) {
            throw new DecoderHarness.Violation("pristine", "valid input rejected: " + whole.failure.getMessage(), null);
        }
        if (whole.frames.size() != c.expected.size()) {
            throw new DecoderHarness.Violation("pristine", whole.frames.size() + " frames decoded, "
                    + c.expected.size() + " generated", null);
        }
        for (int i = 0; i < c.expected.size(); i++) {
            FuzzCase.Expected e = c.expected.get(i);
            DecoderHarness.FrameRec f = whole.frames.get(i);
            if (!f.header().equals(Header.fromMap(e.header()))) {
                throw new DecoderHarness.Violation("pristine", "frame " + i + " decoded as " + f.header()
                        + ", generated " + e.header(), null);
            }
            CRC32 crc = new CRC32();
            crc.update(e.body());
            long declared = f.header().size();
            if (f.bodyBytes() != e.body().length || f.crc() != crc.getValue() || f.ended() != (declared == e.body().length)) {
                throw new DecoderHarness.Violation("pristine", "frame " + i + " body differs", null);
            }
        }
    }

    private String checkSlow(FuzzCase c, long took) {
        int len = c.wireLength();
        if (took > slowestNanos) {
            slowestNanos = took;
            slowestBytes = len;
        }
        long allowed = SLOW_BASE_NANOS + SLOW_NANOS_PER_BYTE * len;
        if (took <= allowed) {
            return null;
        }
        // A GC pause or a busy machine can make any input slow once: it is slow only if it stays slow.
        long best = took;
        for (int i = 0; i < 2 && best > allowed; i++) {
            best = Math.min(best, execute(c, new Coverage.Trace()));
        }
        if (best <= allowed) {
            return null;
        }
        String report = "slow input: " + best / 1_000_000 + " ms for " + len + " bytes (limits " + c.limits + "): "
                + Hex.describe(c.encode(), 256);
        if (slowReports.size() < MAX_REPORTED_FAILURES) {
            slowReports.add(report);
        }
        return report;
    }

    private void recordFailure(FuzzCase c, DecoderHarness.Violation v) {
        long seen = failuresByCategory.merge(v.category, 1L, Long::sum);
        if (seen > 1 || failureReports.size() >= MAX_REPORTED_FAILURES) {
            return; // one minimised example per category is what a human needs
        }
        byte[] original = c.encode();
        FuzzCase small = minimise(c, v.category);
        StringBuilder sb = new StringBuilder();
        sb.append(v.getMessage()).append('\n');
        sb.append("  limits ").append(Limits.VARIANTS[small.limits]).append(", splitSeed ").append(small.splitSeed)
                .append(", pauseRate ").append(small.pauseRate).append('\n');
        sb.append("  input (").append(original.length).append(" bytes, minimised to ").append(small.encode().length)
                .append("): ").append(Hex.describe(small.encode(), 2048)).append('\n');
        if (small.segs.size() == 1 && small.segs.get(0).json != null) {
            sb.append("  header JSON: ").append(Hex.describe(small.segs.get(0).json, 2048)).append('\n');
        }
        Throwable cause = v.getCause();
        if (cause != null) {
            sb.append("  cause: ").append(cause).append('\n');
            StackTraceElement[] st = cause.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) {
                sb.append("    at ").append(st[i]).append('\n');
            }
        }
        failureReports.add(sb.toString());
    }

    /**
     * Shrinks a failing case while it fails in the same category: first each framed header on its
     * own (a JSON failure usually lives in one), then the flattened bytes by deleting ever smaller
     * ranges (ddmin).
     */
    FuzzCase minimise(FuzzCase failing, String category) {
        int[] budget = {MINIMISE_BUDGET};
        FuzzCase best = failing.copy();
        best.expected = null;
        if (category.startsWith("slow") || category.equals("hang")) {
            return best; // re-running slow inputs thousands of times is not worth it
        }
        for (FuzzCase.Seg s : failing.segs) {
            if (s.json == null) {
                continue;
            }
            FuzzCase one = best.copy();
            one.segs.clear();
            one.segs.add(s.copy());
            one.preamble = Limits.VARIANTS[one.limits].expectPreamble() ? ferry.protocol.Preamble.bytes() : new byte[0];
            one.cutTail = 0;
            if (fails(one, category, budget)) {
                best = one;
                // shrink the JSON text of that header, keeping its length prefix right
                byte[] json = best.segs.get(0).json;
                json = ddmin(json, b -> {
                    FuzzCase t = one.copy();
                    t.segs.get(0).json = b;
                    t.segs.get(0).body = new byte[0];
                    return fails(t, category, budget);
                }, budget);
                FuzzCase t = one.copy();
                t.segs.get(0).json = json;
                t.segs.get(0).body = new byte[0];
                if (fails(t, category, budget)) {
                    return t;
                }
                return best;
            }
        }
        FuzzCase flat = best.copy();
        flat.flatten();
        byte[] bytes = ddmin(flat.segs.get(0).raw, b -> {
            FuzzCase t = flat.copy();
            t.segs.set(0, FuzzCase.Seg.raw(b));
            return fails(t, category, budget);
        }, budget);
        flat.segs.set(0, FuzzCase.Seg.raw(bytes));
        return flat;
    }

    private interface StillFails {
        boolean test(byte[] candidate);
    }

    private static byte[] ddmin(byte[] input, StillFails f, int[] budget) {
        byte[] cur = input;
        for (int chunk = Math.max(1, cur.length / 2); chunk >= 1 && budget[0] > 0; chunk /= 2) {
            for (int start = 0; start < cur.length && budget[0] > 0; ) {
                int end = Math.min(cur.length, start + chunk);
                byte[] cand = new byte[cur.length - (end - start)];
                System.arraycopy(cur, 0, cand, 0, start);
                System.arraycopy(cur, end, cand, start, cur.length - end);
                if (f.test(cand)) {
                    cur = cand; // keep the deletion; retry the same start
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1) {
                break;
            }
        }
        return cur;
    }

    private boolean fails(FuzzCase c, String category, int[] budget) {
        if (budget[0]-- <= 0) {
            return false;
        }
        try {
            execute(c, new Coverage.Trace());
            return false;
        } catch (DecoderHarness.Violation v) {
            return v.category.equals(category);
        }
    }

    int corpusSize() {
        return corpus.size();
    }

    int features() {
        return coverage.size();
    }

    long failures() {
        long n = 0;
        for (long v : failuresByCategory.values()) {
            n += v;
        }
        return n;
    }

    /** The features seen, by kind, for the report. */
    Map<String, Integer> featuresByKind() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (String f : coverage.features()) {
            int colon = f.indexOf(':');
            m.merge(colon < 0 ? f : f.substring(0, colon), 1, Integer::sum);
        }
        return m;
    }

    /** Error kinds reached, per decoder state (the "(state, error-kind)" pairs). */
    List<String> errorPairs() {
        List<String> out = new ArrayList<>();
        for (String f : coverage.features()) {
            if (f.startsWith("err:")) {
                out.add(f.substring(4));
            }
        }
        out.sort(null);
        return out;
    }

    String progress() {
        return inputs + " inputs, " + seedsKept + " seeds kept, corpus " + corpus.size() + ", " + coverage.size()
                + " features, " + failures() + " failures";
    }

    /** Hex rendering of inputs for reports. */
    static final class Hex {
        private Hex() {}

        static String describe(byte[] b, int max) {
            if (b.length <= max) {
                return hex(b, 0, b.length);
            }
            int tail = Math.min(256, max / 4);
            return hex(b, 0, max - tail) + " ... (" + (b.length - max) + " bytes) ... " + hex(b, b.length - tail, b.length);
        }

        static String hex(byte[] b, int from, int to) {
            StringBuilder sb = new StringBuilder((to - from) * 2);
            for (int i = from; i < to; i++) {
                sb.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
            }
            return sb.toString();
        }
    }
}

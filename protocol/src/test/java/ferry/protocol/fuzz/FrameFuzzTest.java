package ferry.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@code FrameDecoder} and {@code JsonReader} (see {@link Fuzzer}). In {@code make test} a
 * short run with a fixed seed; {@code make fuzz} runs a million inputs or more:
 *
 * <pre>
 *   mvn -o test -pl protocol -Dtest=FrameFuzzTest -Dferry.fuzz.iterations=1000000 [-Dferry.fuzz.seed=N]
 * </pre>
 *
 * The report (inputs, seeds kept, features, failures with minimised inputs in hex) is written to
 * {@code protocol/target/fuzz-report.txt}.
 */
class FrameFuzzTest {
    /** Inputs of the run inside {@code make test}: a few seconds on a loaded 2-core machine. */
    static final long SHORT_RUN_INPUTS = 20_000;
    static final long DEFAULT_SEED = 0xF3_2026L;
    /** An input running this long is a hang (real hangs never end; this only bounds the wait). */
    static final long HANG_MILLIS = 60_000;

    @Test
    void decoderAndJsonReaderSurviveGeneratedMutatedAndRandomInput() throws Exception {
        long iterations = Long.getLong("ferry.fuzz.iterations", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", DEFAULT_SEED);
        boolean strict = Boolean.parseBoolean(System.getProperty("ferry.fuzz.strict", String.valueOf(iterations > SHORT_RUN_INPUTS)));
        Fuzzer f = new Fuzzer(seed, strict);
        Throwable[] escaped = new Throwable[1];
        Thread worker = new Thread(() -> {
            try {
                f.run(iterations);
            } catch (Throwable t) {
                escaped[0] = t;
            }
        }, "fuzzer");
        worker.setDaemon(true); // a hung input must not keep the JVM alive
        long start = System.nanoTime();
        worker.start();
        String hang = null;
        long lastProgress = System.nanoTime();
        while (worker.isAlive()) {
            worker.join(1000);
            FuzzCase c = f.current;
            if (c != null && System.nanoTime() - f.currentStartNanos > HANG_MILLIS * 1_000_000) {
                StringBuilder sb = new StringBuilder("hang: one input ran over " + HANG_MILLIS / 1000 + " s (limits "
                        + ferry.protocol.fuzz.Limits.VARIANTS[c.limits] + "): "
                        + Fuzzer.Hex.describe(c.encode(), 1024) + "\n  stuck at:\n");
                for (StackTraceElement e : worker.getStackTrace()) {
                    sb.append("    at ").append(e).append('\n');
                }
                hang = sb.toString();
                break;
            }
            if (iterations > SHORT_RUN_INPUTS && System.nanoTime() - lastProgress > 30_000_000_000L) {
                System.out.println("fuzz progress: " + f.progress());
                lastProgress = System.nanoTime();
            }
        }
        long seconds = Math.max(1, (System.nanoTime() - start) / 1_000_000_000L);
        String report = report(f, seed, iterations, seconds, strict, hang, escaped[0]);
        System.out.println(report);
        write(report);
        assertEquals(null, escaped[0], report);
        assertEquals(null, hang, report);
        assertEquals(0, f.failures(), report);
        assertTrue(f.pristineChecked > 0, "the generator's valid inputs were checked against their model");
    }

    private static String report(Fuzzer f, long seed, long iterations, long seconds, boolean strict, String hang, Throwable escaped) {
        StringBuilder sb = new StringBuilder();
        sb.append("Ferry frame/JSON fuzz report\n");
        sb.append("  seed ").append(seed).append(", ").append(iterations).append(" inputs requested, strict timing ")
                .append(strict).append('\n');
        sb.append("  inputs tried:      ").append(f.inputs).append(" in ").append(seconds).append(" s (")
                .append(f.inputs / seconds).append("/s), ").append(f.bytesFed / (1024 * 1024)).append(" MiB fed\n");
        sb.append("    generated valid: ").append(f.generated).append(" (").append(f.pristineChecked)
                .append(" checked against their model)\n");
        sb.append("    random bytes:    ").append(f.randomInputs).append('\n');
        sb.append("    mutated seeds:   ").append(f.mutated).append('\n');
        sb.append("  new-coverage seeds kept: ").append(f.seedsKept).append(" (corpus now ").append(f.corpusSize()).append(")\n");
        sb.append("  features reached:  ").append(f.features()).append(' ').append(f.featuresByKind()).append('\n');
        sb.append("  (state, error kind) pairs reached: ").append(f.errorPairs().size()).append('\n');
        for (String p : f.errorPairs()) {
            sb.append("    ").append(p).append('\n');
        }
        sb.append("  slowest input: ").append(f.slowestNanos / 1_000_000).append(" ms for ").append(f.slowestBytes).append(" bytes\n");
        sb.append("  failures: ").append(f.failures()).append(' ').append(f.failuresByCategory).append('\n');
        for (String r : f.failureReports) {
            sb.append("  - ").append(r);
        }
        for (String r : f.slowReports) {
            sb.append("  - ").append(r).append('\n');
        }
        if (hang != null) {
            sb.append("  - ").append(hang);
        }
        if (escaped != null) {
            sb.append("  - the fuzzer itself failed: ").append(escaped).append('\n');
        }
        return sb.toString();
    }

    private static void write(String report) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("fuzz-report.txt"), report, StandardCharsets.UTF_8);
        }
    }
}

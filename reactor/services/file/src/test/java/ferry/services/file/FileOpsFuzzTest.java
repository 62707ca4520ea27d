package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the file ops' request headers and paths through a real server ({@link FileOpsFuzzer}).
 * In {@code make test} a short run with a fixed seed (a few seconds); {@code make fuzz-files}
 * runs many more:
 *
 * <pre>
 *   mvn -o test -pl reactor -am -Dtest=FileOpsFuzzTest -Dferry.fuzz.files.inputs=100000 [-Dferry.fuzz.seed=N]
 * </pre>
 *
 * The report goes to {@code reactor/target/file-fuzz-report.txt}.
 */
class FileOpsFuzzTest {
    static final long SHORT_RUN_INPUTS = 1_500;
    static final long DEFAULT_SEED = 0xF11E5L;
    /** Outcomes listed in the report; the rest are counted. */
    static final int TOP_OUTCOMES = 60;

    @TempDir
    Path tmp;

    @Test
    void fileOpsAnswerEveryRequestOnceAndNeverLeaveTheRoot() throws Exception {
        long inputs = Long.getLong("ferry.fuzz.files.inputs", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", DEFAULT_SEED);
        long start = System.nanoTime();
        String afterwards;
        String report;
        try (FileOpsFuzzer f = new FileOpsFuzzer(tmp, seed)) {
            f.run(inputs);
            afterwards = f.servesAfterwards();
            report = report(f, seed, (System.nanoTime() - start) / 1_000_000);
            System.out.println(report);
            write("file-fuzz-report.txt", report);
            assertEquals(0, f.failures(), report);
            assertNull(afterwards, "the server serves after the run");
            assertTrue(f.oracleChecked > inputs / 10, "the path rules decided a good share of the inputs: " + f.oracleChecked);
            assertTrue(f.answersOk > inputs / 10, "a good share of the inputs succeeded (they reach deep code): " + f.answersOk);
            assertTrue(f.outcomes.size() > 60, "distinct outcomes reached: " + f.outcomes.size());
        }
    }

    static String report(FileOpsFuzzer f, long seed, long millis) {
        StringBuilder sb = new StringBuilder();
        sb.append("Ferry file-ops fuzz report\n");
        sb.append("  seed ").append(seed).append(", ").append(f.inputs).append(" requests in ").append(millis).append(" ms (")
                .append(f.inputs * 1000 / Math.max(1, millis)).append("/s) over ").append(f.reconnects).append(" connections, ")
                .append(f.batches).append(" batches (half of them jailed in root/jail)\n");
        sb.append("  mutated from the corpus: ").append(f.mutatedInputs).append(", answers ok ").append(f.answersOk)
                .append(", errors ").append(f.answersError).append(", decided by the path rules ").append(f.oracleChecked).append('\n');
        sb.append("  distinct outcomes (op, session, code, message shape): ").append(f.outcomes.size()).append('\n');
        Map<String, long[]> perOp = new TreeMap<>(); // op -> ok, errors, distinct outcomes
        for (Map.Entry<String, Long> e : f.outcomes.entrySet()) {
            String[] w = e.getKey().split(" ");
            long[] c = perOp.computeIfAbsent(w[0], k -> new long[3]);
            c[e.getKey().endsWith(" ok") ? 0 : 1] += e.getValue();
            c[2]++;
        }
        perOp.forEach((op, c) -> sb.append(String.format("    %-8s ok %7d  refused %7d  in %5d distinct outcomes%n", op, c[0], c[1], c[2])));
        sb.append("  most frequent outcomes:\n");
        f.outcomes.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(TOP_OUTCOMES)
                .forEach(e -> sb.append("    ").append(String.format("%7d", e.getValue())).append("  ").append(e.getKey()).append('\n'));
        if (f.outcomes.size() > TOP_OUTCOMES) {
            sb.append("    ... and ").append(f.outcomes.size() - TOP_OUTCOMES).append(" rarer ones\n");
        }
        sb.append("  failures: ").append(f.failures()).append(' ').append(f.failuresByCategory).append('\n');
        for (String r : f.failureReports) {
            sb.append("  - ").append(r).append('\n');
        }
        if (!f.warnings.isEmpty()) {
            sb.append("  server warnings (first ").append(f.warnings.size()).append("):\n");
            for (String w : f.warnings) {
                sb.append("    ").append(w).append('\n');
            }
        }
        return printable(sb);
    }

    /** The report with control characters and lone surrogates (a cut message) escaped, so it prints and saves. */
    static String printable(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                out.append(c).append(s.charAt(++i));
            } else if ((c < 0x20 && c != '\n') || c == 0x7f || Character.isSurrogate(c) || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static void write(String name, String report) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve(name), report, StandardCharsets.UTF_8);
        }
    }
}

package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link ProxyHeaderParser} with valid v1/v2 headers, mutations of them and random bytes.
 * Every input must give a header, "need more bytes" or a {@code bad_preamble} error: never another
 * exception, never a header longer than the input or the cap, never "need more" once the cap's
 * worth of bytes is there (the connection would wait for bytes the parser can never accept), and
 * the same answer however the bytes are split (the connection parses again after each read).
 * In {@code make test} a short run with a fixed seed; {@code make fuzz-files} runs more:
 *
 * <pre>
 *   mvn -o test -pl reactor -am -Dtest=ProxyHeaderFuzzTest -Dferry.fuzz.proxy.inputs=2000000 [-Dferry.fuzz.seed=N]
 * </pre>
 *
 * The report goes to {@code reactor/target/proxy-fuzz-report.txt}.
 */
class ProxyHeaderFuzzTest {
    static final long SHORT_RUN_INPUTS = 50_000;
    static final long DEFAULT_SEED = 0x9A0C7L;
    /** Failures quoted in the report; the rest are counted. */
    static final int MAX_REPORTED = 20;

    /** Characters that matter to a v1 line, put in by mutations. */
    private static final String V1_CHARS = " .:\r\n09aAfF%P";

    private final Map<String, Long> outcomes = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private long failureCount;

    @Test
    void everyInputIsAHeaderNeedMoreOrAClearErrorWhateverTheSplit() throws Exception {
        long inputs = Long.getLong("ferry.fuzz.proxy.inputs", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", DEFAULT_SEED);
        Random rnd = new Random(seed);
        for (long i = 0; i < inputs; i++) {
            byte[] in = switch ((int) (i % 4)) {
                case 0 -> valid(rnd);
                case 1, 2 -> mutate(valid(rnd), rnd);
                default -> random(rnd);
            };
            check(in, rnd);
        }
        StringBuilder report = new StringBuilder("Ferry PROXY header fuzz report\n  seed " + seed + ", " + inputs
                + " inputs (a quarter valid, half mutated, a quarter random)\n  outcomes:\n");
        outcomes.forEach((k, v) -> report.append(String.format("    %9d  %s%n", v, k)));
        report.append("  failures: ").append(failureCount).append('\n');
        failures.forEach(f -> report.append("  - ").append(f).append('\n'));
        System.out.println(report);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("proxy-fuzz-report.txt"), report);
        }
        assertEquals(0, failureCount, report.toString());
        assertTrue(outcomes.keySet().stream().filter(k -> k.startsWith("header")).count() >= 6,
                "v1/v2, with and without a client, were all reached: " + outcomes.keySet());
        assertTrue(outcomes.keySet().stream().filter(k -> k.startsWith("error")).count() >= 20,
                "many distinct refusals were reached: " + outcomes.size());
    }

    private void check(byte[] in, Random rnd) {
        String outcome;
        try {
            Object whole = parse(in);
            outcome = describe(whole);
            if (whole instanceof ProxyHeader h) {
                expect(h.length() <= in.length && h.length() <= ProxyHeaderParser.MAX_HEADER_BYTES,
                        "header longer than its input or the cap", in);
                expect(h.version() == 1 ? h.length() <= ProxyHeaderParser.V1_MAX_BYTES : h.length() >= 16,
                        "header length out of its version's range", in);
            } else if (whole == null) {
                expect(in.length < ProxyHeaderParser.MAX_HEADER_BYTES, "need-more with the cap's worth of bytes", in);
            }
            // The connection parses the bytes received so far after each read: a shorter prefix must
            // never give a different header, nor an error the whole input does not give.
            int cut = in.length == 0 ? 0 : rnd.nextInt(in.length);
            Object prefix = parse(java.util.Arrays.copyOf(in, cut));
            if (prefix instanceof ProxyHeader ph) {
                expect(whole instanceof ProxyHeader wh && wh.equals(ph), "a prefix parsed differently", in);
            } else if (prefix instanceof ProtocolException) {
                expect(whole instanceof ProtocolException, "a prefix was refused, the whole was not", in);
            }
        } catch (RuntimeException e) {
            outcome = "crash " + e.getClass().getSimpleName();
            fail("threw " + e, in);
        }
        outcomes.merge(outcome, 1L, Long::sum);
    }

    /** The header, null for need-more, or the ProtocolException; anything else is thrown. */
    private static Object parse(byte[] in) {
        ByteBuffer b = ByteBuffer.wrap(in);
        try {
            ProxyHeader h = ProxyHeaderParser.parse(b);
            if (h != null && b.position() != h.length()) {
                throw new IllegalStateException("position " + b.position() + " after a header of " + h.length());
            }
            if (h == null && b.position() != 0) {
                throw new IllegalStateException("need-more moved the position");
            }
            return h;
        } catch (ProtocolException e) {
            if (!ferry.protocol.ErrorCode.BAD_PREAMBLE.equals(e.code()) || e.getMessage() == null || e.getMessage().isBlank()) {
                throw new IllegalStateException("unclear error: " + e.code() + " " + e.getMessage());
            }
            return e;
        }
    }

    /** The outcome with numbers and quoted bytes taken out, so alike outcomes count together. */
    private static String describe(Object r) {
        if (r == null) {
            return "need more";
        }
        if (r instanceof ProxyHeader h) {
            return "header v" + h.version() + (h.hasSource() ? (h.source().getAddress().getAddress().length == 4 ? " ipv4" : " ipv6")
                    : " proxy's own");
        }
        String m = ((ProtocolException) r).getMessage();
        return "error " + m.replaceAll("0x[0-9a-f]+", "0xNN").replaceAll("\\d+", "N").replaceAll("\".*", "\"…");
    }

    private void expect(boolean ok, String what, byte[] in) {
        if (!ok) {
            fail(what, in);
        }
    }

    private void fail(String what, byte[] in) {
        failureCount++;
        if (failures.size() < MAX_REPORTED) {
            failures.add(what + ": " + java.util.HexFormat.of().formatHex(in));
        }
    }

    // ---- inputs ------------------------------------------------------------------------------

    private static byte[] valid(Random rnd) {
        if (rnd.nextBoolean()) {
            return ascii(switch (rnd.nextInt(4)) {
                case 0 -> "PROXY UNKNOWN" + (rnd.nextBoolean() ? "" : " whatever follows") + "\r\n";
                case 1 -> "PROXY TCP6 " + ipv6Text(rnd) + " " + ipv6Text(rnd) + " " + rnd.nextInt(65536) + " " + rnd.nextInt(65536) + "\r\n";
                default -> "PROXY TCP4 " + ipv4Text(rnd) + " " + ipv4Text(rnd) + " " + rnd.nextInt(65536) + " " + rnd.nextInt(65536) + "\r\n";
            });
        }
        try {
            int kind = rnd.nextInt(5);
            if (kind == 0) {
                return ProxyHeaderParserTest.v2(rnd.nextInt(2), 0x00, new byte[rnd.nextInt(40)]);
            }
            boolean v6 = kind == 1;
            byte[] s = new byte[v6 ? 16 : 4];
            byte[] d = new byte[v6 ? 16 : 4];
            rnd.nextBytes(s);
            rnd.nextBytes(d);
            return ProxyHeaderParserTest.v2Tcp(new InetSocketAddress(InetAddress.getByAddress(s), rnd.nextInt(65536)),
                    new InetSocketAddress(InetAddress.getByAddress(d), rnd.nextInt(65536)),
                    rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(ProxyHeaderParser.V2_MAX_PAYLOAD_BYTES - 36 + 1));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ipv4Text(Random rnd) {
        return rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
    }

    private static String ipv6Text(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int groups = rnd.nextBoolean() ? 8 : 1 + rnd.nextInt(6);
        for (int g = 0; g < groups; g++) {
            sb.append(g == 0 ? "" : ":").append(Integer.toHexString(rnd.nextInt(65536)));
        }
        return groups == 8 ? sb.toString() : sb + "::" + Integer.toHexString(rnd.nextInt(65536));
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = in.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && b.length > 0; k++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(7)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> b = java.util.Arrays.copyOf(b, at); // truncated
                case 3 -> b[at] = (byte) V1_CHARS.charAt(rnd.nextInt(V1_CHARS.length()));
                case 4 -> { // a v2 length or family byte at its edges
                    if (b.length > 15 && b[0] == 0x0D) {
                        b[12 + rnd.nextInt(4)] = (byte) new int[] {0, 1, 2, 0x10, 0x11, 0x21, 0x31, 0x22, 0xFF, 0x02, 0x18}[rnd.nextInt(11)];
                    }
                }
                case 5 -> { // bytes inserted
                    out.reset();
                    out.write(b, 0, at);
                    byte[] extra = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(extra);
                    out.writeBytes(extra);
                    out.write(b, at, b.length - at);
                    b = out.toByteArray();
                }
                default -> { // the tail repeated: something after the header, or a longer line
                    out.reset();
                    out.writeBytes(b);
                    out.write(b, at, b.length - at);
                    b = out.toByteArray();
                }
            }
        }
        return b;
    }

    private static byte[] random(Random rnd) {
        byte[] b = new byte[rnd.nextInt(700)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) {
            b[0] = rnd.nextBoolean() ? (byte) 'P' : 0x0D; // past the first byte more often
        }
        if (b.length > 12 && rnd.nextBoolean()) {
            System.arraycopy(ProxyHeaderParser.V2_SIGNATURE, 0, b, 0, 12);
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

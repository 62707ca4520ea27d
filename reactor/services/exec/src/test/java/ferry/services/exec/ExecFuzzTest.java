package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import ferry.reactor.ServerLog;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes EXEC headers through a real server whose policy allows one harmless command, {@code echo}:
 * argv of every shape (other commands, paths to them, relative paths, shell syntax, NUL, wrong
 * types, empty, huge), {@code shell} (off here), {@code cwd} (.., absolute, links out of the
 * root), {@code env} (allowed, forbidden and invalid names, wrong value types), {@code timeoutMs}
 * at the 64-bit edges, stray stdin bodies.
 *
 * <p>Properties: every request gets exactly one answer (one ERROR, or output frames then exactly
 * one EXIT), then the PING behind it; never {@code internal}, never a hang or a dropped connection;
 * only echo ever runs (an EXIT for anything whose argv[0] is not echo, or for a shell string, is a
 * failure), and it runs to a normal end; every started command is answered with EXIT; nothing is
 * written outside the root (echo cannot, but the canary is checked anyway).
 *
 * <pre>
 *   mvn -o test -pl reactor -am -Dtest=ExecFuzzTest -Dferry.fuzz.exec.inputs=5000
 * </pre>
 */
class ExecFuzzTest {
    static final long SHORT_RUN_INPUTS = 200;
    private static final Set<String> ALLOWED_CODES = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND,
            ErrorCode.TOO_LARGE, ErrorCode.BUSY);

    @TempDir
    Path tmp;

    private Random r;
    private long inputs;
    private long exits;
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Long> failures = new TreeMap<>();
    private final List<String> reports = new ArrayList<>();

    @Test
    void execAnswersEveryRequestOnceAndRunsOnlyTheAllowedCommand() throws Exception {
        long n = Long.getLong("ferry.fuzz.exec.inputs", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", 0xE7EC_F022L);
        r = new Random(seed);
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("canary"), "canary");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        Files.writeString(root.resolve("file.txt"), "not a folder");
        List<String> logged = new CopyOnWriteArrayList<>();
        ServerLog log = new ServerLog(null, ServerLog.Level.INFO) {
            @Override
            protected void emit(Level level, String message, Throwable error) {
                if (level != Level.INFO || message.startsWith("exec start")) {
                    logged.add(level + " " + message);
                }
            }
        };
        long started = System.nanoTime();
        try (ExecHarness h = new ExecHarness(root, ExecPolicy.parse("echo", false, false), b -> b.maxRunning(4), s -> { },
                Clock.SYSTEM, EnumSet.allOf(Right.class), s -> { }, log)) {
            FerryClient c = connect(h);
            while (inputs < n) {
                c = one(h, c);
            }
            c.close();
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (h.exec.stats().started() != exits) {
                fail("unanswered run", h.exec.stats().started() + " commands started, " + exits + " EXITs seen");
            }
            for (String l : logged) {
                if (l.startsWith("exec start") && !l.matches("exec start \\S+ \\S+ \\[\"(/usr)?(/bin/)?echo\".*")) {
                    fail("ran something else", l);
                } else if (!l.startsWith("exec start") && !l.startsWith("INFO")) {
                    fail("server warning", l);
                }
            }
            if (h.server.loopErrors() != 0 || h.server.stats().handlerErrors.sum() != 0) {
                fail("server errors", "loop " + h.server.loopErrors() + ", handler " + h.server.stats().handlerErrors.sum());
            }
            try (var l = Files.list(outside)) {
                if (l.count() != 1 || !Files.readString(outside.resolve("canary")).equals("canary")) {
                    fail("outside changed", "the folder beside the root changed");
                }
            }
            try (FerryClient after = FerryClient.connect("127.0.0.1", h.server.port())) {
                assertTrue(after.ping() > 0);
            }
            StringBuilder sb = new StringBuilder("Ferry exec fuzz report\n  seed ").append(seed).append(", ").append(inputs)
                    .append(" requests in ").append(millis).append(" ms; ").append(exits).append(" ran (echo)\n");
            outcomes.forEach((k, v) -> sb.append(String.format("    %6d  %s%n", v, k)));
            sb.append("  failures: ").append(failures).append('\n');
            reports.forEach(x -> sb.append("  - ").append(x).append('\n'));
            String report = sb.toString().replaceAll("[\\x00-\\x09\\x0b-\\x1f\\x7f]", "?");
            System.out.println(report);
            if (Files.isDirectory(Path.of("target"))) {
                Files.writeString(Path.of("target", "exec-fuzz-report.txt"), report, StandardCharsets.UTF_8);
            }
            assertTrue(failures.isEmpty(), report);
            assertTrue(exits > n / 10, "a good share ran: " + report);
            assertTrue(outcomes.size() > 12, report);
        }
    }

    private FerryClient connect(ExecHarness h) throws IOException {
        return FerryClient.connect("127.0.0.1", h.server.port(), ClientOptions.defaults().withReadTimeoutMillis(20_000));
    }

    /** One EXEC, the PING behind it, and the checks; returns the connection to go on with. */
    private FerryClient one(ExecHarness h, FerryClient c) throws IOException {
        Header req = request();
        req.put(Header.ID, c.nextId());
        byte[] stdin = r.nextInt(10) == 0 ? new byte[r.nextInt(100_000)] : new byte[0];
        Header ping = Header.op("PING").put(Header.ID, c.nextId());
        try {
            try {
                if (stdin.length > 0) {
                    c.send(req, ByteBuffer.wrap(stdin));
                } else {
                    c.send(req);
                }
            } catch (IllegalArgumentException overHeaderLimit) {
                return c; // the client refuses to encode a header over 64 KiB: nothing was sent
            }
            inputs++;
            c.send(ping);
            while (true) {
                Header a = c.readHeader();
                if (a.id() != req.id()) {
                    fail("misordered", a + " for " + req);
                    c.close();
                    return connect(h);
                }
                if (a.size() > 0) {
                    c.skipBody();
                }
                if ("STDOUT".equals(a.op()) || "STDERR".equals(a.op())) {
                    continue;
                }
                check(req, a);
                break;
            }
            Header pong = c.readHeader();
            if (!"PONG".equals(pong.op()) || pong.id() != ping.id()) {
                fail("extra answer", pong + " after the answer to " + req);
                c.close();
                return connect(h);
            }
            return c;
        } catch (SocketTimeoutException e) {
            fail("hang", "no answer to " + req);
        } catch (EOFException | SocketException e) {
            fail("dropped", e.getMessage() + " after " + req);
        }
        c.close();
        return connect(h);
    }

    private void check(Header req, Header a) {
        if ("ERROR".equals(a.op())) {
            String code = a.getString("code", "");
            count(code + ": " + shape(a.getString("message", "")));
            if (!ALLOWED_CODES.contains(code)) {
                fail(code.equals(ErrorCode.INTERNAL) ? "internal" : "unexpected code", a + " for " + req);
            }
            return;
        }
        if (!"EXIT".equals(a.op())) {
            fail("wrong answer", a + " for " + req);
            return;
        }
        exits++;
        count("EXIT " + a.get("exitCode") + " killed=" + a.get("killed") + " reason=" + a.get("reason"));
        Object argv = req.get("argv");
        Object cmd = argv instanceof List<?> l && !l.isEmpty() ? l.get(0) : null;
        boolean echo = cmd instanceof String s && (s.equals("echo") || s.endsWith("/echo") && s.startsWith("/"));
        if (!echo || req.get("shell") != null) {
            fail("ran something not allowed", a + " for " + req);
        }
        boolean tinyTimeout = req.get("timeoutMs") instanceof Long t && t < 1000; // then a timeout is fair
        if (tinyTimeout && "timeout".equals(a.get("reason"))) {
            return;
        }
        if (!Long.valueOf(0).equals(a.get("exitCode")) || !Boolean.FALSE.equals(a.get("killed"))) {
            fail("echo did not end normally", a + " for " + req);
        }
    }

    // ---- generation ------------------------------------------------------------------------

    private Header request() {
        Header h = Header.op("EXEC");
        int form = r.nextInt(20);
        if (form == 0) {
            h.put("shell", pick("echo hi", "ls; id", "", "\u0000", "rm -rf /"));
        } else if (form == 1) {
            h.put("shell", "echo hi").put("argv", List.of("echo"));
        } else if (form == 2) {
            h.put("argv", wrongType());
        } else if (form != 3) { // 3: neither
            List<Object> argv = new ArrayList<>();
            argv.add(command());
            for (int i = r.nextInt(5); i > 0; i--) {
                argv.add(r.nextInt(15) == 0 ? (Object) (long) r.nextInt(9) : argument());
            }
            h.put("argv", argv);
        }
        if (r.nextInt(4) == 0) {
            h.put("cwd", r.nextInt(12) == 0 ? wrongType() : cwd());
        }
        if (r.nextInt(5) == 0) {
            h.put("env", env());
        }
        if (r.nextInt(4) == 0) {
            h.put("timeoutMs", r.nextInt(12) == 0 ? wrongType()
                    : pick(1L, 0L, -1L, 30_000L, 3_600_000L, 3_600_001L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, 9_223_372_036_854L));
        }
        if (r.nextInt(30) == 0) {
            h.put(pick("user", "uid", "root", "path"), pick("root", "0", "/"));
        }
        return h;
    }

    private String command() {
        if (r.nextInt(5) < 3) {
            return pick("echo", "echo", "/bin/echo", "/usr/bin/echo");
        }
        return pick("ls", "sh", "/bin/sh", "rm", "", "echo;ls", "echo ls", "/tmp/evil/echo", "../echo", "./echo", "bin/echo",
                "e\u0000cho", "ECHO", "echo ", "/usr/bin/../bin/echo", "/usr/bin//echo", "/usr/bin/./echo", "true", "env",
                "python3", "$SHELL", "`id`", "/proc/self/exe", "echo\n", "/bin", "/", "\u00e9cho", "x".repeat(5000));
    }

    private String argument() {
        return pick("hi", "-n", "-e", "-E", "--help", "--version", "$HOME", "`id`", "; rm -rf /", "a b", "\u00e9\u65e5\ud83d\ude00",
                "\\x41", "", "%s%n", "\u0000", "x".repeat(r.nextInt(3) == 0 ? 30_000 : 10));
    }

    private String cwd() {
        return pick("sub", "sub/deeper", "/", "/sub", "..", "sub/..", "sub/../..", "out", "out/x", "up", "up/outside", "missing",
                "file.txt", "\u0000", "sub\u0000", "a/".repeat(600), "", ".", "~", "\\..\\", "%2e%2e");
    }

    private Object env() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            String name = pick("LANG", "LC_ALL", "TZ", "TERM", "COLUMNS", "PATH", "LD_PRELOAD", "BASH_ENV", "HOME", "IFS",
                    "lang", "1X", "A=B", "", "GLIBC_TUNABLES", "FERRY_USER", "X\u0000");
            m.put(name, r.nextInt(10) == 0 ? wrongType() : pick("C.UTF-8", "UTC", "/tmp/evil.so", "", "\u0000", "x".repeat(1000)));
        }
        return r.nextInt(15) == 0 ? wrongType() : m;
    }

    private Object wrongType() {
        return pick((Object) 5L, true, "echo", List.of(List.of("echo")), Map.of("0", "echo"), List.of(), (Object) (-1L));
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[r.nextInt(options.length)];
    }

    private static String shape(String message) {
        String s = message.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("[0-9]+", "#");
        int colon = s.indexOf(": ");
        if (colon > 0) {
            s = s.substring(0, colon);
        }
        String[] w = s.split(" ");
        return String.join(" ", Arrays.copyOf(w, Math.min(7, w.length)));
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    private void fail(String category, String report) {
        failures.merge(category, 1L, Long::sum);
        if (reports.size() < 10) {
            reports.add("[" + category + "] " + (report.length() > 800 ? report.substring(0, 800) + "..." : report));
        }
    }
}

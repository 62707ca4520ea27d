package ferry.cli.remote;

import ferry.cli.args.Units;
import ferry.client.AdminClient.LiveConnection;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live connections as {@code ferry admin who} and {@code ferry top} print them: one row per
 * connection, and the rate each moved bytes at between two WHO samples.
 *
 * <p>Thread safety: stateless; static methods.
 */
final class ConnectionTable {
    private static final String FORMAT = "%-8s %-16s %-24s %9s %-8s %11s %11s %12s%n";
    private static final long MILLIS_PER_SECOND = 1000;

    private ConnectionTable() {}

    /**
     * Bytes per second each connection moved (in and out together) between {@code before} and
     * {@code now}, by id, over the server's own clock (the difference of the connection's ages,
     * so the time WHO took to travel does not count). A connection new in {@code now} has none.
     */
    static Map<Long, Double> rates(List<LiveConnection> before, List<LiveConnection> now) {
        Map<Long, LiveConnection> old = new HashMap<>();
        for (LiveConnection c : before) {
            old.put(c.id(), c);
        }
        Map<Long, Double> rates = new HashMap<>();
        for (LiveConnection c : now) {
            LiveConnection b = old.get(c.id());
            long dtMillis = b == null ? 0 : c.ageMillis() - b.ageMillis();
            if (dtMillis > 0) {
                long bytes = (c.bytesIn() + c.bytesOut()) - (b.bytesIn() + b.bytesOut());
                rates.put(c.id(), Math.max(0, bytes) * (double) MILLIS_PER_SECOND / dtMillis);
            }
        }
        return rates;
    }

    /** {@code rows} sorted busiest first (by rate, then by bytes moved), ties by id. */
    static List<LiveConnection> byRate(List<LiveConnection> rows, Map<Long, Double> rates) {
        List<LiveConnection> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.<LiveConnection>comparingDouble(c -> -rates.getOrDefault(c.id(), -1.0))
                .thenComparingLong(c -> -(c.bytesIn() + c.bytesOut()))
                .thenComparingLong(LiveConnection::id));
        return sorted;
    }

    /** Prints the header and one line per row; {@code rates} null leaves the rate column out. */
    static void print(PrintStream out, List<LiveConnection> rows, Map<Long, Double> rates) {
        out.printf(Locale.ROOT, FORMAT, "ID", "USER", "ADDRESS", "AGE", "OP", "IN", "OUT", rates == null ? "" : "RATE");
        for (LiveConnection c : rows) {
            Double rate = rates == null ? null : rates.get(c.id());
            out.printf(Locale.ROOT, FORMAT, "c" + c.id(), printable(c.user() == null ? "-" : c.user()),
                    printable(c.address()), age(c.ageMillis()), printable(c.op() == null ? "-" : c.op())
                            + (c.throttled() ? "*" : ""),
                    Units.formatSize(c.bytesIn()), Units.formatSize(c.bytesOut()),
                    rates == null ? "" : rate == null ? "-" : Units.formatRate(rate));
        }
    }

    /** {@code 45s}, {@code 12m03s}, {@code 3h07m}, {@code 2d04h}. */
    static String age(long millis) {
        long s = Math.max(0, millis) / MILLIS_PER_SECOND;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /** What the server sent, safe to print: a control character (a terminal escape) becomes '?'. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return b.toString();
    }
}

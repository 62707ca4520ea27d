package ferry.loadtest;

import java.util.Locale;

/** Human formatting of the report's numbers (fixed locale, so reports diff cleanly). */
final class Format {
    private Format() {}

    /** A rate: thousands separated; one decimal below 100 (23.4 round trips/s matters). */
    static String rate(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == 0) {
            return "0";
        }
        if (Math.abs(v) < 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A latency given in microseconds, in the unit that reads best. */
    static String micros(double us) {
        if (Double.isNaN(us)) {
            return "–";
        }
        if (us < 1) {
            return String.format(Locale.ROOT, "%.0f ns", us * 1000);
        }
        if (us < 1000) {
            return String.format(Locale.ROOT, us < 10 ? "%.2f µs" : us < 100 ? "%.1f µs" : "%.0f µs", us);
        }
        double ms = us / 1000;
        if (ms < 1000) {
            return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    /** Bytes in binary units. */
    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "–";
        }
        double a = Math.abs(b);
        if (a < 1024) {
            return String.format(Locale.ROOT, "%.0f B", b);
        }
        if (a < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f KiB", b / 1024);
        }
        if (a < 1024.0 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }

    static String decimal(double v, int digits) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String integer(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,d", Math.round(v));
    }
}

package ferry.cli.args;

import java.util.Locale;

/**
 * Parsing and printing of sizes, durations, rates and times, for flags, config files and
 * terminal output.
 *
 * <p>Sizes are binary: {@code k} = 1024 bytes, {@code m} = 1024 k, {@code g}, {@code t}; the
 * suffix is case-insensitive and may be followed by {@code b} or {@code ib} ({@code 64k},
 * {@code 64KiB} and {@code 64kb} are all 65536). A bare number is bytes. Fractions are allowed
 * ({@code 1.5m}); the result is rounded down to whole bytes.
 *
 * <p>Durations are a number with a unit — {@code ms}, {@code s}, {@code m}, {@code h},
 * {@code d} — or several summed ({@code 1m30s}); nanosecond durations also take {@code us} and
 * {@code ns}. A bare number other than 0 is refused rather than
 * guessed: {@code 30} could mean seconds or milliseconds.
 *
 * <p>Thread safety: stateless.
 */
public final class Units {
    public static final long KIB = 1024;
    public static final long MIB = KIB * 1024;
    public static final long GIB = MIB * 1024;
    static final long TIB = GIB * 1024;
    private static final String[] HUMAN_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {}

    // ---- sizes --------------------------------------------------------------------------------

    /** Parses a size such as {@code 64k}; throws IllegalArgumentException with a clear message. */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int i = numberEnd(s);
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 512, 64k, 1m, 2g)");
        }
        String unit = s.substring(i);
        long mult;
        switch (unit) {
            case "", "b" -> mult = 1;
            case "k", "kb", "kib" -> mult = KIB;
            case "m", "mb", "mib" -> mult = MIB;
            case "g", "gb", "gib" -> mult = GIB;
            case "t", "tb", "tib" -> mult = TIB;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown size unit '" + unit
                    + "' (use k, m, g or t; powers of 1024)");
        }
        return scale(s.substring(0, i), mult, text, "size");
    }

    /**
     * A size as a config value: the largest exact unit ({@code 65536} → {@code 64k},
     * {@code 1000} → {@code 1000}), so printing and parsing round-trip.
     */
    public static String formatSizeSetting(long bytes) {
        if (bytes != 0) {
            long[] mults = {TIB, GIB, MIB, KIB};
            String[] names = {"t", "g", "m", "k"};
            for (int i = 0; i < mults.length; i++) {
                if (bytes % mults[i] == 0) {
                    return (bytes / mults[i]) + names[i];
                }
            }
        }
        return Long.toString(bytes);
    }

    /** A size for people: {@code 0 B}, {@code 1023 B}, {@code 1.0 KiB}, {@code 2.9 GiB}. */
    public static String formatSize(long bytes) {
        if (bytes < KIB) {
            return bytes + " B";
        }
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < HUMAN_UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        if (v >= 999.95 && u < HUMAN_UNITS.length - 1) { // 1023.99 KiB would print as "1024.0 KiB"
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, HUMAN_UNITS[u]);
    }

    /** A transfer rate for people: {@code 105.3 MiB/s}; {@code -- B/s} when unknown. */
    public static String formatRate(double bytesPerSecond) {
        if (Double.isNaN(bytesPerSecond) || Double.isInfinite(bytesPerSecond) || bytesPerSecond < 0) {
            return "-- B/s";
        }
        return formatSize((long) bytesPerSecond) + "/s";
    }

    // ---- durations ----------------------------------------------------------------------------

    /** Parses a duration such as {@code 500ms}, {@code 30s} or {@code 1m30s} into milliseconds. */
    static long parseDurationMillis(String text) {
        return parseDuration(text, false);
    }

    /**
     * Parses a duration into nanoseconds; besides the units of {@link #parseDurationMillis} it
     * takes {@code us} and {@code ns} ({@code 250us}), for measurements finer than a millisecond.
     */
    static long parseDurationNanos(String text) {
        return parseDuration(text, true);
    }

    /** A duration in {@code nanos} ({@code true}) or milliseconds. */
    private static long parseDuration(String text, boolean nanos) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return 0;
        }
        String units = nanos ? "ns, us, ms, s, m, h or d" : "ms, s, m, h or d";
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration (examples: 500ms, 30s, 5m)");
        }
        long total = 0;
        int pos = 0;
        while (pos < s.length()) {
            int numEnd = pos + numberEnd(s.substring(pos));
            if (numEnd == pos) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 500ms, 30s, 5m, 1h)");
            }
            int unitEnd = numEnd;
            while (unitEnd < s.length() && Character.isLetter(s.charAt(unitEnd))) {
                unitEnd++;
            }
            String unit = s.substring(numEnd, unitEnd);
            long mult = durationUnit(unit, nanos);
            if (mult == 0) {
                throw new IllegalArgumentException(unit.isEmpty()
                        ? "'" + text + "' needs a unit (" + units + "), e.g. " + s.substring(pos, numEnd) + "s"
                        : "'" + text + "' has an unknown time unit '" + unit + "' (use " + units + ")");
            }
            long part = scale(s.substring(pos, numEnd), mult, text, "duration");
            if (Long.MAX_VALUE - total < part) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
            total += part;
            pos = unitEnd;
        }
        return total;
    }

    /** Nanoseconds or milliseconds in one {@code unit}; 0 for an unknown one. */
    private static long durationUnit(String unit, boolean nanos) {
        long perMilli = nanos ? 1_000_000 : 1;
        return switch (unit) {
            case "ns" -> nanos ? 1 : 0;
            case "us" -> nanos ? 1000 : 0;
            case "ms" -> perMilli;
            case "s" -> 1000 * perMilli;
            case "m", "min" -> 60_000 * perMilli;
            case "h" -> 3_600_000 * perMilli;
            case "d" -> 86_400_000 * perMilli;
            default -> 0;
        };
    }

    /** A duration as a config value, exact and in the largest units: {@code 5m}, {@code 1m30s}, {@code 250ms}. */
    public static String formatDurationSetting(long millis) {
        if (millis == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long[] mults = {86_400_000, 3_600_000, 60_000, 1000, 1};
        String[] names = {"d", "h", "m", "s", "ms"};
        long left = millis;
        for (int i = 0; i < mults.length; i++) {
            if (left >= mults[i]) {
                sb.append(left / mults[i]).append(names[i]);
                left %= mults[i];
            }
        }
        return sb.toString();
    }

    /**
     * A duration in nanoseconds as a config value, exact: {@code 2s}, {@code 1m30s},
     * {@code 1ms250us}.
     */
    public static String formatDurationNanosSetting(long nanos) {
        long millis = nanos / 1_000_000;
        long micros = nanos % 1_000_000 / 1000;
        long rest = nanos % 1000;
        String s = millis == 0 ? "" : formatDurationSetting(millis);
        s += micros == 0 ? "" : micros + "us";
        s += rest == 0 ? "" : rest + "ns";
        return s.isEmpty() ? "0" : s;
    }

    /** Elapsed time for people: {@code 350 ms}, {@code 27.8 s}, {@code 4:05}, {@code 1:02:03}. */
    public static String formatElapsed(long nanos) {
        long millis = Math.max(0, nanos / 1_000_000);
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return clock(millis / 1000);
    }

    /** Estimated time left: {@code 0:17}, {@code 12:05}, {@code 1:02:03}; {@code --:--} when unknown. */
    public static String formatEta(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0 || seconds > 100L * 3600 * 24) {
            return "--:--";
        }
        return clock((long) Math.ceil(seconds));
    }

    /** {@code m:ss} below an hour, {@code h:mm:ss} above. */
    private static String clock(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Index just past a leading unsigned decimal number ({@code 12}, {@code 1.5}); 0 if none. */
    private static int numberEnd(String s) {
        int i = 0;
        boolean digits = false;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
            digits = true;
        }
        if (i < s.length() && s.charAt(i) == '.') {
            int j = i + 1;
            while (j < s.length() && Character.isDigit(s.charAt(j))) {
                j++;
            }
            if (j > i + 1 && digits) {
                i = j;
            }
        }
        return digits ? i : 0;
    }

    /** {@code number × mult}, exact for integers, with overflow checked. */
    private static long scale(String number, long mult, String text, String what) {
        try {
            if (number.indexOf('.') < 0) {
                return Math.multiplyExact(Long.parseLong(number), mult);
            }
            double v = Double.parseDouble(number) * mult;
            if (v >= 0x1p63) {
                throw new ArithmeticException();
            }
            return (long) v;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a " + what);
        }
    }
}

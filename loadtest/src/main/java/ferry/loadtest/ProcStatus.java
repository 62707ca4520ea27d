package ferry.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads Linux's /proc: a process's resident set size and this process's descriptor limit. */
final class ProcStatus {
    private ProcStatus() {}

    /** VmRSS of process {@code pid} in bytes, or -1 when it cannot be read (not Linux, no such process). */
    static long rssBytes(long pid) {
        return statusKiB(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    static long statusKiB(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Clock ticks per second of /proc/PID/stat's times; 100 on every Linux configuration in use. */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    /**
     * User + system CPU time of process {@code pid} in nanoseconds (10 ms resolution), or -1.
     * Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
     */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The soft limit on open files of this process, or -1 when unknown. */
    static long maxOpenFiles() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
            for (String line : lines) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                    return parts[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

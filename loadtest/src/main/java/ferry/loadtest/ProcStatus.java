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

package ferry.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a report came from: cores, CPU model, kernel, JDK, descriptor limit. */
final class MachineInfo {
    private MachineInfo() {}

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", (long) onlineCpus());
        m.put("cpusUsable", (long) Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxOpenFiles", ProcStatus.maxOpenFiles());
        m.put("loadAverage", loadAverage());
        return m;
    }

    /** CPUs of the machine (not of this process's affinity mask, which taskset narrows). */
    static int onlineCpus() {
        try {
            int n = 0;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("processor")) {
                    n++;
                }
            }
            if (n > 0) {
                return n;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The 1, 5 and 15-minute load averages: how busy the machine was (others share it). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** One line for the Markdown report. */
    static String oneLine(Map<String, Object> m) {
        Object u = m.get("cpusUsable");
        String usable = u == null || num(u).equals(num(m.get("cpus"))) ? "" : ", " + num(u) + " usable by the load client";
        return num(m.get("cpus")) + " CPUs (" + m.get("cpuModel") + usable + "), " + m.get("kernel") + ", " + m.get("jdk")
                + (m.get("loadAverage") == null ? "" : ", load average " + m.get("loadAverage"));
    }

    private static String num(Object v) {
        return v instanceof Number ? Long.toString(Math.round(((Number) v).doubleValue())) : String.valueOf(v);
    }
}

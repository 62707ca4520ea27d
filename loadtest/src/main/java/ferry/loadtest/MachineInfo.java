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
        m.put("cpus", (long) Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxOpenFiles", ProcStatus.maxOpenFiles());
        return m;
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
    static String oneLine() {
        Map<String, Object> m = describe();
        return m.get("cpus") + " CPUs (" + m.get("cpuModel") + "), " + m.get("kernel") + ", " + m.get("jdk");
    }
}

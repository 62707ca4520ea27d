package ferry.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Everything one invocation measured: for each setting, its runs and their medians. What the
 * writers ({@link MarkdownReport}, {@link CsvReport}, {@link JsonReport}, {@link SvgChart}) read.
 */
public final class Report {
    /** One setting: its runs in order and the summary of them. */
    public record Column(Variant variant, List<RunResult> runs, RunResult summary) {}

    private final String title;
    private final Options options;
    private final List<Column> columns = new ArrayList<>();
    private final Map<String, Object> machine;

    /** A report of runs on this machine (described now, before the load changes the load average). */
    public Report(String title, Options options) {
        this(title, options, MachineInfo.describe());
    }

    /** A report read back from a file, with the machine it was measured on. */
    public Report(String title, Options options, Map<String, Object> machine) {
        this.title = title;
        this.options = options;
        this.machine = machine;
    }

    /** The machine the runs came from (see {@link MachineInfo#describe()}). */
    public Map<String, Object> machine() {
        return machine;
    }

    public void add(Variant v, List<RunResult> runs) {
        columns.add(new Column(v, List.copyOf(runs), runs.size() == 1 ? runs.get(0) : RunResult.median(runs)));
    }

    public String title() {
        return title;
    }

    public Options options() {
        return options;
    }

    public List<Column> columns() {
        return Collections.unmodifiableList(columns);
    }
}

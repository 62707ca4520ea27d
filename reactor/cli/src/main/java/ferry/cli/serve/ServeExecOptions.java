package ferry.cli.serve;

import static ferry.cli.serve.ServeOptions.MAX_MILLIS;
import static ferry.cli.serve.ServeOptions.intOption;
import static ferry.cli.serve.ServeOptions.sizeOption;

import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.services.exec.ExecConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code exec-*} rows of the {@link ServeOptions} table: every {@link ExecConfig} setting, each
 * applied to the exec service's builder and read back from the built configuration.
 */
final class ServeExecOptions {
    private static final String G_EXEC = "remote commands (exec; off unless allowed)";
    /** ExecConfig's bound for the kill grace: one hour. */
    private static final long MAX_KILL_GRACE_MILLIS = 3_600_000;

    private ServeExecOptions() {}

    static void register(ServeOptions t) {
        registerRunLimits(t);
        registerEnvironmentAndStreams(t);
    }

    /** Which commands may run, how many at once, for how long. */
    private static void registerRunLimits(ServeOptions t) {
        t.add(Option.list("exec-allow", "CMD,...", "commands clients may run, e.g. ls,df,uptime (repeatable)").group(G_EXEC),
                null, (s, v) -> s.exec().setAllowed(v), (s, c) -> new ArrayList<>(s.exec().allowed()), false);
        t.add(Option.toggle("exec-allow-all", false, "let clients with the exec right run any command (trusted admins only)")
                        .group(G_EXEC),
                null, (s, v) -> s.exec().setAllowAll(v), (s, c) -> s.exec().allowAll(), false);
        t.add(Option.toggle("exec-shell", false, "also accept shell command lines (sh -c), not only argument lists").group(G_EXEC),
                null, (s, v) -> s.exec().setShell(v), (s, c) -> s.exec().shell(), false);
        t.add(intOption("exec-max-running", "commands running at once; one more is answered busy", 1, 4096, G_EXEC),
                "maxRunning", (s, v) -> s.execConfig.maxRunning(v), (s, c) -> s.execSettings().maxRunning(), false);
        t.add(intOption("exec-max-running-per-user", "commands one user runs at once (0: no per-user limit; "
                        + "'ferry user set --max-exec' sets a user's own); one more is answered busy", 0, 4096, G_EXEC),
                "maxRunningPerUser", (s, v) -> s.execConfig.maxRunningPerUser(v),
                (s, c) -> s.execSettings().maxRunningPerUser(), false);
        t.add(Option.value("exec-max-output", "SIZE", ServeTypes.sizeOrUnlimited(1), null,
                        "stdout plus stderr of one run; past it the command is stopped (the client is told)").group(G_EXEC),
                "maxOutputBytes", (s, v) -> s.execConfig.maxOutputBytes(v), (s, c) -> s.execSettings().maxOutputBytes(), false);
        t.add(Option.value("exec-timeout", "DURATION", ValueType.duration(1, MAX_MILLIS), null,
                        "time limit of a run that asks for none").group(G_EXEC),
                "defaultTimeoutMillis", (s, v) -> s.execConfig.defaultTimeoutMillis(v),
                (s, c) -> s.execSettings().defaultTimeoutMillis(), false);
        t.add(Option.value("exec-max-timeout", "DURATION", ValueType.duration(1, MAX_MILLIS), null,
                        "the longest time limit a client may ask for").group(G_EXEC),
                "maxTimeoutMillis", (s, v) -> s.execConfig.maxTimeoutMillis(v), (s, c) -> s.execSettings().maxTimeoutMillis(),
                false);
        t.add(Option.value("exec-kill-grace", "DURATION", ValueType.duration(0, MAX_KILL_GRACE_MILLIS), null,
                        "between SIGTERM and SIGKILL when a run is stopped").group(G_EXEC),
                "killGraceMillis", (s, v) -> s.execConfig.killGraceMillis(v), (s, c) -> s.execSettings().killGraceMillis(),
                false);
    }

    /** Environment, search path, shell, process groups and output flow. */
    private static void registerEnvironmentAndStreams(ServeOptions t) {
        t.add(Option.value("exec-env-allow", "NAME,...", ValueType.list(), null,
                        "environment variables a client may set (loader and interpreter variables are always refused)")
                        .group(G_EXEC),
                "envAllow", (s, v) -> s.execConfig.envAllow(v), (s, c) -> sorted(s.execSettings().envAllow()), false);
        t.add(Option.value("exec-inherit-env", "NAME,...", ValueType.list(), null,
                        "variables copied from the server's own environment into every command's").group(G_EXEC),
                "inheritedEnv", (s, v) -> s.execConfig.inheritedEnv(v), (s, c) -> sorted(s.execSettings().inheritedEnv()),
                false);
        t.add(Option.value("exec-search-path", "DIR:...", ValueType.text(), null,
                        "where bare command names are looked up (never the client's PATH)").group(G_EXEC),
                "searchPath", (s, v) -> s.execConfig.searchPath(v), (s, c) -> joinPath(s.execSettings().searchPath()), false);
        t.add(Option.value("exec-shell-path", "FILE", ValueType.text(), null,
                        "the shell that runs shell command lines (with --exec-shell)").group(G_EXEC),
                "shell", (s, v) -> s.execConfig.shell(v), (s, c) -> s.execSettings().shell(), false);
        t.add(Option.toggle("exec-process-groups", ExecConfig.DEFAULT_PROCESS_GROUPS,
                        "run each command in its own process group, so a stop reaches its children").group(G_EXEC),
                "processGroups", (s, v) -> s.execConfig.processGroups(v), (s, c) -> s.execSettings().processGroups(), false);
        t.add(sizeOption("exec-chunk", "largest output frame (one read from a command's pipe)", 512, 16 * Units.MIB, G_EXEC),
                "chunkBytes", (s, v) -> s.execConfig.chunkBytes(v.intValue()), (s, c) -> (long) s.execSettings().chunkBytes(),
                false);
        t.add(intOption("exec-chunks-in-flight", "output frames per stream on their way to a client before the command "
                        + "is made to wait", 1, 64, G_EXEC),
                "chunksInFlight", (s, v) -> s.execConfig.chunksInFlight(v), (s, c) -> s.execSettings().chunksInFlight(), false);
        t.add(sizeOption("exec-stdin-high-water", "stdin queued for a command before the connection stops being read",
                        1, 1L << 40, G_EXEC),
                "stdinHighWaterBytes", (s, v) -> s.execConfig.stdinHighWaterBytes(v),
                (s, c) -> s.execSettings().stdinHighWaterBytes(), false);
        t.add(sizeOption("exec-stdin-low-water", "...and resumes once the command has taken it down to this",
                        0, 1L << 40, G_EXEC),
                "stdinLowWaterBytes", (s, v) -> s.execConfig.stdinLowWaterBytes(v),
                (s, c) -> s.execSettings().stdinLowWaterBytes(), false);
        t.add(Option.value("exec-death-check", "DURATION", ValueType.duration(1, 10_000), null,
                        "how often a stopped run checks that its processes are gone").group(G_EXEC),
                "deathCheckMillis", (s, v) -> s.execConfig.deathCheckMillis(v), (s, c) -> s.execSettings().deathCheckMillis(),
                false);
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    private static String joinPath(List<Path> dirs) {
        StringBuilder sb = new StringBuilder();
        for (Path d : dirs) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(d);
        }
        return sb.toString();
    }
}

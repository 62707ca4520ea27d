package ferry.protocol;

/**
 * Op, answer and field names of running a command (docs/PROTOCOL.md, "Exec"), shared by the
 * server and the client so the two cannot drift apart.
 */
public final class ExecProtocol {
    /** The word HELLO lists when the exec service is installed (enabled or not). */
    public static final String FEATURE = "exec";

    /** The request; its body, if any, is the command's stdin. */
    public static final String EXEC = "EXEC";
    // ---- answers, in order: output frames, then one EXIT
    public static final String STDOUT = "STDOUT";
    public static final String STDERR = "STDERR";
    public static final String EXIT = "EXIT";

    // ---- request fields
    public static final String ARGV = "argv";
    public static final String SHELL = "shell";
    public static final String CWD = "cwd";
    public static final String ENV = "env";
    public static final String TIMEOUT_MS = "timeoutMs";

    // ---- EXIT fields
    public static final String EXIT_CODE = "exitCode";
    public static final String DURATION_MS = "durationMs";
    public static final String KILLED = "killed";
    public static final String REASON = "reason";

    // ---- EXIT reasons: why a run was stopped or its output cut
    public static final String REASON_TIMEOUT = "timeout";
    public static final String REASON_OUTPUT_CAP = "output_cap";
    public static final String REASON_CANCELLED = "cancelled";

    private ExecProtocol() {}
}

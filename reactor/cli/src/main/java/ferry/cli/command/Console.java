package ferry.cli.command;

import ferry.client.CredentialsResolver;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The command's view of its terminal: the three standard streams, the environment, whether
 * stdout and stdin are terminals, the terminal's width, and how talkative to be.
 *
 * <p>Java cannot ask {@code isatty(1)} reliably ({@code System.console()} is null as soon as
 * either stdin or stdout is redirected), so the launcher {@code bin/ferry} tests {@code [ -t 1 ]}
 * and {@code [ -t 0 ]} and exports {@value #STDOUT_TTY_ENV} and {@value #STDIN_TTY_ENV} as
 * {@code 1} or {@code 0}. Without the launcher (an IDE, {@code java -jar}), both count as not a
 * terminal: the quiet, script-friendly choice.
 *
 * <p>Questions to a person (a password, a user name) go through {@link #prompter()}: the
 * terminal without echo ({@link TerminalPrompter}) when stdin is one, else none, so scripts never
 * hang on a prompt. Tests pass their own.
 *
 * <p>Thread safety: configured once by {@code Cli} before a command runs; read-only afterwards.
 * The streams themselves are thread-safe PrintStreams.
 */
public final class Console {
    static final String STDOUT_TTY_ENV = "FERRY_STDOUT_TTY";
    static final String STDIN_TTY_ENV = "FERRY_STDIN_TTY";
    /** Terminal width when {@code COLUMNS} is unset or invalid. */
    static final int DEFAULT_COLUMNS = 80;
    /** Narrower than this and progress lines stop making sense; treated as this wide. */
    public static final int MIN_COLUMNS = 20;

    public enum Verbosity { QUIET, NORMAL, VERBOSE }

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final CredentialsResolver.Prompter prompter;
    private Verbosity verbosity = Verbosity.NORMAL;
    private boolean debug;
    private boolean progressAllowed = true;

    public Console(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this(out, err, in, env, null);
    }

    /**
     * @param prompter who answers prompts; null for the terminal when stdin is one (see
     *                 {@link #prompter()})
     */
    public Console(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
            CredentialsResolver.Prompter prompter) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = Map.copyOf(env);
        this.prompter = prompter;
    }

    /** The process's own streams and environment. */
    public static Console system() {
        return new Console(System.out, System.err, System.in, System.getenv());
    }

    public PrintStream out() { return out; }
    public PrintStream err() { return err; }
    public InputStream in() { return in; }

    public String env(String name) {
        return env.get(name);
    }

    /** The whole environment (for {@link CredentialsResolver}). */
    public Map<String, String> environment() {
        return env;
    }

    /**
     * Who answers a prompt: the one given at construction, else the terminal (echo off for
     * passwords) when stdin is a terminal, else null: no one to ask.
     */
    public CredentialsResolver.Prompter prompter() {
        if (prompter != null) {
            return prompter;
        }
        return stdinIsTerminal() ? new TerminalPrompter() : null;
    }

    public boolean stdoutIsTerminal() {
        return "1".equals(env.get(STDOUT_TTY_ENV));
    }

    public boolean stdinIsTerminal() {
        return "1".equals(env.get(STDIN_TTY_ENV));
    }

    /**
     * The terminal's width from {@code COLUMNS} (the launcher exports it), else
     * {@value #DEFAULT_COLUMNS}; also for 0, which a terminal that does not know its size reports.
     */
    public int columns() {
        String c = env.get("COLUMNS");
        if (c != null) {
            try {
                int n = Integer.parseInt(c.trim());
                return n <= 0 ? DEFAULT_COLUMNS : Math.max(MIN_COLUMNS, n);
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return DEFAULT_COLUMNS;
    }

    Verbosity verbosity() { return verbosity; }
    public boolean quiet() { return verbosity == Verbosity.QUIET; }
    public boolean verbose() { return verbosity == Verbosity.VERBOSE; }
    public boolean debug() { return debug; }

    /** Progress bars: on a terminal, unless {@code --no-progress} or {@code --quiet}. */
    public boolean progressBars() {
        return progressAllowed && !quiet() && stdoutIsTerminal();
    }

    /**
     * Final transfer summaries: on a terminal unless {@code --quiet}; when stdout is not a
     * terminal only with {@code --verbose} (scripts and logs get silence on success, like cp).
     */
    public boolean summaries() {
        return !quiet() && (stdoutIsTerminal() || verbose());
    }

    public void setVerbosity(Verbosity v) { this.verbosity = v; }
    public void setDebug(boolean v) { this.debug = v; }
    public void setProgressAllowed(boolean v) { this.progressAllowed = v; }

    /** A detail line on stderr, shown only with {@code --verbose}. */
    public void detail(String line) {
        if (verbose()) {
            err.println(line);
        }
    }
}

package ferry.services.exec;

import static ferry.reactor.ConfigCheck.range;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every setting of the exec service, with a named default for each. Immutable; build with
 * {@link #builder(Path)}. Exec is off unless {@link Builder#policy} enables it.
 */
public final class ExecConfig {
    /** Commands running at once; one more is answered {@code ERROR busy}. Each run holds 2-3 threads. */
    public static final int DEFAULT_MAX_RUNNING = 8;
    /**
     * Commands one user runs at once, unless the user store gives them a limit of their own (0: no
     * per-user limit): half the slots, so one user cannot hold every one of them.
     */
    public static final int DEFAULT_MAX_RUNNING_PER_USER = 4;
    /** stdout plus stderr of one run; past it the process tree is stopped ({@code reason: "output_cap"}). */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 256L * 1024 * 1024;
    /** Used when a request has no {@code timeoutMs}. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
    /** The largest {@code timeoutMs} a request may ask for. */
    public static final long DEFAULT_MAX_TIMEOUT_MILLIS = 60 * 60_000;
    /** Between SIGTERM and SIGKILL, and again before giving up on a process that does not die. */
    public static final long DEFAULT_KILL_GRACE_MILLIS = 2_000;
    /** Largest read from a process pipe, hence largest STDOUT/STDERR frame body. */
    public static final int DEFAULT_CHUNK_BYTES = 16 * 1024;
    /**
     * Chunks per stream that may be on their way to the socket. A chunk's credit comes back only
     * once the connection drained below its low-water mark, so a client that does not read stops
     * the process after (high water + this many chunks) of output.
     */
    public static final int DEFAULT_CHUNKS_IN_FLIGHT = 2;
    /** stdin bytes queued for the process before the connection stops being read... */
    public static final long DEFAULT_STDIN_HIGH_WATER_BYTES = 256 * 1024;
    /** ...until the process has taken them down to this. */
    public static final long DEFAULT_STDIN_LOW_WATER_BYTES = 64 * 1024;
    /** Where bare command names are looked up (the client's PATH is never used). */
    public static final String DEFAULT_SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The shell for {@code shell} requests, run as {@code sh -c STRING}. */
    public static final String DEFAULT_SHELL = "/bin/sh";
    /** Environment variables a request may set: locale and terminal only. */
    public static final Set<String> DEFAULT_ENV_ALLOW =
            Set.of("LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TERM", "COLUMNS", "LINES");
    /** Copied from the server's own environment when set; nothing else of it reaches commands. */
    public static final Set<String> DEFAULT_INHERITED_ENV = Set.of("LANG", "LC_ALL", "LC_CTYPE", "TZ");
    /** Run each command in its own session and process group (via setsid) so kills reach orphans. */
    public static final boolean DEFAULT_PROCESS_GROUPS = true;
    /** How often a stopped run checks that its processes are gone before it reports EXIT. */
    public static final long DEFAULT_DEATH_CHECK_MILLIS = 10;

    /**
     * Names a request may never set whatever the allowlist says: they make the dynamic loader, the
     * shell or an interpreter run code of the caller's choosing inside an allowed command.
     */
    static final Set<String> FORBIDDEN_ENV = Set.of("PATH", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS",
            "PS4", "GCONV_PATH", "LOCPATH", "NLSPATH", "GLIBC_TUNABLES", "HOSTALIASES", "RESOLV_HOST_CONF",
            "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PERL5LIB", "PERL5OPT", "PERLLIB", "RUBYLIB", "RUBYOPT",
            "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH",
            "HOME", "SHELL", "FERRY_USER");
    private static final List<String> FORBIDDEN_ENV_PREFIXES = List.of("LD_", "DYLD_", "BASH_FUNC_", "MALLOC_");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path root;
    private final ExecPolicy policy;
    private final int maxRunning;
    private final int maxRunningPerUser;
    private final long maxOutputBytes;
    private final long defaultTimeoutMillis;
    private final long maxTimeoutMillis;
    private final long killGraceMillis;
    private final int chunkBytes;
    private final int chunksInFlight;
    private final long stdinHighWaterBytes;
    private final long stdinLowWaterBytes;
    private final List<Path> searchPath;
    private final String shell;
    private final Set<String> envAllow;
    private final Set<String> inheritedEnv;
    private final boolean processGroups;
    private final boolean namedPipes;
    private final long deathCheckMillis;

    private ExecConfig(Builder b) {
        this.root = b.root;
        this.policy = b.policy;
        this.maxRunning = b.maxRunning;
        this.maxRunningPerUser = b.maxRunningPerUser;
        this.maxOutputBytes = b.maxOutputBytes;
        this.defaultTimeoutMillis = b.defaultTimeoutMillis;
        this.maxTimeoutMillis = b.maxTimeoutMillis;
        this.killGraceMillis = b.killGraceMillis;
        this.chunkBytes = b.chunkBytes;
        this.chunksInFlight = b.chunksInFlight;
        this.stdinHighWaterBytes = b.stdinHighWaterBytes;
        this.stdinLowWaterBytes = b.stdinLowWaterBytes;
        this.searchPath = List.copyOf(b.searchPath);
        this.shell = b.shell;
        this.envAllow = Collections.unmodifiableSet(new LinkedHashSet<>(b.envAllow));
        this.inheritedEnv = Collections.unmodifiableSet(new LinkedHashSet<>(b.inheritedEnv));
        this.processGroups = b.processGroups;
        this.namedPipes = b.namedPipes;
        this.deathCheckMillis = b.deathCheckMillis;
    }

    /**
     * A builder with every default and exec disabled.
     *
     * @param root the server's root folder; a user runs commands in root + their home folder
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** The server root: users' working folders are inside {@code root/home}. */
    public Path root() { return root; }
    public ExecPolicy policy() { return policy; }
    public int maxRunning() { return maxRunning; }
    /** Commands one user without a limit of their own runs at once; 0: no per-user limit. */
    public int maxRunningPerUser() { return maxRunningPerUser; }
    public long maxOutputBytes() { return maxOutputBytes; }
    public long defaultTimeoutMillis() { return defaultTimeoutMillis; }
    public long maxTimeoutMillis() { return maxTimeoutMillis; }
    public long killGraceMillis() { return killGraceMillis; }
    public int chunkBytes() { return chunkBytes; }
    public int chunksInFlight() { return chunksInFlight; }
    public long stdinHighWaterBytes() { return stdinHighWaterBytes; }
    public long stdinLowWaterBytes() { return stdinLowWaterBytes; }
    public List<Path> searchPath() { return searchPath; }
    public String shell() { return shell; }
    public Set<String> envAllow() { return envAllow; }
    public Set<String> inheritedEnv() { return inheritedEnv; }
    public boolean processGroups() { return processGroups; }
    /** Whether runs use FIFOs the server can close ({@link RunPipes}); off only in tests of the JDK-pipe fallback. */
    boolean namedPipes() { return namedPipes; }
    public long deathCheckMillis() { return deathCheckMillis; }

    /** The search path as a {@code PATH} value for commands. */
    String searchPathString() {
        StringBuilder sb = new StringBuilder();
        for (Path p : searchPath) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    /** Why {@code name} may never be set by a request, or null if it may be allowlisted. */
    static String forbiddenEnvReason(String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            return "not a valid variable name";
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (FORBIDDEN_ENV.contains(upper)) {
            return "it changes which code runs or who the command runs as";
        }
        for (String prefix : FORBIDDEN_ENV_PREFIXES) {
            if (upper.startsWith(prefix)) {
                return "variables starting with " + prefix + " change which code runs";
            }
        }
        return null;
    }

    /** Builder; every setter validates its argument. */
    public static final class Builder {
        private Path root;
        private ExecPolicy policy = ExecPolicy.DISABLED;
        private int maxRunning = DEFAULT_MAX_RUNNING;
        private int maxRunningPerUser = DEFAULT_MAX_RUNNING_PER_USER;
        private long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private long defaultTimeoutMillis = DEFAULT_TIMEOUT_MILLIS;
        private long maxTimeoutMillis = DEFAULT_MAX_TIMEOUT_MILLIS;
        private long killGraceMillis = DEFAULT_KILL_GRACE_MILLIS;
        private int chunkBytes = DEFAULT_CHUNK_BYTES;
        private int chunksInFlight = DEFAULT_CHUNKS_IN_FLIGHT;
        private long stdinHighWaterBytes = DEFAULT_STDIN_HIGH_WATER_BYTES;
        private long stdinLowWaterBytes = DEFAULT_STDIN_LOW_WATER_BYTES;
        private List<Path> searchPath = parseSearchPath(DEFAULT_SEARCH_PATH);
        private String shell = DEFAULT_SHELL;
        private Set<String> envAllow = new LinkedHashSet<>(DEFAULT_ENV_ALLOW);
        private Set<String> inheritedEnv = new LinkedHashSet<>(DEFAULT_INHERITED_ENV);
        private boolean processGroups = DEFAULT_PROCESS_GROUPS;
        private boolean namedPipes = true;
        private long deathCheckMillis = DEFAULT_DEATH_CHECK_MILLIS;

        Builder(Path root) {
            root(root);
        }

        public Builder root(Path v) {
            if (v == null) {
                throw new IllegalArgumentException("exec root must not be null");
            }
            root = v.toAbsolutePath().normalize();
            return this;
        }

        public Builder policy(ExecPolicy v) {
            if (v == null) {
                throw new IllegalArgumentException("exec policy must not be null");
            }
            policy = v;
            return this;
        }

        public Builder maxRunning(int v) { maxRunning = range(v, 1, 4096, "exec maxRunning"); return this; }
        public Builder maxRunningPerUser(int v) { maxRunningPerUser = range(v, 0, 4096, "exec maxRunningPerUser"); return this; }
        public Builder maxOutputBytes(long v) { maxOutputBytes = range(v, 1, Long.MAX_VALUE, "exec maxOutputBytes"); return this; }
        public Builder defaultTimeoutMillis(long v) { defaultTimeoutMillis = range(v, 1, Long.MAX_VALUE / 1_000_000, "exec defaultTimeoutMillis"); return this; }
        public Builder maxTimeoutMillis(long v) { maxTimeoutMillis = range(v, 1, Long.MAX_VALUE / 1_000_000, "exec maxTimeoutMillis"); return this; }
        public Builder killGraceMillis(long v) { killGraceMillis = range(v, 0, 3_600_000, "exec killGraceMillis"); return this; }
        public Builder chunkBytes(int v) { chunkBytes = range(v, 512, 16 << 20, "exec chunkBytes"); return this; }
        public Builder chunksInFlight(int v) { chunksInFlight = range(v, 1, 64, "exec chunksInFlight"); return this; }
        public Builder stdinHighWaterBytes(long v) { stdinHighWaterBytes = range(v, 1, 1L << 40, "exec stdinHighWaterBytes"); return this; }
        public Builder stdinLowWaterBytes(long v) { stdinLowWaterBytes = range(v, 0, 1L << 40, "exec stdinLowWaterBytes"); return this; }
        public Builder deathCheckMillis(long v) { deathCheckMillis = range(v, 1, 10_000, "exec deathCheckMillis"); return this; }
        public Builder processGroups(boolean v) { processGroups = v; return this; }
        /** Package-private: tests turn FIFOs off to exercise the fallback used where {@code mkfifo} is missing. */
        Builder namedPipes(boolean v) { namedPipes = v; return this; }

        /** A {@code PATH}-style list of absolute folders where bare command names are looked up. */
        public Builder searchPath(String v) {
            searchPath = parseSearchPath(v);
            return this;
        }

        public Builder shell(String v) {
            if (v == null || !Path.of(v).isAbsolute()) {
                throw new IllegalArgumentException("exec shell must be an absolute path: " + v);
            }
            shell = v;
            return this;
        }

        /** Environment names a request may set (replaces the default list). */
        public Builder envAllow(Collection<String> names) {
            Set<String> s = new LinkedHashSet<>();
            for (String n : names) {
                String why = forbiddenEnvReason(n);
                if (why != null) {
                    throw new IllegalArgumentException("exec env allowlist may not contain " + n + ": " + why);
                }
                s.add(n);
            }
            envAllow = s;
            return this;
        }

        /** Names copied from the server's environment into every command's (replaces the default list). */
        public Builder inheritedEnv(Collection<String> names) {
            Set<String> s = new LinkedHashSet<>();
            for (String n : names) {
                if (!ENV_NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("not a valid variable name: " + n);
                }
                s.add(n);
            }
            inheritedEnv = s;
            return this;
        }

        public ExecConfig build() {
            if (stdinLowWaterBytes > stdinHighWaterBytes) {
                throw new IllegalArgumentException("exec stdinLowWaterBytes " + stdinLowWaterBytes
                        + " exceeds stdinHighWaterBytes " + stdinHighWaterBytes);
            }
            if (defaultTimeoutMillis > maxTimeoutMillis) {
                throw new IllegalArgumentException("exec defaultTimeoutMillis " + defaultTimeoutMillis
                        + " exceeds maxTimeoutMillis " + maxTimeoutMillis);
            }
            return new ExecConfig(this);
        }

        private static List<Path> parseSearchPath(String v) {
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("exec search path must not be empty");
            }
            List<Path> dirs = new ArrayList<>();
            for (String d : v.split(":")) {
                if (d.isEmpty()) {
                    continue; // an empty PATH entry means "." to a shell: never here
                }
                Path p = Path.of(d);
                if (!p.isAbsolute()) {
                    throw new IllegalArgumentException("exec search path entries must be absolute folders: " + d);
                }
                dirs.add(p.normalize());
            }
            if (dirs.isEmpty()) {
                throw new IllegalArgumentException("exec search path has no folders: " + v);
            }
            return dirs;
        }
    }
}

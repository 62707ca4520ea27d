package ferry.client;

import ferry.protocol.ExecProtocol;
import ferry.protocol.Header;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to run remotely: an argument vector (no shell; the default) or a shell string (only where
 * the server enabled shell mode), plus optional working folder, environment additions, time limit
 * and stdin. Build with {@link #argv} or {@link #shell}, then the fluent setters.
 *
 * <p>Thread safety: none; build on one thread, then hand to {@link ExecClient#run}.
 */
public final class ExecRequest {
    private final List<String> argv;
    private final String shell;
    private String cwd;
    private final Map<String, String> env = new LinkedHashMap<>();
    private long timeoutMillis;
    private InputStream stdin;
    private long stdinBytes;

    private ExecRequest(List<String> argv, String shell) {
        this.argv = argv;
        this.shell = shell;
    }

    /** Runs {@code argv[0]} with the other words as its arguments, with no shell in between. */
    public static ExecRequest argv(List<String> argv) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name a command");
        }
        return new ExecRequest(Collections.unmodifiableList(new ArrayList<>(argv)), null);
    }

    public static ExecRequest argv(String... argv) {
        return argv(List.of(argv));
    }

    /** Runs {@code command} with the server's shell ({@code sh -c}); the server must allow shell mode. */
    public static ExecRequest shell(String command) {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("shell command must not be empty");
        }
        return new ExecRequest(null, command);
    }

    /** The working folder, inside the user's folder on the server. */
    public ExecRequest cwd(String folder) {
        this.cwd = folder;
        return this;
    }

    /** Adds an environment variable (the server accepts only names on its allowlist). */
    public ExecRequest env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The run's time limit; 0 (the default) uses the server's. */
    public ExecRequest timeoutMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout must not be negative: " + millis);
        }
        this.timeoutMillis = millis;
        return this;
    }

    /** Feeds {@code bytes} to the command's stdin. */
    public ExecRequest stdin(byte[] bytes) {
        return stdin(new ByteArrayInputStream(bytes), bytes.length);
    }

    /**
     * Feeds exactly {@code size} bytes of {@code in} to the command's stdin (the request frame
     * announces its size, so it must be known: spool a pipe to a file first). Without stdin the
     * command reads end-of-file at once.
     */
    public ExecRequest stdin(InputStream in, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("stdin size must not be negative: " + size);
        }
        this.stdin = in;
        this.stdinBytes = size;
        return this;
    }

    public List<String> argv() {
        return argv;
    }

    public String shell() {
        return shell;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    InputStream stdin() {
        return stdin;
    }

    long stdinBytes() {
        return stdin == null ? 0 : stdinBytes;
    }

    /** The EXEC header (without id and size). */
    Header toHeader() {
        Header h = Header.op(ExecProtocol.EXEC);
        if (argv != null) {
            h.put(ExecProtocol.ARGV, new ArrayList<Object>(argv));
        } else {
            h.put(ExecProtocol.SHELL, shell);
        }
        if (cwd != null) {
            h.put(ExecProtocol.CWD, cwd);
        }
        if (!env.isEmpty()) {
            h.put(ExecProtocol.ENV, new LinkedHashMap<String, Object>(env));
        }
        if (timeoutMillis > 0) {
            h.put(ExecProtocol.TIMEOUT_MS, timeoutMillis);
        }
        return h;
    }

    @Override
    public String toString() {
        return toHeader().toString();
    }
}

package ferry.services.exec;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import ferry.reactor.OpException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code EXEC} request, checked: what to run, where, with which environment additions, for
 * how long. Parsing is pure (no disk), so it runs on the event loop and bad requests are refused
 * before a slot or a thread is taken. The disk-dependent checks (the executable, the working
 * folder) happen on the run's worker.
 *
 * @param argv the argument vector as requested, or null for a shell request
 * @param shell the shell string, or null for an argv request
 * @param cwd the requested working folder inside the user's folder, or null for the folder itself
 * @param env the environment additions, all allowlisted
 * @param timeoutMillis the run's time limit
 * @param stdinBytes the request body's size: bytes to feed the command's stdin
 */
record ExecSpec(List<String> argv, String shell, String cwd, Map<String, String> env, long timeoutMillis,
                long stdinBytes) {

    /** Characters no real command name contains and every shell command line does. */
    private static final String SHELL_SYNTAX = " \t\n\r;|&<>$`()*?[]{}~'\"\\!#=";

    /**
     * Checks a request against {@code config}: types, shell mode, argv[0] against the policy's
     * disk-free rules, env names against the allowlist, cwd without '..', timeout within bounds.
     */
    static ExecSpec parse(Header h, ExecConfig config) throws OpException, ProtocolException {
        List<Object> argvField = h.optList("argv");
        String shell = h.optString("shell");
        if (argvField != null && shell != null) {
            throw OpException.badRequest("send either \"argv\" or \"shell\", not both");
        }
        if (argvField == null && shell == null) {
            throw OpException.badRequest("EXEC needs \"argv\" (an array of strings) or \"shell\" (a string)");
        }
        List<String> argv = null;
        if (shell != null) {
            if (!config.policy().allowsShell()) {
                throw OpException.forbidden("shell mode is disabled on this server: send \"argv\" as an array of words");
            }
            if (shell.isEmpty()) {
                throw OpException.badRequest("\"shell\" is empty");
            }
            noNul(shell, "shell");
        } else {
            argv = parseArgv(argvField, config.policy());
            config.policy().precheck(argv.get(0));
        }
        String cwd = h.optString("cwd");
        if (cwd != null) {
            checkCwd(cwd);
        }
        Map<String, String> env = parseEnv(h.optObject("env"), config);
        long timeout = h.optLong("timeoutMs", config.defaultTimeoutMillis());
        if (timeout <= 0) {
            throw OpException.badRequest("\"timeoutMs\" must be positive: " + timeout);
        }
        if (timeout > config.maxTimeoutMillis()) {
            throw new OpException(ErrorCode.TOO_LARGE, "\"timeoutMs\" " + timeout + " exceeds this server's limit of "
                    + config.maxTimeoutMillis() + " ms");
        }
        return new ExecSpec(argv, shell, cwd, env, timeout, h.size());
    }

    private static List<String> parseArgv(List<Object> field, ExecPolicy policy) throws OpException {
        if (field.isEmpty()) {
            throw OpException.badRequest("\"argv\" is empty: argv[0] is the command");
        }
        List<String> argv = new ArrayList<>(field.size());
        for (int i = 0; i < field.size(); i++) {
            Object o = field.get(i);
            if (!(o instanceof String)) {
                throw OpException.badRequest("argv[" + i + "] must be a string");
            }
            String s = (String) o;
            noNul(s, "argv[" + i + "]");
            argv.add(s);
        }
        String cmd = argv.get(0);
        if (cmd.isEmpty()) {
            throw OpException.badRequest("argv[0] is empty");
        }
        for (int i = 0; i < cmd.length(); i++) {
            if (SHELL_SYNTAX.indexOf(cmd.charAt(i)) >= 0) {
                throw OpException.badRequest("argv[0] \"" + cmd + "\" looks like a shell command line; argv is run without a"
                        + " shell, so send each word as its own element"
                        + (policy.allowsShell() ? " or send the line as \"shell\"" : " (shell mode is disabled on this server)"));
            }
        }
        return Collections.unmodifiableList(argv);
    }

    /** Lexical checks; confinement against symlinks happens on the worker (see WorkingFolder). */
    private static void checkCwd(String cwd) throws OpException {
        noNul(cwd, "cwd");
        for (String seg : cwd.split("/", -1)) {
            if (seg.equals("..")) {
                throw OpException.forbidden("\"cwd\" may not contain '..': it is a folder inside your own folder");
            }
        }
    }

    private static Map<String, String> parseEnv(Map<String, Object> field, ExecConfig config) throws OpException {
        if (field == null || field.isEmpty()) {
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : field.entrySet()) {
            String name = e.getKey();
            if (!(e.getValue() instanceof String)) {
                throw OpException.badRequest("env value of " + name + " must be a string");
            }
            if (!config.envAllow().contains(name)) {
                throw OpException.forbidden("env variable " + name + " may not be set on this server (allowed: "
                        + String.join(", ", config.envAllow()) + ")");
            }
            String value = (String) e.getValue();
            noNul(value, "env " + name);
            env.put(name, value);
        }
        return Collections.unmodifiableMap(env);
    }

    private static void noNul(String s, String what) throws OpException {
        if (s.indexOf('\0') >= 0) {
            throw OpException.badRequest(what + " contains a NUL character");
        }
    }

    /** What the log shows as the command: argv as JSON, or the shell string. */
    String describe() {
        return argv != null ? Json.write(argv) : "shell " + Json.write(shell);
    }
}

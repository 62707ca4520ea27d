package ferry.services.exec;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which commands an operator lets users run: nothing (the default), an allowlist, or everything
 * (for trusted admins), and whether shell strings are accepted. Immutable and thread-safe.
 *
 * <h2>The allowlist rule</h2>
 *
 * An entry is a bare command name ({@code ls}) or an absolute path ({@code /opt/backup/run}).
 * A request's {@code argv[0]} is allowed when:
 *
 * <ul>
 *   <li>it is a bare name (no '/') that is on the list, or whose absolute entry has that basename;
 *       it is then looked up on the <em>server's</em> search path ({@link ExecConfig#searchPath()},
 *       never the client's environment, never the working folder), and the file found must be
 *       an allowed one; or
 *   <li>it is an absolute path naming exactly an allowed file: an absolute entry, or the file a
 *       bare entry resolves to on the search path.
 * </ul>
 *
 * "Naming exactly" compares paths after resolving the symlinks of the <em>folders</em> but not of
 * the file itself: {@code /bin/ls} matches {@code /usr/bin/ls} where {@code /bin} links to
 * {@code /usr/bin}, but {@code /bin/rm} never matches {@code ls} even when both are links to one
 * multi-call binary (busybox picks what to do from its name). Paths with a '/' that are not
 * absolute ({@code ./ls}, {@code bin/ls}) are refused: they name a file in the working folder,
 * which is inside the user's folder, where the user may have uploaded anything. An absolute path
 * somewhere else ({@code /tmp/evil/ls}) is refused whatever its basename. What runs is the
 * resolved absolute path, so the checked file is the executed file (folders on the search path
 * are the operator's: someone who can write there can replace the binary anyway).
 *
 * <p>Shell mode needs allow-all: a shell string can run any command, so an allowlist next to it
 * would only look like protection.
 */
public final class ExecPolicy {
    /** The overall mode. */
    public enum Mode { DISABLED, ALLOWLIST, ALLOW_ALL }

    /** Exec is off: every request is refused. */
    public static final ExecPolicy DISABLED = new ExecPolicy(Mode.DISABLED, Set.of(), Set.of(), false);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9._+-]*");

    private final Mode mode;
    private final Set<String> names;
    private final Set<Path> paths;
    private final boolean shell;

    private ExecPolicy(Mode mode, Set<String> names, Set<Path> paths, boolean shell) {
        this.mode = mode;
        this.names = names;
        this.paths = paths;
        this.shell = shell;
    }

    /**
     * The policy for the CLI flags {@code --exec-allow LIST}, {@code --exec-allow-all} and
     * {@code --exec-shell}.
     *
     * @param allowList the comma-separated list given to {@code --exec-allow}, or null when absent
     * @throws IllegalArgumentException a bad entry or a contradictory combination, with a message
     *     for the operator
     */
    public static ExecPolicy parse(String allowList, boolean allowAll, boolean shell) {
        if (allowList != null && allowAll) {
            throw new IllegalArgumentException("--exec-allow and --exec-allow-all exclude each other: choose one");
        }
        if (allowAll) {
            return allowAll(shell);
        }
        if (allowList == null) {
            if (shell) {
                throw new IllegalArgumentException("--exec-shell needs --exec-allow-all: a shell string can run any command");
            }
            return DISABLED;
        }
        List<String> entries = new ArrayList<>();
        for (String part : allowList.split(",", -1)) {
            String e = part.trim();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("--exec-allow has an empty entry in \"" + allowList + "\"");
            }
            entries.add(e);
        }
        return allowList(entries, shell);
    }

    /** Every command may run (trusted admins only). */
    public static ExecPolicy allowAll(boolean shell) {
        return new ExecPolicy(Mode.ALLOW_ALL, Set.of(), Set.of(), shell);
    }

    /**
     * Only the listed commands may run; see the class comment for the matching rule.
     *
     * @throws IllegalArgumentException an entry that is neither a plain name nor a normalized
     *     absolute path, an empty list, or {@code shell} set
     */
    public static ExecPolicy allowList(Collection<String> entries, boolean shell) {
        if (shell) {
            throw new IllegalArgumentException("--exec-shell needs --exec-allow-all: a shell string can run any command,"
                    + " so it would bypass the allowlist");
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the exec allowlist is empty");
        }
        Set<String> names = new LinkedHashSet<>();
        Set<Path> paths = new LinkedHashSet<>();
        for (String e : entries) {
            if (e.indexOf('/') < 0) {
                if (!NAME.matcher(e).matches()) {
                    throw new IllegalArgumentException("exec allowlist entry \"" + e
                            + "\" is not a command name (letters, digits, '.', '_', '+', '-') or an absolute path");
                }
                names.add(e);
                continue;
            }
            Path p;
            try {
                p = Path.of(e);
            } catch (InvalidPathException ex) {
                throw new IllegalArgumentException("exec allowlist entry \"" + e + "\" is not a valid path");
            }
            if (!p.isAbsolute() || !p.normalize().equals(p) || p.getFileName() == null || e.endsWith("/")) {
                throw new IllegalArgumentException("exec allowlist entry \"" + e
                        + "\" must be a bare command name or a normalized absolute path to a file (no ./, .., or trailing /)");
            }
            paths.add(p);
        }
        return new ExecPolicy(Mode.ALLOWLIST, Collections.unmodifiableSet(names), Collections.unmodifiableSet(paths), false);
    }

    public Mode mode() {
        return mode;
    }

    public boolean enabled() {
        return mode != Mode.DISABLED;
    }

    public boolean allowsShell() {
        return shell;
    }

    /** Bare names on the allowlist. */
    public Set<String> names() {
        return names;
    }

    /** Absolute paths on the allowlist. */
    public Set<Path> paths() {
        return paths;
    }

    /**
     * The checks that need no disk: a bare name must be listed, a relative path with '/' is
     * refused. Pure; safe on the event loop.
     */
    public void precheck(String argv0) throws OpException {
        if (mode == Mode.ALLOW_ALL) {
            return;
        }
        if (mode == Mode.DISABLED) {
            throw OpException.forbidden("exec is disabled on this server");
        }
        if (argv0.indexOf('/') < 0) {
            if (!isListedName(argv0)) {
                throw notAllowed(argv0);
            }
            return;
        }
        if (!argv0.startsWith("/")) {
            throw OpException.forbidden("command \"" + argv0 + "\" is a relative path: only allowlisted commands run,"
                    + " by bare name or absolute path (" + describeList() + ")");
        }
    }

    private boolean isListedName(String name) {
        if (names.contains(name)) {
            return true;
        }
        for (Path p : paths) {
            if (p.getFileName().toString().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Resolves {@code argv0} to the absolute file to execute and checks it against the policy.
     * Touches the disk: call on a worker, never on the loop.
     *
     * @param searchPath the server's command search path
     * @param workDir the run's working folder, for relative paths under allow-all
     * @throws OpException {@code forbidden} when not allowed, {@code not_found} when no such
     *     executable exists
     */
    public Path resolve(String argv0, List<Path> searchPath, Path workDir) throws OpException {
        precheck(argv0);
        Path found;
        if (argv0.indexOf('/') < 0) {
            found = search(argv0, searchPath);
            if (found == null) {
                // Not the folders searched: messages name no server paths (the log has the config).
                throw new OpException(ErrorCode.NOT_FOUND, "command not found on the server's search path: " + argv0);
            }
        } else {
            Path p;
            try {
                p = workDir.resolve(argv0).normalize();
            } catch (InvalidPathException e) {
                throw OpException.badRequest("argv[0] is not a valid path: " + argv0);
            }
            if (!isExecutableFile(p)) {
                throw new OpException(ErrorCode.NOT_FOUND, "command not found: " + argv0 + " (no executable file there)");
            }
            found = p;
        }
        if (mode == Mode.ALLOW_ALL) {
            return found;
        }
        Path key = canonicalFolder(found);
        for (Path allowed : allowedFiles(searchPath)) {
            if (key != null && key.equals(canonicalFolder(allowed))) {
                return found;
            }
        }
        throw notAllowed(argv0);
    }

    /** The files the allowlist names: absolute entries and what bare names resolve to. */
    private List<Path> allowedFiles(List<Path> searchPath) {
        List<Path> files = new ArrayList<>(paths);
        for (String n : names) {
            Path f = search(n, searchPath);
            if (f != null) {
                files.add(f);
            }
        }
        return files;
    }

    /** The first executable regular file named {@code name} in {@code searchPath}, or null. */
    static Path search(String name, List<Path> searchPath) {
        for (Path dir : searchPath) {
            Path f = dir.resolve(name);
            if (isExecutableFile(f)) {
                return f;
            }
        }
        return null;
    }

    private static boolean isExecutableFile(Path f) {
        return Files.isRegularFile(f) && Files.isExecutable(f);
    }

    /** {@code file} with its folder's symlinks resolved but not its own last component; null if unresolvable. */
    private static Path canonicalFolder(Path file) {
        Path parent = file.getParent();
        Path name = file.getFileName();
        if (parent == null || name == null) {
            return null;
        }
        try {
            return parent.toRealPath().resolve(name);
        } catch (IOException e) {
            return null;
        }
    }

    private OpException notAllowed(String argv0) {
        return OpException.forbidden("command \"" + argv0 + "\" is not allowed on this server (allowed: " + describeList() + ")");
    }

    private String describeList() {
        List<String> all = new ArrayList<>(names);
        for (Path p : paths) {
            all.add(p.toString());
        }
        return String.join(", ", all);
    }

    /** For the startup log line, e.g. {@code allowlist [ls, df]}, {@code allow-all with shell}. */
    @Override
    public String toString() {
        switch (mode) {
            case DISABLED:
                return "disabled";
            case ALLOW_ALL:
                return "allow-all" + (shell ? " with shell" : "");
            default:
                return "allowlist [" + describeList() + "]";
        }
    }
}

package ferry.cli.serve;

import ferry.cli.args.UsageException;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The operator's remote-exec policy from {@code ferry serve}: which commands clients may run
 * ({@code --exec-allow ls,df,uptime}), or any command ({@code --exec-allow-all}), and whether
 * shell strings are accepted ({@code --exec-shell}). Exec is off unless one of the first two is
 * given.
 *
 * <p>Round 2: {@link ferry.services.FerryServices} hands these to the exec service's own policy object when it
 * installs it (the reactor cannot depend on this CLI class).
 *
 * <p>Thread safety: filled while settings are read, read-only afterwards.
 */
public final class ExecSettings {
    private final Set<String> allow = new LinkedHashSet<>();
    private boolean allowAll;
    private boolean shell;

    /** Sets the allowlist (names such as {@code ls}, or absolute paths). */
    void setAllowed(List<String> commands) {
        allow.clear();
        for (String c : commands) {
            if (c.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("'" + c + "' is not a command name (one word, no spaces)");
            }
            allow.add(c);
        }
    }

    void setAllowAll(boolean v) { allowAll = v; }
    void setShell(boolean v) { shell = v; }

    /** The allowlist, in the order given. */
    Set<String> allowed() { return Collections.unmodifiableSet(allow); }
    boolean allowAll() { return allowAll; }
    boolean shell() { return shell; }

    /** Whether exec is enabled at all. */
    boolean enabled() {
        return allowAll || !allow.isEmpty();
    }

    /** Checks the combination; the message names the flags. */
    void validate() throws UsageException {
        if (shell && !enabled()) {
            throw new UsageException("--exec-shell needs --exec-allow or --exec-allow-all (exec is off otherwise)");
        }
    }
}

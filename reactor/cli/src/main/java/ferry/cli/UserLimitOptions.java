package ferry.cli;

import ferry.reactor.UserLimits;

/**
 * The {@code --max-sessions}, {@code --max-uploads} and {@code --max-exec} options of
 * {@code ferry user add|set}: a user's own limits on what they hold at once, each a number (0: no
 * per-user limit) or {@code default} (the server's --max-sessions-per-user,
 * --max-uploads-per-user, --exec-max-running-per-user).
 *
 * <p>Thread safety: immutable options; used by one command run at a time.
 */
final class UserLimitOptions {
    /** The largest per-user limit the store takes: more than any server can hold anyway. */
    static final int MAX_LIMIT = 100_000_000;

    final Option<Integer> sessions;
    final Option<Integer> uploads;
    final Option<Integer> exec;

    /** Registers the three options with {@code cmd}; {@code defaults} shows "default" as their default in help. */
    UserLimitOptions(Command cmd, boolean defaults) {
        sessions = cmd.option(withDefault(Option.value("max-sessions", "N", limitType(), null,
                "logged-in connections the user may hold at once (0: no limit; default: the server's "
                        + "--max-sessions-per-user)"), defaults));
        uploads = cmd.option(withDefault(Option.value("max-uploads", "N", limitType(), null,
                "uploads the user may run at once (0: no per-user limit; default: the server's --max-uploads-per-user)"),
                defaults));
        exec = cmd.option(withDefault(Option.value("max-exec", "N", limitType(), null,
                "commands the user may run at once (0: no per-user limit; default: the server's "
                        + "--exec-max-running-per-user)"), defaults));
    }

    private static Option<Integer> withDefault(Option<Integer> o, boolean defaults) {
        return defaults ? o.defaultText("default") : o;
    }

    /** Whether the command line sets any of the three. */
    boolean anyGiven(Invocation inv) {
        return inv.args().has(sessions) || inv.args().has(uploads) || inv.args().has(exec);
    }

    /** {@code from} with the limits the command line sets. */
    UserLimits apply(Invocation inv, UserLimits from) {
        UserLimits l = from;
        if (inv.args().has(sessions)) {
            l = l.withSessions(inv.args().get(sessions));
        }
        if (inv.args().has(uploads)) {
            l = l.withUploads(inv.args().get(uploads));
        }
        if (inv.args().has(exec)) {
            l = l.withExec(inv.args().get(exec));
        }
        return l;
    }

    /** A limit: a count >= 0, or {@code default} for the server's ({@link UserLimits#SERVER_DEFAULT}). */
    static ValueType<Integer> limitType() {
        ValueType<Integer> count = ValueType.integer(0, MAX_LIMIT);
        return new ValueType<>() {
            @Override
            public Integer parse(String text) {
                return text.trim().equalsIgnoreCase("default") ? UserLimits.SERVER_DEFAULT : count.parse(text);
            }

            @Override
            public String format(Integer value) {
                return value == UserLimits.SERVER_DEFAULT ? "default" : Integer.toString(value);
            }
        };
    }

    /** "sessions 4, uploads default, exec unlimited", or "server defaults": for messages and the list. */
    static String describe(UserLimits l) {
        if (l.equals(UserLimits.DEFAULTS)) {
            return "server defaults";
        }
        return "sessions " + text(l.maxSessions()) + ", uploads " + text(l.maxUploads()) + ", exec " + text(l.maxExec());
    }

    private static String text(int v) {
        return v == UserLimits.SERVER_DEFAULT ? "default" : v == 0 ? "unlimited" : Integer.toString(v);
    }
}

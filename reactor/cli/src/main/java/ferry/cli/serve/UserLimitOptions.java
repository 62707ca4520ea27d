package ferry.cli.serve;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.reactor.ServerConfig;
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
    final Option<Long> downloadRate;
    final Option<Long> uploadRate;

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
        downloadRate = cmd.option(withDefault(Option.value("max-download-rate", "SIZE", rateType(), null,
                "bytes per second all the user's connections may receive (0: no limit; default: the server's "
                        + "--max-download-rate-per-user)"), defaults));
        uploadRate = cmd.option(withDefault(Option.value("max-upload-rate", "SIZE", rateType(), null,
                "bytes per second all the user's connections may send (0: no limit; default: the server's "
                        + "--max-upload-rate-per-user)"), defaults));
    }

    private static <T> Option<T> withDefault(Option<T> o, boolean defaults) {
        return defaults ? o.defaultText("default") : o;
    }

    /** Whether the command line sets any of the three. */
    boolean anyGiven(Invocation inv) {
        return inv.args().has(sessions) || inv.args().has(uploads) || inv.args().has(exec)
                || inv.args().has(downloadRate) || inv.args().has(uploadRate);
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
        if (inv.args().has(downloadRate)) {
            l = l.withDownloadRate(inv.args().get(downloadRate));
        }
        if (inv.args().has(uploadRate)) {
            l = l.withUploadRate(inv.args().get(uploadRate));
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

    /** A rate in bytes per second (a size: 10m is 10 MiB/s), or {@code default} for the server's. */
    static ValueType<Long> rateType() {
        ValueType<Long> size = ValueType.size(0, ServerConfig.MAX_RATE);
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                return text.trim().equalsIgnoreCase("default") ? (long) UserLimits.SERVER_DEFAULT : size.parse(text);
            }

            @Override
            public String format(Long value) {
                return value == UserLimits.SERVER_DEFAULT ? "default" : size.format(value);
            }
        };
    }

    /** "sessions 4, uploads default, exec unlimited", or "server defaults": for messages and the list. */
    static String describe(UserLimits l) {
        if (l.equals(UserLimits.DEFAULTS)) {
            return "server defaults";
        }
        return "sessions " + text(l.maxSessions()) + ", uploads " + text(l.maxUploads()) + ", exec " + text(l.maxExec())
                + (l.downloadRate() == UserLimits.SERVER_DEFAULT ? "" : ", download " + rate(l.downloadRate()))
                + (l.uploadRate() == UserLimits.SERVER_DEFAULT ? "" : ", upload " + rate(l.uploadRate()));
    }

    private static String text(int v) {
        return v == UserLimits.SERVER_DEFAULT ? "default" : v == 0 ? "unlimited" : Integer.toString(v);
    }

    private static String rate(long v) {
        return v == 0 ? "unlimited" : Units.formatSizeSetting(v) + "/s";
    }
}

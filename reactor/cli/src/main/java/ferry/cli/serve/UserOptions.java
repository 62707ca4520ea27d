package ferry.cli.serve;

import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.ValueType;
import ferry.reactor.Right;
import ferry.reactor.UserQuota;
import ferry.services.auth.UserRecord;
import java.util.Set;

/** The options {@code ferry user} subcommands share: rights, home folder and quota, with their value types. */
final class UserOptions {
    private UserOptions() {}

    /** Rights option of {@code user add} and {@code user set}. */
    static Option<Set<Right>> rightsOption(String help) {
        return Option.value("rights", "LIST", ServeTypes.rightsType(), null, help
                + "; admin (see and close everyone's connections: ferry admin who/kick, ferry top) only by name");
    }

    static Option<String> homeOption(String help) {
        return Option.value("home", "DIR", homeType(), null, help);
    }

    static Option<Long> quotaBytesOption() {
        return Option.value("quota-bytes", "SIZE", quotaType(true), null,
                "bytes of files the user's home may hold (0: no limit; default: the server's --default-quota-bytes)");
    }

    static Option<Long> quotaFilesOption() {
        return Option.value("quota-files", "N", quotaType(false), null,
                "files the user's home may hold (0: no limit; default: the server's --default-quota-files)");
    }

    /** A quota limit: a size (or a count) >= 0, or {@code default} for the server's ({@link UserQuota#SERVER_DEFAULT}). */
    static ValueType<Long> quotaType(boolean bytes) {
        ValueType<Long> size = ValueType.size(0, Long.MAX_VALUE);
        ValueType<Integer> count = ValueType.integer(0, Integer.MAX_VALUE);
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                if (text.trim().equalsIgnoreCase("default")) {
                    return UserQuota.SERVER_DEFAULT;
                }
                return bytes ? size.parse(text) : (long) count.parse(text);
            }

            @Override
            public String format(Long value) {
                return value == UserQuota.SERVER_DEFAULT ? "default" : bytes ? size.format(value) : Long.toString(value);
            }
        };
    }

    /** The quota {@code inv} asks for, starting from {@code q}. */
    static UserQuota quota(Invocation inv, Option<Long> bytes, Option<Long> files, UserQuota q) {
        return new UserQuota(inv.args().has(bytes) ? inv.args().get(bytes) : q.maxBytes(),
                inv.args().has(files) ? inv.args().get(files) : q.maxFiles());
    }

    /** A home folder inside the root, normalized ("/bob/" → "bob"); "../x" is refused. */
    static ValueType<String> homeType() {
        return new ValueType<>() {
            @Override
            public String parse(String text) {
                return UserRecord.normalizeHome(text);
            }

            @Override
            public String format(String value) {
                return "/" + value;
            }
        };
    }
}

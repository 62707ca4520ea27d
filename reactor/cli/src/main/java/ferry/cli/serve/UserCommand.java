package ferry.cli.serve;

import static ferry.cli.serve.UserOptions.homeOption;
import static ferry.cli.serve.UserOptions.quota;
import static ferry.cli.serve.UserOptions.quotaBytesOption;
import static ferry.cli.serve.UserOptions.quotaFilesOption;
import static ferry.cli.serve.UserOptions.rightsOption;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Units;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.protocol.scram.ScramMath;
import ferry.reactor.Right;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserNames;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import ferry.services.auth.Users;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code ferry user add|passwd|set|del|list}: manages a server's user store
 * ({@code CONFIG-DIR/users}, the folder {@code ferry serve --config-dir} reads). Passwords come
 * from a prompt without echo (asked twice) or, for scripts, the first line of standard input with
 * {@code --password-stdin}; they are stored only as salted PBKDF2 keys. Exit status 0 done, 1
 * failed (the user exists or does not, the store is unusable), 2 bad usage; errors are one line.
 *
 * <p>The folder: {@code --config-dir DIR}; or {@code --config FILE}, a serve config file whose
 * {@code config-dir} is used (a folder given to {@code --config} is taken as the folder itself);
 * else {@code $FERRY_CONFIG}; else {@code ./config} — the same default as {@code ferry serve}.
 *
 * <p>Changes take effect at the next login on a running server (it notices the file changed);
 * connections already logged in keep their rights until they reconnect.
 *
 * <p>Thread safety: as every command, one run on the main thread.
 */
public final class UserCommand extends Command {
    /** Rights of a new user when --rights is not given: a file-server account, never exec. */
    static final String DEFAULT_RIGHTS = "read,write,delete";

    public UserCommand() {
        super("user", "manage the users of a server (add, passwd, set, del, list)");
        subcommand(new Add());
        subcommand(new Passwd());
        subcommand(new SetCommand());
        subcommand(new Del());
        subcommand(new ListCommand());
    }

    @Override
    public String description() {
        return "Manage the users who may log in to a server, in its user store CONFIG-DIR/users (owner-only, "
                + "replaced atomically; passwords kept only as salted PBKDF2-HMAC-SHA256 keys). A running server "
                + "notices changes at the next login.\n\n"
                + "CONFIG-DIR is --config-dir DIR, or the config-dir of the serve config file given with --config "
                + "FILE, else $" + ServeSettings.ENV_CONFIG + ", else ./" + ServeSettings.DEFAULT_CONFIG_DIR
                + " (as for ferry serve).";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry user add alice                              # asks for the password twice\n"
                + "  echo \"$PW\" | ferry user add bob --rights read --home /bob --password-stdin\n"
                + "  ferry user set alice --rights read,write,delete,exec --config /etc/ferry.conf\n"
                + "  ferry user list --config-dir /etc/ferry";
    }

    /** What every subcommand shares: where the store is. */
    abstract static class StoreCommand extends Command {
        final Option<String> configDir = option(Option.value("config-dir", "DIR", ValueType.text(), null,
                "the server's config folder (default $" + ServeSettings.ENV_CONFIG + ", else ./"
                        + ServeSettings.DEFAULT_CONFIG_DIR + ")").group("store"));
        final Option<String> config = option(Option.value("config", "FILE", ValueType.text(), null,
                "use the config-dir of this ferry serve config file").group("store"));

        StoreCommand(String name, String summary) {
            super(name, summary);
        }

        /** The user store this run works on. */
        UserStore store(Invocation inv) throws UsageException {
            return UserStore.inConfigDir(configDir(inv));
        }

        Path configDir(Invocation inv) throws UsageException {
            ParsedArgs a = inv.args();
            if (a.has(configDir) && a.has(config)) {
                throw new UsageException("give --config-dir or --config, not both");
            }
            if (a.has(configDir)) {
                return Path.of(a.get(configDir));
            }
            if (a.has(config)) {
                Path p = Path.of(a.get(config));
                if (Files.isDirectory(p)) {
                    return p; // a folder: the config folder itself
                }
                Path fromFile = ServeFolders.configDirOf(p);
                if (fromFile != null) {
                    return fromFile;
                }
            }
            return ServeSettings.defaultConfigDir(inv.console().env(ServeSettings.ENV_CONFIG));
        }

        /** The server's root: {@code --root} (where the subcommand has it), else the serve config file's; null when unknown. */
        Path root(Invocation inv, Option<String> rootOption) throws UsageException {
            if (rootOption != null && inv.args().has(rootOption)) {
                return Path.of(inv.args().get(rootOption));
            }
            if (inv.args().has(config) && !Files.isDirectory(Path.of(inv.args().get(config)))) {
                return ServeFolders.pathOf(Path.of(inv.args().get(config)), "root");
            }
            return null;
        }

        /**
         * Makes sure the home folder {@code home} (relative to the root; "" the root itself)
         * exists before a user is given it, or says it could not: a user whose home is missing
         * can log in but every command fails. Created when the server's root is known and exists.
         */
        void prepareHome(Invocation inv, Option<String> rootOption, String name, String home)
                throws UsageException, CliException {
            if (home.isEmpty()) {
                return;
            }
            Path root = root(inv, rootOption);
            if (root == null || !Files.isDirectory(root)) {
                inv.console().err().println(inv.path() + ": warning: " + (root == null
                        ? "cannot check that the home folder /" + home + " exists (the server's root is unknown: "
                                + "give --root DIR, or --config FILE, to have it created)"
                        : "the root " + root + " does not exist, so neither does the home folder /" + home)
                        + "; " + name + "'s commands fail until it does");
                return;
            }
            Path folder = root.resolve(home).toAbsolutePath().normalize();
            if (Files.isDirectory(folder)) {
                return;
            }
            if (Files.exists(folder)) {
                throw new CliException("the home folder " + folder + " is not a folder; nothing changed");
            }
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new CliException("cannot create the home folder " + folder + ": " + ErrorMessages.reason(e)
                        + "; nothing changed", e);
            }
            inv.console().out().println("created the home folder " + folder);
        }

        static Option<String> rootOption() {
            return Option.value("root", "DIR", ValueType.text(), null,
                    "the server's root, to create the home folder in (default: the root of --config FILE)")
                    .group("store");
        }

        /** The NAME argument, checked. */
        static String name(Invocation inv) throws UsageException {
            String name = inv.args().positionals().get(0);
            String problem = UserNames.problem(name);
            if (problem != null) {
                throw new UsageException(problem);
            }
            return name;
        }

        static void requireUser(UserStore store, String name) throws IOException, CliException {
            if (!store.load().contains(name)) {
                throw new CliException("no user " + name + " in " + store.file());
            }
        }

        /** Runs a store update, turning the change's IllegalArgumentException into a failure. */
        static Users update(UserStore store, UnaryOperator<Users> change) throws IOException, CliException {
            try {
                return store.update(change);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
        }

        static UserRecord existing(Users users, UserStore store, String name) {
            return users.get(name).orElseThrow(() -> new IllegalArgumentException("no user " + name + " in " + store.file()));
        }
    }

    /** A subcommand that sets a password. */
    abstract static class PasswordCommand extends StoreCommand {
        final Option<Boolean> passwordStdin = option(Option.flag("password-stdin",
                "read the password from the first line of stdin (for scripts) instead of asking"));
        final Option<Integer> iterations = option(Option.value("iterations", "N",
                ValueType.integer(ScramMath.MIN_ITERATIONS, ScramMath.MAX_ITERATIONS), PasswordHasher.DEFAULT_ITERATIONS,
                "PBKDF2 rounds: slower logins, slower guessing"));

        PasswordCommand(String name, String summary) {
            super(name, summary);
        }

        /** Reads the new password (stdin, or the terminal twice), checks it and hashes it. Zeroes what it read. */
        PasswordHasher.Keys newPasswordKeys(Invocation inv, String name) throws IOException, CliException {
            return NewPassword.keys(inv, name, inv.args().get(passwordStdin), inv.args().get(iterations));
        }
    }

    /** "10g bytes, 1000 files", "the server's default" ... for messages and the list. */
    static String describe(UserQuota q) {
        if (q.equals(UserQuota.DEFAULTS)) {
            return "server default";
        }
        return limit(q.maxBytes(), true) + " bytes, " + limit(q.maxFiles(), false) + " files";
    }

    private static String limit(long v, boolean bytes) {
        if (v == UserQuota.SERVER_DEFAULT) {
            return "default";
        }
        if (v == 0) {
            return "unlimited";
        }
        return bytes ? Units.formatSizeSetting(v) : Long.toString(v);
    }

    static final class Add extends PasswordCommand {
        private final Option<Set<Right>> rights = option(rightsOption(
                "read, write, delete, exec (comma list), all or none").defaultText(DEFAULT_RIGHTS));
        private final Option<String> home = option(homeOption("confine the user to this folder inside the server root "
                + "(created there when the root is known)").defaultText("/, the whole root"));
        private final Option<String> root = option(rootOption());
        private final Option<Long> quotaBytes = option(quotaBytesOption().defaultText("default"));
        private final Option<Long> quotaFiles = option(quotaFilesOption().defaultText("default"));
        private final UserLimitOptions limits = new UserLimitOptions(this, true);

        Add() {
            super("add", "add a user (asks for the password)");
            arguments("NAME");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String name = name(inv);
            UserStore store = store(inv);
            if (store.load().contains(name)) {
                throw new CliException("user " + name + " already exists in " + store.file()
                        + " (use ferry user passwd or set)");
            }
            Set<Right> r = inv.args().has(rights) ? inv.args().get(rights) : Right.parseList(DEFAULT_RIGHTS);
            String h = inv.args().has(home) ? inv.args().get(home) : "";
            UserQuota q = quota(inv, quotaBytes, quotaFiles, UserQuota.DEFAULTS);
            UserLimits l = limits.apply(inv, UserLimits.DEFAULTS);
            PasswordHasher.Keys keys = newPasswordKeys(inv, name);
            prepareHome(inv, root, name, h);
            update(store, users -> {
                if (users.contains(name)) {
                    throw new IllegalArgumentException("user " + name + " already exists in " + store.file());
                }
                return users.with(new UserRecord(name, keys.iterations(), keys.salt(), keys.storedKey(), keys.serverKey(),
                        r, h, q, l));
            });
            inv.console().out().println("added user " + name + " (rights " + describe(r) + ", home /" + h
                    + (q.equals(UserQuota.DEFAULTS) ? "" : ", quota " + describe(q))
                    + (l.equals(UserLimits.DEFAULTS) ? "" : ", limits " + UserLimitOptions.describe(l)) + ") to " + store.file());
            return Command.EXIT_OK;
        }
    }

    static final class Passwd extends PasswordCommand {
        Passwd() {
            super("passwd", "change a user's password (asks for it)");
            arguments("NAME");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String name = name(inv);
            UserStore store = store(inv);
            requireUser(store, name);
            PasswordHasher.Keys keys = newPasswordKeys(inv, name);
            update(store, users -> users.with(existing(users, store, name).withKeys(keys)));
            inv.console().out().println("changed the password of " + name);
            return Command.EXIT_OK;
        }
    }

    static final class SetCommand extends StoreCommand {
        private final Option<Set<Right>> rights = option(rightsOption("new rights: read, write, delete, exec, all or none"));
        private final Option<String> home = option(homeOption("new home folder inside the server root (/ for all of it; "
                + "created there when the root is known)"));
        private final Option<String> root = option(rootOption());
        private final Option<Long> quotaBytes = option(quotaBytesOption());
        private final Option<Long> quotaFiles = option(quotaFilesOption());
        private final UserLimitOptions limits = new UserLimitOptions(this, false);

        SetCommand() {
            super("set", "change a user's rights, home folder, quota or limits");
            arguments("NAME");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String name = name(inv);
            if (!inv.args().has(rights) && !inv.args().has(home) && !inv.args().has(quotaBytes)
                    && !inv.args().has(quotaFiles) && !limits.anyGiven(inv)) {
                throw new UsageException("set needs --rights, --home, --quota-bytes, --quota-files, --max-sessions,"
                        + " --max-uploads or --max-exec");
            }
            UserStore store = store(inv);
            requireUser(store, name);
            if (inv.args().has(home)) {
                prepareHome(inv, root, name, inv.args().get(home));
            }
            Users after = update(store, users -> {
                UserRecord u = existing(users, store, name);
                if (inv.args().has(rights)) {
                    u = u.withRights(inv.args().get(rights));
                }
                if (inv.args().has(home)) {
                    u = u.withHome(inv.args().get(home));
                }
                return users.with(u.withQuota(quota(inv, quotaBytes, quotaFiles, u.quota()))
                        .withLimits(limits.apply(inv, u.limits())));
            });
            UserRecord u = after.get(name).orElseThrow();
            inv.console().out().println("user " + name + " now has rights " + describe(u.rights()) + ", home /" + u.home()
                    + ", quota " + describe(u.quota()) + ", limits " + UserLimitOptions.describe(u.limits()));
            return Command.EXIT_OK;
        }
    }

    static final class Del extends StoreCommand {
        Del() {
            super("del", "delete a user");
            arguments("NAME");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String name = name(inv);
            UserStore store = store(inv);
            requireUser(store, name);
            update(store, users -> {
                existing(users, store, name);
                return users.without(name);
            });
            inv.console().out().println("deleted user " + name);
            return Command.EXIT_OK;
        }
    }

    static final class ListCommand extends StoreCommand {
        ListCommand() {
            super("list", "list the users, their rights, quotas and home folders");
            arguments();
        }

        @Override
        public int run(Invocation inv) throws Exception {
            UserStore store = store(inv);
            Users users = store.load();
            PrintStream out = inv.console().out();
            if (users.isEmpty()) {
                out.println("no users in " + store.file());
                return Command.EXIT_OK;
            }
            int w = "NAME".length();
            for (UserRecord u : users.all()) {
                w = Math.max(w, u.name().length());
            }
            out.println(pad("NAME", w) + "  " + pad("RIGHTS", 22) + "  " + pad("QUOTA", 26) + "  HOME");
            for (UserRecord u : users.all()) {
                out.println(pad(u.name(), w) + "  " + pad(describe(u.rights()), 22) + "  " + pad(describe(u.quota()), 26)
                        + "  /" + u.home() + (u.limits().equals(UserLimits.DEFAULTS) ? ""
                        : "  (limits: " + UserLimitOptions.describe(u.limits()) + ")"));
            }
            return Command.EXIT_OK;
        }
    }

    private static String describe(Set<Right> r) {
        String s = Right.toList(r);
        return s.isEmpty() ? "none" : s;
    }

    private static String pad(String s, int w) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < w) {
            sb.append(' ');
        }
        return sb.toString();
    }
}

package ferry.cli;

import ferry.client.CredentialsResolver;
import ferry.protocol.scram.ScramMath;
import ferry.reactor.Right;
import ferry.reactor.auth.PasswordHasher;
import ferry.reactor.auth.UserNames;
import ferry.reactor.auth.UserRecord;
import ferry.reactor.auth.UserStore;
import ferry.reactor.auth.Users;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * {@code ferry user add|passwd|set|del|list}: manages the server's user store
 * ({@code <config>/users}). Passwords come from a prompt without echo (asked twice) or, for scripts,
 * the first line of standard input with {@code --password-stdin}. Exit codes: 0 done, 1 failed (the
 * user exists or does not, the store is unusable), 2 bad usage. Errors are one line on stderr.
 *
 * <p>Changes take effect at the next login on a running server (it notices the file changed);
 * connections already logged in keep their rights until they reconnect.
 */
public final class UserCommand {
    /** The config folder when neither --config nor FERRY_CONFIG says otherwise. */
    public static final String DEFAULT_CONFIG_DIR = "config";
    public static final String ENV_CONFIG = "FERRY_CONFIG";
    /** NIST SP 800-63B's minimum for user-chosen passwords. */
    public static final int MIN_PASSWORD_CHARS = 8;
    /** A password line longer than this on stdin is not a password. */
    public static final int MAX_PASSWORD_BYTES = 4096;
    /** Rights of a new user when --rights is not given: a file-server account, never exec. */
    public static final String DEFAULT_RIGHTS = "read,write,delete";

    static final String USAGE = String.join("\n",
            "usage: ferry user add NAME [--rights LIST] [--home DIR] [--password-stdin] [--iterations N] [--config DIR]",
            "       ferry user passwd NAME [--password-stdin] [--iterations N] [--config DIR]",
            "       ferry user set NAME [--rights LIST] [--home DIR] [--config DIR]",
            "       ferry user del NAME [--config DIR]",
            "       ferry user list [--config DIR]",
            "rights: a comma list of read, write, delete, exec (or all, none); default " + DEFAULT_RIGHTS + ".",
            "home: a folder inside the server root the user is confined to; default the whole root.",
            "config: the server's config folder; default $" + ENV_CONFIG + " or ./" + DEFAULT_CONFIG_DIR + ".");

    private static final int OK = 0;
    private static final int FAILED = 1;
    private static final int USAGE_ERROR = 2;

    /** A bad command line: exit 2. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A failure with a message for the operator: exit 1. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;
    private final CredentialsResolver.Prompter terminal;
    private final Map<String, String> env;

    private String sub;
    private String name;
    private Set<Right> rights;
    private String home;
    private boolean passwordStdin;
    private int iterations = PasswordHasher.DEFAULT_ITERATIONS;
    private Path configDir;

    private UserCommand(InputStream stdin, PrintStream out, PrintStream err, CredentialsResolver.Prompter terminal,
                        Map<String, String> env) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.env = env;
    }

    /** Runs {@code ferry user ARGS} ({@code args} starts after "user"). Returns the exit code. */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        Console console = System.console();
        return run(args, stdin, out, err, console == null ? null : CredentialsResolver.consolePrompter(console), System.getenv());
    }

    /** As {@link #run(String[], InputStream, PrintStream, PrintStream)} with the terminal and environment given. */
    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err,
                   CredentialsResolver.Prompter terminal, Map<String, String> env) {
        UserCommand c = new UserCommand(stdin, out, err, terminal, env);
        try {
            c.parse(args);
            if (c.sub == null) {
                out.println(USAGE);
                return OK;
            }
            return c.execute();
        } catch (UsageException e) {
            err.println("ferry user: " + e.getMessage() + " (try ferry user --help)");
            return USAGE_ERROR;
        } catch (Failure e) {
            err.println("ferry user: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println("ferry user: " + e.getMessage());
            return FAILED;
        }
    }

    private void parse(String[] args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing command: add, passwd, set, del or list");
        }
        if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            return;
        }
        sub = args[0];
        if (!Set.of("add", "passwd", "set", "del", "list").contains(sub)) {
            throw new UsageException("unknown command '" + sub + "' (expected add, passwd, set, del or list)");
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--rights":
                    String list = value(args, ++i, a);
                    try {
                        rights = list.equals("none") ? Set.of() : Right.parseList(list);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    break;
                case "--home":
                    try {
                        home = UserRecord.normalizeHome(value(args, ++i, a));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    break;
                case "--password-stdin":
                    passwordStdin = true;
                    break;
                case "--iterations":
                    String n = value(args, ++i, a);
                    try {
                        iterations = Integer.parseInt(n);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--iterations needs a number, got '" + n + "'");
                    }
                    if (iterations < ScramMath.MIN_ITERATIONS || iterations > ScramMath.MAX_ITERATIONS) {
                        throw new UsageException("--iterations must be in [" + ScramMath.MIN_ITERATIONS + ", "
                                + ScramMath.MAX_ITERATIONS + "]");
                    }
                    break;
                case "--config":
                    configDir = Path.of(value(args, ++i, a));
                    break;
                default:
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    if (name != null) {
                        throw new UsageException("unexpected argument '" + a + "' (one user name per command)");
                    }
                    name = a;
            }
        }
        if (sub.equals("list")) {
            if (name != null) {
                throw new UsageException("list takes no user name");
            }
        } else {
            if (name == null) {
                throw new UsageException(sub + " needs a user name");
            }
            String problem = UserNames.problem(name);
            if (problem != null) {
                throw new UsageException(problem);
            }
        }
        boolean takesPassword = sub.equals("add") || sub.equals("passwd");
        boolean takesRights = sub.equals("add") || sub.equals("set");
        if ((rights != null || home != null) && !takesRights) {
            throw new UsageException(sub + " does not take --rights or --home (use ferry user set)");
        }
        if ((passwordStdin || iterations != PasswordHasher.DEFAULT_ITERATIONS) && !takesPassword) {
            throw new UsageException(sub + " does not take --password-stdin or --iterations");
        }
        if (sub.equals("set") && rights == null && home == null) {
            throw new UsageException("set needs --rights or --home");
        }
        if (configDir == null) {
            String e = env.get(ENV_CONFIG);
            configDir = Path.of(e != null && !e.isEmpty() ? e : DEFAULT_CONFIG_DIR);
        }
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    private int execute() throws IOException, Failure, UsageException {
        UserStore store = UserStore.inConfigDir(configDir);
        switch (sub) {
            case "list":
                return list(store);
            case "add":
                return add(store);
            case "passwd":
                return passwd(store);
            case "set":
                return set(store);
            case "del":
                return del(store);
            default:
                throw new UsageException("unknown command '" + sub + "'");
        }
    }

    private int list(UserStore store) throws IOException {
        Users users = store.load();
        if (users.isEmpty()) {
            out.println("no users in " + store.file());
            return OK;
        }
        int w = "NAME".length();
        for (UserRecord u : users.all()) {
            w = Math.max(w, u.name().length());
        }
        out.println(pad("NAME", w) + "  " + pad("RIGHTS", 22) + "  HOME");
        for (UserRecord u : users.all()) {
            String r = Right.toList(u.rights());
            out.println(pad(u.name(), w) + "  " + pad(r.isEmpty() ? "none" : r, 22) + "  /" + u.home());
        }
        return OK;
    }

    private int add(UserStore store) throws IOException, Failure {
        if (store.load().contains(name)) {
            throw new Failure("user " + name + " already exists in " + store.file() + " (use ferry user passwd or set)");
        }
        Set<Right> r = rights != null ? rights : Right.parseList(DEFAULT_RIGHTS);
        String h = home != null ? home : "";
        PasswordHasher.Keys keys = newPasswordKeys();
        update(store, users -> {
            if (users.contains(name)) {
                throw new IllegalArgumentException("user " + name + " already exists in " + store.file());
            }
            return users.with(new UserRecord(name, keys.iterations(), keys.salt(), keys.storedKey(), keys.serverKey(), r, h));
        });
        out.println("added user " + name + " (rights " + describe(r) + ", home /" + h + ") to " + store.file());
        return OK;
    }

    private int passwd(UserStore store) throws IOException, Failure {
        requireUser(store);
        PasswordHasher.Keys keys = newPasswordKeys();
        update(store, users -> users.with(existing(users, store).withKeys(keys)));
        out.println("changed the password of " + name);
        return OK;
    }

    private int set(UserStore store) throws IOException, Failure {
        requireUser(store);
        Users after = update(store, users -> {
            UserRecord u = existing(users, store);
            if (rights != null) {
                u = u.withRights(rights);
            }
            if (home != null) {
                u = u.withHome(home);
            }
            return users.with(u);
        });
        UserRecord u = after.get(name).orElseThrow();
        out.println("user " + name + " now has rights " + describe(u.rights()) + ", home /" + u.home());
        return OK;
    }

    private int del(UserStore store) throws IOException, Failure {
        requireUser(store);
        update(store, users -> {
            existing(users, store);
            return users.without(name);
        });
        out.println("deleted user " + name);
        return OK;
    }

    private void requireUser(UserStore store) throws IOException, Failure {
        if (!store.load().contains(name)) {
            throw new Failure("no user " + name + " in " + store.file());
        }
    }

    private UserRecord existing(Users users, UserStore store) {
        return users.get(name).orElseThrow(() -> new IllegalArgumentException("no user " + name + " in " + store.file()));
    }

    /** Runs a store update, turning the change's IllegalArgumentException into a Failure. */
    private static Users update(UserStore store, java.util.function.UnaryOperator<Users> change) throws IOException, Failure {
        try {
            return store.update(change);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage());
        }
    }

    /** Reads the new password (stdin or prompt, twice), checks it and hashes it. Zeroes what it read. */
    private PasswordHasher.Keys newPasswordKeys() throws IOException, Failure {
        char[] password = null;
        try {
            if (passwordStdin) {
                password = readLine(stdin);
            } else if (terminal != null) {
                password = terminal.readPassword("New password for " + name + ": ");
                char[] again = terminal.readPassword("Repeat the password: ");
                boolean same = Arrays.equals(password, again);
                Arrays.fill(again, '\0');
                if (!same) {
                    throw new Failure("the passwords do not match; nothing changed");
                }
            } else {
                throw new Failure("no terminal to ask for the password: pipe it in with --password-stdin");
            }
            if (password.length < MIN_PASSWORD_CHARS) {
                throw new Failure("the password is shorter than " + MIN_PASSWORD_CHARS + " characters; nothing changed");
            }
            try {
                return new PasswordHasher().hash(password, iterations);
            } catch (IllegalArgumentException e) {
                throw new Failure("cannot use this password: " + e.getMessage());
            }
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** The first line of {@code in} (without its line end) as characters, never as a String. */
    static char[] readLine(InputStream in) throws IOException, Failure {
        byte[] bytes = new byte[MAX_PASSWORD_BYTES];
        int len = 0;
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (len == bytes.length) {
                Arrays.fill(bytes, (byte) 0);
                throw new Failure("the password line on stdin is longer than " + MAX_PASSWORD_BYTES + " bytes");
            }
            bytes[len++] = (byte) b;
        }
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        if (len == 0) {
            throw new Failure("no password on stdin (--password-stdin reads its first line)");
        }
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, len));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new Failure("the password on stdin is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
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

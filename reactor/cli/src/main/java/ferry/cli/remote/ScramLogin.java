package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.serve.ServeSettings;
import ferry.client.AuthClient;
import ferry.client.AuthenticationException;
import ferry.client.Credentials;
import ferry.client.CredentialsResolver;
import ferry.client.KeyCache;
import ferry.client.LoginResult;
import ferry.client.RemoteException;
import ferry.client.ScramClient;
import ferry.protocol.ErrorCode;
import ferry.reactor.Loopback;
import ferry.services.auth.AuthService;
import ferry.services.auth.DemoUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The command line's {@link Authenticator}: finds credentials and logs in with SCRAM-SHA-256
 * ({@link AuthClient}); the password never crosses the wire.
 *
 * <h2>Where the credentials come from</h2>
 * The user is the one in the remote ({@code alice@nas}, or {@code --user alice}), else
 * {@code FERRY_USER}. Then, first found wins ({@link CredentialsResolver}):
 * <ol>
 *   <li>{@code FERRY_PASSWORD};
 *   <li>the {@code --credentials FILE}, else {@code FERRY_CREDENTIALS};
 *   <li>the default credentials file, {@code $XDG_CONFIG_HOME/ferry/credentials} (else
 *       {@code ~/.config/ferry/credentials}), if it exists and is for that user;
 *   <li>for a server on this machine (loopback) only: the demo credentials {@code make run} saved,
 *       {@code $FERRY_CONFIG/demo-credentials} (else {@code ./config/demo-credentials}), if no
 *       other user was asked for — so {@code make run} then {@code ferry shell} just works;
 *   <li>a prompt on the terminal (no echo for the password), asking again after a wrong password
 *       up to {@value #PROMPT_ATTEMPTS} times;
 *   <li>otherwise an error naming these ways.
 * </ol>
 * Every credentials file must be owner-only ({@code chmod 600}); one that others can read is refused.
 *
 * <h2>Errors</h2>
 * One line each: {@code login failed for alice: wrong user name or password} (the server does not
 * say which, on purpose); {@code 127.0.0.1:7373 requires login: no credentials: ...}.
 *
 * <h2>Logging in again</h2>
 * A password typed at the prompt is remembered for the rest of the process (in memory only), per
 * server and requested user: a transfer that reconnects after a lost connection, or the shell
 * after one, logs in again without asking a second time.
 *
 * <p>Thread safety: one login at a time, on the command's thread.
 */
public final class ScramLogin implements Authenticator {
    /** Passwords typed at the prompt, by server and requested user; kept until the process ends. */
    private final Map<String, Credentials> typed = new HashMap<>();

    /** Password prompts per login before giving up (the server closes a connection after five failures). */
    static final int PROMPT_ATTEMPTS = 3;
    static final String WRONG = "wrong user name or password";

    @Override
    public LoginResult login(RemoteClient rc, Console console, Path credentialsFile, When when)
            throws IOException, CliException {
        Map<String, String> env = console.environment();
        String user = rc.remote().user();
        boolean named = user != null || credentialsFile != null || set(env, CredentialsResolver.ENV_USER)
                || set(env, CredentialsResolver.ENV_CREDENTIALS);
        boolean go = switch (when) {
            case IF_NAMED -> named;
            case IF_REQUIRED -> named || rc.loginRequired();
            case ALWAYS -> true;
        };
        if (!go) {
            return null;
        }
        String where = rc.remote().hostPort();
        if (!rc.features().contains(AuthService.FEATURE)) {
            if (rc.loginRequired() || when == When.ALWAYS) {
                throw new CliException(where + (rc.loginRequired() ? " requires login but" : "")
                        + " does not offer a login this ferry speaks (" + AuthService.FEATURE + ")");
            }
            console.detail("ferry: not logging in: " + where + " does not offer login");
            return null;
        }
        String key = where + "\0" + (user != null ? user : String.valueOf(env.get(CredentialsResolver.ENV_USER)));
        Credentials again = typed.get(key);
        if (again != null) {
            try {
                LoginResult r = scram(new AuthClient(rc.client()), console, where, again.user(), again.password());
                console.detail("ferry: logged in to " + where + " as " + r.user() + " again (password typed earlier)");
                return r;
            } catch (RemoteException e) {
                if (!ErrorCode.UNAUTHENTICATED.equals(e.code())) {
                    throw e;
                }
                typed.remove(key).close(); // changed meanwhile: ask again below
            }
        }
        CredentialsResolver.Prompter prompter = console.prompter();
        Credentials credentials;
        try {
            credentials = new CredentialsResolver(env, fallbackFile(env, rc.remote()), prompter)
                    .resolve(user, credentialsFile);
        } catch (IOException e) {
            throw new CliException((rc.loginRequired() ? where + " requires login: " : "cannot log in to " + where + ": ")
                    + ErrorMessages.describe(e), e);
        }
        try {
            return login(rc, console, credentials, prompter, key);
        } finally {
            credentials.close();
        }
    }

    private LoginResult login(RemoteClient rc, Console console, Credentials credentials,
                              CredentialsResolver.Prompter prompter, String key) throws IOException, CliException {
        String user = credentials.user();
        AuthClient auth = new AuthClient(rc.client());
        char[] retyped = null;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    LoginResult r = scram(auth, console, rc.remote().hostPort(), user,
                            retyped == null ? credentials.password() : retyped);
                    if (retyped != null || "prompt".equals(credentials.source())) {
                        Credentials old = typed.put(key, new Credentials(user,
                                (retyped == null ? credentials.password() : retyped).clone(), "prompt"));
                        if (old != null) {
                            old.close();
                        }
                    }
                    console.detail("ferry: logged in to " + rc.remote().hostPort() + " as " + r.user() + " (rights "
                            + rights(r) + "; password from " + credentials.source() + ")");
                    return r;
                } catch (RemoteException e) {
                    if (!ErrorCode.UNAUTHENTICATED.equals(e.code())) {
                        throw new CliException("login failed for " + user + ": " + (ErrorCode.UNKNOWN_OP.equals(e.code())
                                ? rc.remote().hostPort() + " does not offer login"
                                : "server error: " + e.serverMessage() + " (" + e.code() + ")"), e);
                    }
                    boolean canRetry = "prompt".equals(credentials.source()) && prompter != null
                            && attempt < PROMPT_ATTEMPTS && !e.serverMessage().contains("closing");
                    if (!canRetry) {
                        throw new CliException("login failed for " + user + ": " + WRONG, e);
                    }
                    console.err().println("ferry: " + WRONG + "; try again");
                    console.err().flush();
                    if (retyped != null) {
                        Arrays.fill(retyped, '\0');
                    }
                    retyped = prompter.readPassword("Password for " + user + ": ");
                } catch (AuthenticationException e) {
                    throw new CliException("login failed for " + user + ": " + ErrorMessages.oneLine(e.getMessage()), e);
                }
            }
        } finally {
            if (retyped != null) {
                Arrays.fill(retyped, '\0');
            }
        }
    }

    /**
     * One SCRAM exchange as {@code user}, with the keys {@link KeyCache} kept from an earlier
     * login with this password when the server's salt still matches (no PBKDF2: a logged-in
     * command costs milliseconds, not a second), else deriving them and keeping them for next time.
     */
    private static LoginResult scram(AuthClient auth, Console console, String where, String user, char[] password)
            throws IOException {
        KeyCache cache = KeyCache.inDefaultPlace(console.environment());
        ScramClient scram;
        ScramClient.Keys known = cache.find(where, user, password);
        try {
            scram = new ScramClient(user, password).keepKeys().knownKeys(known);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("cannot use this password: " + e.getMessage());
        }
        LoginResult r;
        try {
            r = auth.login(scram);
        } catch (RemoteException e) {
            if (known != null && !scram.derivedKeys()) {
                cache.forget(where, user); // refused with kept keys (the user was recreated?): derive next time
            }
            throw e;
        }
        ScramClient.Keys keys = scram.keys();
        if (!scram.derivedKeys()) {
            console.detail("ferry: logged in with the keys kept in " + cache.file() + " (no PBKDF2)");
        } else if (keys != null && cache.remember(where, user, keys, password)) {
            console.detail("ferry: kept the login keys for " + user + " on " + where + " in " + cache.file());
        }
        if (keys != null) {
            Arrays.fill(keys.clientKey(), (byte) 0);
            Arrays.fill(keys.serverKey(), (byte) 0);
        }
        return r;
    }

    /** The default credentials file, or for a loopback server make run's demo credentials when that is the one there is. */
    static Path fallbackFile(Map<String, String> env, Remote remote) {
        Path standard = CredentialsResolver.defaultFile(env);
        if (Files.exists(standard)) {
            return standard;
        }
        String wanted = remote.user() != null ? remote.user() : env.get(CredentialsResolver.ENV_USER);
        if (wanted != null && !wanted.isEmpty() && !wanted.equals(DemoUser.NAME)) {
            return standard;
        }
        Path demo = demoCredentials(env);
        return Loopback.isLoopbackHost(remote.host()) && Files.exists(demo) ? demo : standard;
    }

    /** Where {@code make run} (serve --demo-user) saves the demo password, seen from here. */
    static Path demoCredentials(Map<String, String> env) {
        return ServeSettings.defaultConfigDir(env.get(ServeSettings.ENV_CONFIG)).resolve(DemoUser.CREDENTIALS_FILE_NAME);
    }

    private static boolean set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isEmpty();
    }

    public static String rights(LoginResult r) {
        return r.rights().isEmpty() ? "none" : String.join(", ", r.rights());
    }
}

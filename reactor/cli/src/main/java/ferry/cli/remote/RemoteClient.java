package ferry.cli.remote;

import ferry.client.FerryClient;
import ferry.client.LoginResult;
import ferry.protocol.Header;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An open connection from a command to a server: the {@link FerryClient}, the {@link Remote}
 * it was opened for, the server's HELLO answer, and the login, if any.
 *
 * <p>Round 2 hangs the service clients off it by composition ({@code new FileClient(client())},
 * {@code new ExecClient(client())}), created on first use.
 *
 * <p>Thread safety: one thread at a time, like FerryClient; {@link #close()} from any thread.
 */
public final class RemoteClient implements Closeable {
    private final Remote remote;
    private final FerryClient client;
    private final Header hello;
    private final long connectNanos;
    private LoginResult login;

    RemoteClient(Remote remote, FerryClient client, Header hello, long connectNanos) {
        this.remote = remote;
        this.client = client;
        this.hello = hello;
        this.connectNanos = connectNanos;
    }

    public Remote remote() { return remote; }
    public FerryClient client() { return client; }
    /** The server's HELLO answer (server, version, protocol, features, login, user), from before any login. */
    Header hello() { return hello; }
    /** Time to connect and get HELLO's answer. */
    long connectNanos() { return connectNanos; }

    /** Whether the server said connections must log in before using files or exec. */
    boolean loginRequired() {
        return "required".equals(hello.getString("login", "optional"));
    }

    /** The login this connection made, or null. */
    public LoginResult login() {
        return login;
    }

    void loggedIn(LoginResult result) {
        this.login = result;
    }

    /**
     * Who this connection is: the user it logged in as, else what HELLO said ({@code anonymous}
     * on a server without required login), else null (not logged in).
     */
    public String user() {
        if (login != null) {
            return login.user();
        }
        Object u = hello.get("user");
        return u == null ? null : String.valueOf(u);
    }

    /** The features the server listed in HELLO ({@code ping}, {@code files}, {@code exec}, ...). */
    List<String> features() {
        List<String> out = new ArrayList<>();
        Object f = hello.get("features");
        if (f instanceof List<?> list) {
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    /** {@code ferry 0.1.0}: the server's name and version from HELLO. */
    public String serverDescription() {
        return hello.getString("server", "?") + " " + hello.getString("version", "?");
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // closing a socket: nothing useful to report
        }
    }
}

package ferry.cli.remote;

import ferry.cli.command.Console;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.client.ClientOptions;
import ferry.client.CredentialsResolver;
import ferry.reactor.Version;
import java.nio.file.Path;

/**
 * The options every client command shares — connection ({@code --connect-timeout},
 * {@code --timeout}) and login ({@code --user}, {@code --credentials}) — declared on the command
 * that creates this, and turned into {@link ClientOptions} and a {@link Connector}.
 *
 * <p>Thread safety: immutable after construction.
 */
public final class ClientFlags {
    static final String CLIENT_NAME = "ferry-cli/" + Version.VERSION;
    private static final long MAX_TIMEOUT_MILLIS = 24L * 3600 * 1000;
    private static final String G_LOGIN = "login";

    final Option<Long> connectTimeout;
    final Option<Long> timeout;
    final Option<String> user;
    final Option<String> credentials;
    final ClientTlsFlags tls;

    public ClientFlags(Command command) {
        this(command, true);
    }

    /**
     * @param withTimeout whether to declare {@code --timeout} (the server's longest silence);
     *     {@code exec} uses that name for the command's own time limit, and waits for a quiet
     *     command as long as that limit allows anyway
     */
    public ClientFlags(Command command, boolean withTimeout) {
        ClientOptions d = ClientOptions.defaults();
        connectTimeout = command.option(Option.value("connect-timeout", "DURATION",
                ValueType.duration(1, MAX_TIMEOUT_MILLIS), d.connectTimeoutMillis(),
                "give up connecting after this long").group("connection"));
        timeout = !withTimeout ? null : command.option(Option.value("timeout", "DURATION",
                ValueType.duration(1, MAX_TIMEOUT_MILLIS), d.readTimeoutMillis(),
                "give up when the server is silent this long").group("connection"));
        user = command.option(Option.value("user", "NAME", ValueType.text(), null,
                "log in as NAME (same as NAME@host; else $" + CredentialsResolver.ENV_USER + ")")
                .shortName('u').group(G_LOGIN));
        credentials = command.option(Option.value("credentials", "FILE", ValueType.text(), null,
                "read user= and password= from FILE (chmod 600); else $" + CredentialsResolver.ENV_CREDENTIALS
                        + " or ~/.config/ferry/credentials").group(G_LOGIN));
        tls = new ClientTlsFlags(command);
    }

    ClientOptions options(ParsedArgs args) {
        return ClientOptions.defaults()
                .withConnectTimeoutMillis(args.get(connectTimeout))
                .withReadTimeoutMillis(timeout == null ? ClientOptions.DEFAULT_READ_TIMEOUT_MILLIS : args.get(timeout))
                .withClientName(CLIENT_NAME);
    }

    /** A connector with these options, the CLI's authenticator and the {@code --credentials} file. */
    public Connector connector(Invocation inv) {
        String file = inv.args().get(credentials);
        ParsedArgs args = inv.args();
        Console console = inv.console();
        return new Connector(console, options(args), inv.service(Authenticator.class),
                file == null ? null : Path.of(file), host -> tls.decide(args, host, console));
    }

    /**
     * {@code remote} with the {@code --user} applied: the user in the remote and the flag must
     * agree when both are given.
     */
    public Remote withUser(Remote remote, ParsedArgs args) throws UsageException {
        String flag = args.get(user);
        if (flag == null) {
            return remote;
        }
        if (remote.user() != null && !remote.user().equals(flag)) {
            throw new UsageException("the remote says user '" + remote.user() + "' but --user says '" + flag
                    + "': give one");
        }
        return new Remote(flag, remote.host(), remote.port(), remote.path());
    }
}

package ferry.cli;

import ferry.client.ClientOptions;
import ferry.reactor.Version;

/**
 * The connection options every client command shares ({@code --connect-timeout},
 * {@code --timeout}), declared on the command that creates this and turned into
 * {@link ClientOptions}.
 *
 * <p>Thread safety: immutable after construction.
 */
final class ClientFlags {
    static final String CLIENT_NAME = "ferry-cli/" + Version.VERSION;
    private static final long MAX_TIMEOUT_MILLIS = 24L * 3600 * 1000;

    final Option<Long> connectTimeout;
    final Option<Long> timeout;

    ClientFlags(Command command) {
        ClientOptions d = ClientOptions.defaults();
        connectTimeout = command.option(Option.value("connect-timeout", "DURATION",
                ValueType.duration(1, MAX_TIMEOUT_MILLIS), d.connectTimeoutMillis(),
                "give up connecting after this long").group("connection"));
        timeout = command.option(Option.value("timeout", "DURATION",
                ValueType.duration(1, MAX_TIMEOUT_MILLIS), d.readTimeoutMillis(),
                "give up when the server is silent this long").group("connection"));
    }

    ClientOptions options(ParsedArgs args) {
        return ClientOptions.defaults()
                .withConnectTimeoutMillis(args.get(connectTimeout))
                .withReadTimeoutMillis(args.get(timeout))
                .withClientName(CLIENT_NAME);
    }
}

package ferry.cli.remote;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.reactor.Loopback;

/**
 * {@code ferry info [HOST]}: what a server is and offers — name, version, protocol, features,
 * whether login is required — from its HELLO answer. {@code --json} prints the answer as is.
 */
public final class InfoCommand extends Command {
    private final Option<Boolean> json = option(Option.flag("json", "print the server's HELLO answer as JSON"));
    private final ClientFlags client = new ClientFlags(this);

    public InfoCommand() {
        super("info", "show what a server is and offers");
        arguments("[HOST]");
    }

    @Override
    public String description() {
        return "Show what a server is and offers (its HELLO answer): name, version, protocol, features such as "
                + "files or exec, and whether login is required. HOST is [user@]host[:port], 127.0.0.1:7373 when "
                + "omitted.";
    }

    static final String NOT_ENCRYPTED = "WARNING: this connection is not encrypted (no TLS): what crosses it can be"
            + " read and taken over on the way";

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        Connector connector = client.connector(inv);
        try (RemoteClient rc = connector.open(remote, false)) {
            if (!rc.client().isTls() && !Loopback.isLoopbackHost(remote.host())) {
                inv.console().err().println(NOT_ENCRYPTED);
            }
            if (inv.args().get(json)) {
                inv.console().out().println(rc.hello());
            } else {
                ServerInfo.print(inv.console().out(), rc);
            }
        }
        return Command.EXIT_OK;
    }
}

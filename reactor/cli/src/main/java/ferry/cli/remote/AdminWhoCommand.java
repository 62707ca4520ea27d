package ferry.cli.remote;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.client.AdminClient;
import ferry.protocol.Json;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ferry admin who HOST}: the server's live connections over the protocol (WHO), for a user
 * with the admin right; {@code --json} prints one JSON object a line, as the server sent them.
 *
 * <p>Thread safety: one run at a time, on the calling thread.
 */
public final class AdminWhoCommand extends Command {
    private final Option<Boolean> json = option(Option.flag("json", "one JSON object per connection per line"));
    private final ClientFlags client = new ClientFlags(this);

    public AdminWhoCommand() {
        super("who", "list a server's connections over the protocol (needs the admin right)");
        arguments("HOST");
    }

    @Override
    public String description() {
        return "List the live connections of the server at HOST ([user@]host[:port]): id, user, address, age, op in "
                + "progress (* when a bandwidth limit holds it back), bytes in and out. Logs in; the user needs the "
                + "admin right (ferry user set NAME --rights read,admin).";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        PrintStream out = inv.console().out();
        try (RemoteClient rc = AdminCalls.open(client.connector(inv), remote)) {
            AdminClient.Who who = AdminCalls.call(rc, AdminClient::who);
            if (inv.args().get(json)) {
                for (AdminClient.LiveConnection c : who.connections()) {
                    out.println(Json.write(asMap(c)));
                }
            } else {
                ConnectionTable.print(out, who.connections(), null);
            }
            if (who.total() > who.connections().size()) {
                inv.console().err().println("ferry: showing " + who.connections().size() + " of " + who.total()
                        + " connections (the server's limit per WHO)");
            }
        }
        return Command.EXIT_OK;
    }

    private static Map<String, Object> asMap(AdminClient.LiveConnection c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("user", c.user());
        m.put("address", c.address());
        m.put("ageMs", c.ageMillis());
        m.put("op", c.op());
        m.put("inflight", c.inflight());
        m.put("bytesIn", c.bytesIn());
        m.put("bytesOut", c.bytesOut());
        m.put("throttled", c.throttled());
        return m;
    }
}

package ferry.cli.serve;

import ferry.cli.command.ErrorMessages;
import ferry.cli.args.UsageException;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Invocation;

import ferry.cli.args.Option;
import ferry.cli.remote.AdminKickCommand;
import ferry.cli.remote.AdminWhoCommand;
import ferry.cli.remote.Connections;

import ferry.services.admin.AdminEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code ferry admin who|kick HOST ...} (over the protocol, for a user with the admin right;
 * {@link AdminWhoCommand}, {@link AdminKickCommand}) and {@code ferry admin connections|drop
 * ID|drop-user NAME}: the operator's live view of a server on this machine, through its
 * {@code --admin-listen} endpoint (loopback only).
 *
 * <p>Thread safety: one run at a time, on the calling thread.
 */
public final class AdminCommand extends Command {
    /** How long to wait for the endpoint: it answers after every loop has. */
    static final int TIMEOUT_MILLIS = 15_000;
    /** Largest answer read: a line per connection, 10,000 connections of ~200 bytes. */
    static final int MAX_ANSWER_BYTES = 16 << 20;

    public AdminCommand() {
        super("admin", "see and drop a running server's connections (who/kick: admin right; others: --admin-listen)");
        subcommand(new AdminWhoCommand());
        subcommand(new AdminKickCommand());
        subcommand(new Connections());
        subcommand(new Drop());
        subcommand(new DropUser());
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry admin who alice@files.example     # over the protocol; alice has the admin right\n"
                + "  ferry admin kick alice@files.example 12 # its client reads ERROR dropped\n"
                + "  ferry serve --admin-listen 9374 ...     # on the server's machine, no password\n"
                + "  ferry admin connections                 # one JSON line per connection\n"
                + "  ferry admin drop 12                     # closes connection c12\n"
                + "  ferry admin drop-user mallory --admin 127.0.0.1:9400";
    }

    /** What every subcommand shares: where the endpoint is. */
    abstract static class EndpointCommand extends Command {
        final Option<ListenAddress> at = option(Option.value("admin", "HOST:PORT",
                ListenAddress.typeOrNone(ServeAdmin.DEFAULT_PORT), null, "the server's --admin-listen address")
                .defaultText("127.0.0.1:" + ServeAdmin.DEFAULT_PORT));

        EndpointCommand(String name, String summary) {
            super(name, summary);
        }

        String call(Invocation inv, String method, String path) throws CliException {
            ListenAddress a = inv.args().has(at) && inv.args().get(at) != null ? inv.args().get(at)
                    : new ListenAddress("127.0.0.1", ServeAdmin.DEFAULT_PORT);
            String url = "http://" + ListenAddress.format(a.host(), a.port()) + path;
            try {
                HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
                http.setConnectTimeout(TIMEOUT_MILLIS);
                http.setReadTimeout(TIMEOUT_MILLIS);
                http.setRequestMethod(method);
                http.setRequestProperty(AdminEndpoint.CONFIRM_HEADER, "1");
                int status = http.getResponseCode();
                InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream();
                String body = in == null ? "" : new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
                if (status == 404 && path.startsWith(AdminEndpoint.CONNECTIONS + "/")) {
                    throw new CliException("no connection " + path.split("/")[2] + " on the server at " + a);
                }
                if (status != 200) {
                    throw new CliException("the admin endpoint at " + url + " answered " + status + ": " + body.strip());
                }
                return body;
            } catch (IOException e) {
                throw new CliException("cannot reach the admin endpoint at " + url + " (is the server running with "
                        + "--admin-listen " + a + "?): " + ErrorMessages.describe(e), e);
            }
        }
    }

    static final class Connections extends EndpointCommand {
        Connections() {
            super("connections", "list live connections: id, user, address, age, op in progress, bytes in/out");
            arguments();
        }

        @Override
        public int run(Invocation inv) throws Exception {
            inv.console().out().print(call(inv, "GET", AdminEndpoint.CONNECTIONS));
            return Command.EXIT_OK;
        }
    }

    static final class Drop extends EndpointCommand {
        Drop() {
            super("drop", "close one connection (its client reads ERROR dropped)");
            arguments("ID");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String id = inv.args().positionals().get(0);
            if (id.startsWith("c")) {
                id = id.substring(1); // as the log names it
            }
            if (!id.matches("[0-9]{1,18}")) {
                throw new UsageException("a connection ID is a number (as in the list, or c12 as in the log)");
            }
            call(inv, "POST", AdminEndpoint.CONNECTIONS + "/" + id + "/close");
            inv.console().out().println("closed connection " + id);
            return Command.EXIT_OK;
        }
    }

    static final class DropUser extends EndpointCommand {
        DropUser() {
            super("drop-user", "close every connection logged in as NAME");
            arguments("NAME");
        }

        @Override
        public int run(Invocation inv) throws Exception {
            String name = inv.args().positionals().get(0);
            String body = call(inv, "POST", "/users/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    .replace("+", "%20") + "/close");
            inv.console().out().println("closed " + body.replaceAll("[^0-9]", "") + " connections of " + name);
            return Command.EXIT_OK;
        }
    }
}

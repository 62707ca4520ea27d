package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.UsageException;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;

/**
 * {@code ferry admin kick HOST ID}: closes one connection over the protocol (KICK); its client
 * reads {@code ERROR dropped}. Needs the admin right.
 *
 * <p>Thread safety: one run at a time, on the calling thread.
 */
public final class AdminKickCommand extends Command {
    private final ClientFlags client = new ClientFlags(this);

    public AdminKickCommand() {
        super("kick", "close one connection over the protocol (needs the admin right)");
        arguments("HOST", "ID");
    }

    @Override
    public String description() {
        return "Close connection ID (as 'ferry admin who' lists it: 12 or c12) on the server at HOST; its client reads "
                + "ERROR dropped. Logs in; the user needs the admin right.";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        long id = parseId(inv.args().positionals().get(1));
        try (RemoteClient rc = AdminCalls.open(client.connector(inv), remote)) {
            try {
                AdminCalls.call(rc, admin -> {
                    admin.kick(id);
                    return null;
                });
            } catch (CliException e) {
                if (e.getCause() instanceof RemoteException r && ErrorCode.NOT_FOUND.equals(r.code())) {
                    throw new CliException("no connection " + id + " on " + remote.hostPort()
                            + " ('ferry admin who' lists the live ones)", e);
                }
                throw e;
            }
        }
        inv.console().out().println("closed connection " + id);
        return Command.EXIT_OK;
    }

    /** {@code 12} or {@code c12} (as the log names it). */
    static long parseId(String text) throws UsageException {
        String t = text.startsWith("c") ? text.substring(1) : text;
        if (!t.matches("[0-9]{1,18}")) {
            throw new UsageException("a connection ID is a number (as 'ferry admin who' lists it, or c12 as in the log)");
        }
        return Long.parseLong(t);
    }
}
